package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine/network"
	"berth/internal/testenv"
)

// criEnv is `berth cri` on a berthEnv's roots, and a CRI client of it.
type criEnv struct {
	*berthEnv
	sock string
	rt   runtimeapi.RuntimeServiceClient
	img  runtimeapi.ImageServiceClient
	stop func()
	pid  int // the running server's
	// netns, when set, is the network namespace the server runs in, with
	// env added to its environment.
	netns *testenv.NetNS
	env   []string
}

// newCRIEnv starts `berth cri --listen unix://…` on b's roots (its own
// data root, run root, bridge, nft table and cgroup parent) and connects
// to it; the server is stopped, by its PID, when the test ends.
func newCRIEnv(t testing.TB, b *berthEnv) *criEnv {
	t.Helper()
	return newCRIEnvIn(t, b, nil, nil)
}

// newCRIEnvIn is newCRIEnv with the server in netns (nil: this host's
// network) and env added to its environment.
func newCRIEnvIn(t testing.TB, b *berthEnv, netns *testenv.NetNS, env []string) *criEnv {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "cri.sock")
	e := &criEnv{berthEnv: b, sock: sock, netns: netns, env: env}
	// Registered first, so it runs last, after the pods are removed; it
	// stops whichever server runs then (a test may restart it).
	t.Cleanup(func() {
		if e.stop != nil {
			e.stop()
		}
	})
	e.start(t)
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	e.rt, e.img = runtimeapi.NewRuntimeServiceClient(conn), runtimeapi.NewImageServiceClient(conn)
	// Whatever a failed test left, the server removes before it stops:
	// the pods' containers, namespaces, addresses and cgroups.
	t.Cleanup(func() {
		ps, err := e.rt.ListPodSandbox(context.Background(), &runtimeapi.ListPodSandboxRequest{})
		if err != nil {
			t.Errorf("cleanup: list pods: %v", err)
			return
		}
		for _, p := range ps.Items {
			if _, err := e.rt.RemovePodSandbox(context.Background(), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				t.Errorf("cleanup: remove pod %s: %v", p.Id, err)
			}
		}
	})
	return e
}

// start runs the server and waits for its socket.
func (e *criEnv) start(t testing.TB) {
	t.Helper()
	cmd := e.berth("cri", "--listen", "unix://"+e.sock)
	if e.netns != nil {
		cmd = e.netns.Command(cmd.Path, cmd.Args[1:]...)
		cmd.Env = slices.Concat(e.berthEnv.env, e.env)
	}
	var logs testenv.LockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.pid = cmd.Process.Pid
	stopped := false
	e.stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM) // it may have died already; Wait reaps it either way
		if err := cmd.Wait(); err != nil {
			t.Errorf("berth cri: %v\n%s", err, logs.String())
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", e.sock); err == nil {
			_ = c.Close() // a probe
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("berth cri did not listen on %s\n%s", e.sock, logs.String())
		}
	}
}

// TestCRIRuntime: the socket is root's alone, and version, status and
// runtime config answer as kubelet expects.
func TestCRIRuntime(t *testing.T) {
	e := newCRIEnv(t, newBerthEnv(t))
	ctx := context.Background()
	fi, err := os.Stat(e.sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", fi.Mode().Perm())
	}
	v, err := e.rt.Version(ctx, &runtimeapi.VersionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if v.RuntimeName != "berth" || v.RuntimeApiVersion != "v1" || v.RuntimeVersion == "" {
		t.Errorf("version: %+v", v)
	}
	st, err := e.rt.Status(ctx, &runtimeapi.StatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Status.Conditions {
		if !c.Status {
			t.Errorf("condition %s is false: %s %s", c.Type, c.Reason, c.Message)
		}
	}
	if len(st.Status.Conditions) != 2 {
		t.Errorf("conditions: %v", st.Status.Conditions)
	}
	rc, err := e.rt.RuntimeConfig(ctx, &runtimeapi.RuntimeConfigRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Linux.CgroupDriver != runtimeapi.CgroupDriver_CGROUPFS {
		t.Errorf("cgroup driver %v", rc.Linux.CgroupDriver)
	}
	// One server serves a data root.
	out, err := e.berth("cri", "--listen", "unix://"+filepath.Join(t.TempDir(), "second.sock")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another berth cri serves") {
		t.Errorf("a second server on the data root: %v: %s", err, out)
	}
}

// TestCRIImages: list, status (verbose), pull from a registry on
// 127.0.0.1 with the request's credentials, remove, and the image
// filesystem's usage.
func TestCRIImages(t *testing.T) {
	addr := testenv.DistributionRegistry(t)
	b := newBerthEnv(t)
	ref := addr + "/crib:1"
	b.must("tag", "busybox", ref)
	b.must("push", ref)
	b.must("rmi", ref)
	e := newCRIEnv(t, b)
	ctx := context.Background()

	list, err := e.img.ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Images) != 1 || strings.Join(list.Images[0].RepoTags, ",") != "docker.io/library/busybox:latest" || !strings.HasPrefix(list.Images[0].Id, "sha256:") {
		t.Fatalf("images: %v", list.Images)
	}
	busyboxID := list.Images[0].Id
	st, err := e.img.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Image.GetId() != busyboxID || !strings.Contains(st.Info["info"], `"config"`) {
		t.Errorf("image status: %v %v", st.Image, st.Info)
	}
	none, err := e.img.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}})
	if err != nil || none.Image != nil {
		t.Fatalf("status of an image not pulled: %v %v", none, err)
	}

	auth := base64.StdEncoding.EncodeToString([]byte("kube:secret"))
	pulled, err := e.img.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: ref},
		Auth: &runtimeapi.AuthConfig{Auth: auth, ServerAddress: addr}})
	if err != nil {
		t.Fatal(err)
	}
	if pulled.ImageRef != busyboxID {
		t.Errorf("pulled %s, want the ID %s", pulled.ImageRef, busyboxID)
	}
	list, err = e.img.ListImages(ctx, &runtimeapi.ListImagesRequest{Filter: &runtimeapi.ImageFilter{Image: &runtimeapi.ImageSpec{Image: ref}}})
	if err != nil || len(list.Images) != 1 || !strings.Contains(strings.Join(list.Images[0].RepoTags, ","), ref) {
		t.Fatalf("list by the pulled name: %v %v", list, err)
	}
	if _, err := e.img.RemoveImage(ctx, &runtimeapi.RemoveImageRequest{Image: &runtimeapi.ImageSpec{Image: ref}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.img.RemoveImage(ctx, &runtimeapi.RemoveImageRequest{Image: &runtimeapi.ImageSpec{Image: ref}}); err != nil {
		t.Errorf("removing a removed image: %v", err)
	}
	if st, err := e.img.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}}); err != nil || st.Image != nil {
		t.Errorf("status after remove: %v %v", st, err)
	}
	if st, err := e.img.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}}); err != nil || st.Image == nil {
		t.Errorf("busybox went with the other tag: %v %v", st, err)
	}

	fs, err := e.img.ImageFsInfo(ctx, &runtimeapi.ImageFsInfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs.ImageFilesystems) != 1 || fs.ImageFilesystems[0].UsedBytes.GetValue() == 0 || fs.ImageFilesystems[0].InodesUsed.GetValue() == 0 {
		t.Errorf("image fs info: %v", fs)
	}
}

// TestCRIPod: a pod with two containers that share its network (one
// serves on localhost, the other reaches it), its hostname and DNS
// settings, a host port, CRI logs at kubelet's path, exec-sync, stop
// and remove; a restarted server finds the pod; nothing is left.
func TestCRIPod(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	logDir := filepath.Join(t.TempDir(), "pods", "default_web_uid1")
	hostPort := freePort(t)
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: "uid1"},
		Hostname:     "webpod",
		LogDirectory: logDir,
		DnsConfig:    &runtimeapi.DNSConfig{Servers: []string{"10.96.0.10"}, Searches: []string{"default.svc.cluster.local"}, Options: []string{"ndots:5"}},
		PortMappings: []*runtimeapi.PortMapping{{ContainerPort: 8080, HostPort: int32(hostPort), HostIp: "127.0.0.1"}},
		Labels:       map[string]string{"app": "web"},
		Annotations:  map[string]string{"note": "cri test"},
		Linux:        &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-uid1"},
	}
	run, err := e.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podCfg})
	if err != nil {
		t.Fatal(err)
	}
	pod := run.PodSandboxId
	pst, err := e.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod})
	if err != nil {
		t.Fatal(err)
	}
	if pst.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY || pst.Status.Network.GetIp() == "" || pst.Status.Labels["app"] != "web" {
		t.Fatalf("pod status: %v", pst.Status)
	}
	podIP := pst.Status.Network.Ip

	create := func(name string, cmd ...string) string {
		t.Helper()
		c, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, SandboxConfig: podCfg,
			Config: &runtimeapi.ContainerConfig{
				Metadata: &runtimeapi.ContainerMetadata{Name: name},
				Image:    &runtimeapi.ImageSpec{Image: "busybox"},
				Command:  cmd,
				Envs:     []*runtimeapi.KeyValue{{Key: "GREETING", Value: []byte("hello")}},
				LogPath:  name + "/0.log",
				Labels:   map[string]string{"role": name},
			}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: c.ContainerId}); err != nil {
			t.Fatal(err)
		}
		return c.ContainerId
	}
	web := create("web", "sh", "-c", `mkdir -p /www && echo "$GREETING from $(hostname)" > /www/index.html && echo started && echo warn >&2 && exec httpd -f -p 8080 -h /www`)
	client := create("client", "sleep", "3600")

	execSync := func(id string, cmd ...string) string {
		t.Helper()
		r, err := e.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: cmd, Timeout: 30})
		if err != nil {
			t.Fatalf("exec %v: %v", cmd, err)
		}
		if r.ExitCode != 0 {
			t.Fatalf("exec %v: exit %d: %s", cmd, r.ExitCode, r.Stderr)
		}
		return string(r.Stdout)
	}
	// The client reaches the web container on the pod's localhost.
	var got string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r, err := e.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: client, Cmd: []string{"wget", "-qO-", "http://127.0.0.1:8080/index.html"}, Timeout: 30})
		if err != nil {
			t.Fatal(err)
		}
		if got = string(r.Stdout); r.ExitCode == 0 || time.Now().After(deadline) {
			break
		}
	}
	if got != "hello from webpod\n" {
		t.Errorf("client over localhost got %q", got)
	}
	if h := execSync(client, "hostname"); h != "webpod\n" {
		t.Errorf("client's hostname %q", h)
	}
	resolv := execSync(client, "cat", "/etc/resolv.conf")
	for _, want := range []string{"nameserver 10.96.0.10", "search default.svc.cluster.local", "options ndots:5"} {
		if !strings.Contains(resolv, want) {
			t.Errorf("resolv.conf lacks %q:\n%s", want, resolv)
		}
	}
	if addr := execSync(client, "ip", "-4", "-o", "addr", "show", "eth0"); !strings.Contains(addr, podIP+"/") {
		t.Errorf("eth0 in the pod: %q, want %s", addr, podIP)
	}
	// A command past its timeout is killed and the call fails.
	if _, err := e.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: client, Cmd: []string{"sleep", "600"}, Timeout: 1}); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("exec past its timeout: %v", err)
	}
	if ps := execSync(client, "ps", "-o", "args"); strings.Contains(ps, "sleep 600") {
		t.Errorf("the timed-out command still runs:\n%s", ps)
	}
	// The host port reaches the pod.
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/index.html", hostPort))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello from webpod\n" {
		t.Errorf("host port %d: %q", hostPort, body)
	}

	// The log is in kubelet's CRI format at the path kubelet gave.
	logLine := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (stdout|stderr) [FP] .*$`)
	var logText string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		raw, _ := os.ReadFile(filepath.Join(logDir, "web", "0.log"))
		if logText = string(raw); strings.Contains(logText, "stderr F warn") || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(logText, " stdout F started\n") || !strings.Contains(logText, " stderr F warn\n") {
		t.Errorf("CRI log:\n%s", logText)
	}
	for _, l := range strings.Split(strings.TrimSuffix(logText, "\n"), "\n") {
		if !logLine.MatchString(l) {
			t.Errorf("not a CRI log line: %q", l)
		}
	}
	// kubelet's rotation: move the file away, reopen, and the next line
	// goes to a new file.
	if err := os.Rename(filepath.Join(logDir, "web", "0.log"), filepath.Join(logDir, "web", "0.log.1")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.ReopenContainerLog(ctx, &runtimeapi.ReopenContainerLogRequest{ContainerId: web}); err != nil {
		t.Fatal(err)
	}
	execSync(web, "sh", "-c", "echo after-rotate > /proc/$(pidof httpd)/fd/1") // the pod shares its PID namespace: httpd is not PID 1
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		raw, _ := os.ReadFile(filepath.Join(logDir, "web", "0.log"))
		if strings.Contains(string(raw), " stdout F after-rotate\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line in the reopened log: %q", raw)
		}
	}

	// Lists and filters.
	cs, err := e.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{PodSandboxId: pod, LabelSelector: map[string]string{"role": "web"}}})
	if err != nil || len(cs.Containers) != 1 || cs.Containers[0].Id != web || cs.Containers[0].State != runtimeapi.ContainerState_CONTAINER_RUNNING {
		t.Errorf("list by pod and label: %v %v", cs, err)
	}
	ps, err := e.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"app": "web"}}})
	if err != nil || len(ps.Items) != 1 || ps.Items[0].Id != pod {
		t.Errorf("list pods by label: %v %v", ps, err)
	}
	if ps, err := e.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"app": "db"}}}); err != nil || len(ps.Items) != 0 {
		t.Errorf("list pods by another label: %v %v", ps, err)
	}

	// A restarted server finds the pod, ready, with its containers.
	e.stop()
	e.start(t)
	if st, err := e.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod}); err != nil || st.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY {
		t.Fatalf("pod after a restart of the server: %v %v", st, err)
	}

	if _, err := e.rt.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: web, Timeout: 5}); err != nil {
		t.Fatal(err)
	}
	cst, err := e.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: web})
	if err != nil {
		t.Fatal(err)
	}
	if cst.Status.State != runtimeapi.ContainerState_CONTAINER_EXITED || cst.Status.FinishedAt == 0 || cst.Status.Metadata.Name != "web" || cst.Status.LogPath != filepath.Join(logDir, "web", "0.log") {
		t.Errorf("stopped container: %v", cst.Status)
	}
	if _, err := e.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatal(err)
	}
	if ps, err := e.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil || len(ps.Items) != 0 {
		t.Errorf("pods after remove: %v %v", ps, err)
	}
	if ids := strings.Fields(b.must("ps", "-aq")); len(ids) != 0 {
		t.Errorf("containers left: %v", ids)
	}
	assertPodGone(t, b, pod, podIP)
	if left, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", b.parent, "pod-uid1")); len(left) > 0 {
		t.Errorf("the pod's cgroup is left: %v", left)
	}
}

// assertPodGone checks that nothing of a removed pod is left: its pinned
// namespaces (mounts), its address and veth on the bridge.
func assertPodGone(t *testing.T, b *berthEnv, pod, ip string) {
	t.Helper()
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(mounts, []byte(pod)) {
		t.Errorf("mounts of pod %s left:\n%s", pod, mounts)
	}
	inspect := b.must("network", "inspect", "bridge")
	if strings.Contains(inspect, pod) || ip != "" && strings.Contains(inspect, `"`+ip+`/`) {
		t.Errorf("the pod is still on the bridge:\n%s", inspect)
	}
	bridge, _ := network.RootNames(b.root(), false)
	out, err := exec.Command("ip", "-o", "link", "show", "master", bridge).CombinedOutput()
	if err != nil {
		t.Fatalf("ip link: %v: %s", err, out)
	}
	if strings.TrimSpace(string(out)) != "" {
		t.Errorf("veths left on the bridge:\n%s", out)
	}
}

// TestCRIPodHost: a pod on the host's network, IPC and PID namespaces
// gets no namespaces of its own and no address; a container's security
// context (user, groups, read-only root, no-new-privs, dropped
// capabilities) holds; a pod whose host port is taken fails and leaves
// nothing.
func TestCRIPodHost(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "hostpod", Namespace: "kube-system", Uid: "uid2"},
		Linux: &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-uid2", SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE, Ipc: runtimeapi.NamespaceMode_NODE, Pid: runtimeapi.NamespaceMode_NODE}}},
	}
	run, err := e.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podCfg})
	if err != nil {
		t.Fatal(err)
	}
	pod := run.PodSandboxId
	if st, err := e.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod}); err != nil || st.Status.Network.GetIp() != "" {
		t.Fatalf("host network pod: %v %v", st, err)
	}
	c, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, SandboxConfig: podCfg,
		Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: "locked"},
			Image:    &runtimeapi.ImageSpec{Image: "busybox"},
			Command:  []string{"sleep", "3600"},
			Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
				RunAsUser: &runtimeapi.Int64Value{Value: 1000}, RunAsGroup: &runtimeapi.Int64Value{Value: 1000},
				SupplementalGroups: []int64{2000},
				ReadonlyRootfs:     true, NoNewPrivs: true,
				Capabilities:     &runtimeapi.Capability{DropCapabilities: []string{"ALL"}},
				NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE, Ipc: runtimeapi.NamespaceMode_NODE, Pid: runtimeapi.NamespaceMode_NODE},
			}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: c.ContainerId}); err != nil {
		t.Fatal(err)
	}
	r, err := e.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: c.ContainerId, Timeout: 30, Cmd: []string{"sh", "-c",
		`id -u; id -G; grep NoNewPrivs /proc/self/status; touch /x 2>/dev/null && echo rw || echo ro; hostname; for n in net pid ipc; do readlink /proc/self/ns/$n; done`}})
	if err != nil || r.ExitCode != 0 {
		t.Fatalf("exec: %v %v %s", r, err, r.GetStderr())
	}
	host, _ := os.Hostname()
	var hostNS []string
	for _, k := range []string{"net", "pid", "ipc"} {
		l, err := os.Readlink("/proc/self/ns/" + k)
		if err != nil {
			t.Fatal(err)
		}
		hostNS = append(hostNS, l)
	}
	want := "1000\n1000 2000\nNoNewPrivs:\t1\nro\n" + host + "\n" + strings.Join(hostNS, "\n") + "\n"
	if string(r.Stdout) != want {
		t.Errorf("inside the container:\n%s\nwant:\n%s", r.Stdout, want)
	}
	if _, err := e.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatal(err)
	}

	// A taken host port fails the pod, and nothing of it is left.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	_, err = e.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "clash", Namespace: "default", Uid: "uid3"},
		PortMappings: []*runtimeapi.PortMapping{{ContainerPort: 80, HostPort: int32(taken), HostIp: "127.0.0.1"}},
	}})
	if err == nil {
		t.Fatal("a pod on a taken host port ran")
	}
	if ps, err := e.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil || len(ps.Items) != 0 {
		t.Errorf("pods left: %v %v", ps, err)
	}
	if ns, _ := filepath.Glob(filepath.Join(b.runRoot(), "cri", "sandboxes", "*")); len(ns) != 0 {
		t.Errorf("pinned namespaces left: %v", ns)
	}
	assertPodGone(t, b, "uid3", "")
}

// crictlBinary builds crictl (sigs.k8s.io/cri-tools v1.37.0, from the Go
// module proxy) into a directory of the test's own. Without it the test
// is skipped, or fails under CI=true.
func crictlBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "install", "sigs.k8s.io/cri-tools/cmd/crictl@v1.37.0")
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("build crictl: %v: %s", err, out)
		}
		t.Skipf("build crictl: %v: %s", err, out)
	}
	return filepath.Join(dir, "crictl")
}

// TestCRICrictl drives berth cri with crictl, as a user would: version,
// info, images, runp, create, start, ps, exec --sync, logs, inspect,
// stopp, rmp.
func TestCRICrictl(t *testing.T) {
	crictl := crictlBinary(t)
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	dir := t.TempDir()
	config := filepath.Join(dir, "crictl.yaml")
	endpoint := "unix://" + e.sock
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("crictl.yaml", "runtime-endpoint: "+endpoint+"\nimage-endpoint: "+endpoint+"\ntimeout: 60\n")
	crictlRun := func(args ...string) string {
		t.Helper()
		return crictlOut(t, crictl, config, args...)
	}
	if v := crictlRun("version"); !strings.Contains(v, "RuntimeName:  berth") || !strings.Contains(v, "RuntimeApiVersion:  v1") {
		t.Errorf("crictl version:\n%s", v)
	}
	if info := crictlRun("info"); !strings.Contains(info, `"RuntimeReady"`) {
		t.Errorf("crictl info:\n%s", info)
	}
	if imgs := crictlRun("images"); !strings.Contains(imgs, "docker.io/library/busybox") {
		t.Errorf("crictl images:\n%s", imgs)
	}
	logDir := filepath.Join(dir, "logs")
	pod := write("pod.json", fmt.Sprintf(`{"metadata": {"name": "cli", "namespace": "default", "uid": "uid-cli"},
		"hostname": "clipod", "log_directory": %q, "linux": {"cgroup_parent": %q}}`, logDir, b.parent+"/pod-cli"))
	ctr := write("ctr.json", `{"metadata": {"name": "talker"}, "image": {"image": "busybox"},
		"command": ["sh", "-c", "echo hi from $(hostname); exec sleep 3600"], "log_path": "talker.log"}`)
	podID := strings.TrimSpace(crictlRun("runp", pod))
	ctrID := strings.TrimSpace(crictlRun("create", "--no-pull", podID, ctr, pod))
	crictlRun("start", ctrID)
	if ps := crictlRun("ps", "--pod", podID); !strings.Contains(ps, ctrID[:13]) || !strings.Contains(ps, "Running") {
		t.Errorf("crictl ps:\n%s", ps)
	}
	if pods := crictlRun("pods", "--name", "cli"); !strings.Contains(pods, podID[:13]) || !strings.Contains(pods, "Ready") {
		t.Errorf("crictl pods:\n%s", pods)
	}
	// crictl adds blank lines of its own after the output.
	if out := crictlRun("exec", "--sync", ctrID, "cat", "/etc/hostname"); strings.TrimSpace(out) != "clipod" {
		t.Errorf("crictl exec --sync: %q", out)
	}
	var logs string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if logs = crictlRun("logs", ctrID); logs != "" || time.Now().After(deadline) {
			break
		}
	}
	if logs != "hi from clipod\n" {
		t.Errorf("crictl logs: %q", logs)
	}
	if inspect := crictlRun("inspect", ctrID); !strings.Contains(inspect, `"state": "CONTAINER_RUNNING"`) {
		t.Errorf("crictl inspect:\n%s", inspect)
	}
	if inspect := crictlRun("inspectp", podID); !strings.Contains(inspect, `"state": "SANDBOX_READY"`) {
		t.Errorf("crictl inspectp:\n%s", inspect)
	}
	crictlRun("stopp", podID)
	crictlRun("rmp", podID)
	if pods := crictlRun("pods", "-q"); strings.TrimSpace(pods) != "" {
		t.Errorf("pods after rmp: %q", pods)
	}
	assertPodGone(t, b, podID, "")
}
