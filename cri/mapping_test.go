package cri

import (
	"encoding/base64"
	"reflect"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
	"berth/host"
)

func TestPortMappings(t *testing.T) {
	got, err := portMappings([]*runtimeapi.PortMapping{
		{ContainerPort: 80, HostPort: 8080, HostIp: "127.0.0.1"},
		{Protocol: runtimeapi.Protocol_UDP, ContainerPort: 53, HostPort: 5353},
		{ContainerPort: 9090}, // no host port: nothing published
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ContainerPort != 53 || got[0].Proto != "udp" || got[0].HostPortLo != 5353 ||
		got[1].ContainerPort != 80 || got[1].HostIP.String() != "127.0.0.1" || got[1].HostPortLo != 8080 {
		t.Errorf("mappings: %+v", got)
	}
	if _, err := portMappings([]*runtimeapi.PortMapping{{Protocol: runtimeapi.Protocol_SCTP, ContainerPort: 1, HostPort: 2}}); err == nil {
		t.Error("sctp accepted")
	}
	if _, err := portMappings([]*runtimeapi.PortMapping{{ContainerPort: 80, HostPort: 8080, HostIp: "nonsense"}}); err == nil {
		t.Error("a bad host IP accepted")
	}
}

func TestPodMatches(t *testing.T) {
	sb := &sandbox{ID: "abcdef", Ready: true, Config: &runtimeapi.PodSandboxConfig{Labels: map[string]string{"app": "web", "tier": "front"}}}
	ready := &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY}
	notReady := &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_NOTREADY}
	for _, tc := range []struct {
		f    *runtimeapi.PodSandboxFilter
		want bool
	}{
		{nil, true},
		{&runtimeapi.PodSandboxFilter{Id: "abc"}, true},
		{&runtimeapi.PodSandboxFilter{Id: "bcd"}, false},
		{&runtimeapi.PodSandboxFilter{State: ready}, true},
		{&runtimeapi.PodSandboxFilter{State: notReady}, false},
		{&runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"app": "web"}}, true},
		{&runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"app": "web", "tier": "back"}}, false},
		{&runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"zone": ""}}, false},
	} {
		if got := podMatches(sb, tc.f); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.f, got, tc.want)
		}
	}
}

func TestCreateOptions(t *testing.T) {
	sb := &sandbox{ID: "pod1", NSDir: "/run-root/cri/sandboxes/pod1", Namespaces: []string{"net", "uts", "ipc"},
		Config: &runtimeapi.PodSandboxConfig{
			Metadata:     &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "ns", Uid: "u1", Attempt: 2},
			Hostname:     "webhost",
			LogDirectory: "/var/log/pods/ns_web_u1",
			DnsConfig:    &runtimeapi.DNSConfig{Servers: []string{"10.0.0.10"}, Searches: []string{"ns.svc"}, Options: []string{"ndots:5"}},
			Linux:        &runtimeapi.LinuxPodSandboxConfig{CgroupParent: "/kubepods/podu1"},
		}}
	cfg := &runtimeapi.ContainerConfig{
		Metadata:    &runtimeapi.ContainerMetadata{Name: "app", Attempt: 1},
		Image:       &runtimeapi.ImageSpec{Image: "busybox"},
		Command:     []string{"sh", "-c", "true"},
		Envs:        []*runtimeapi.KeyValue{{Key: "A", Value: []byte("1")}},
		Mounts:      []*runtimeapi.Mount{{HostPath: "/data", ContainerPath: "/d", Readonly: true}},
		LogPath:     "app/1.log",
		Labels:      map[string]string{"role": "app"},
		Annotations: map[string]string{"a": "b"},
		Linux: &runtimeapi.LinuxContainerConfig{
			Resources: &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: 64 << 20, CpuShares: 512},
			SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
				RunAsUser: &runtimeapi.Int64Value{Value: 1000}, RunAsGroup: &runtimeapi.Int64Value{Value: 100},
				SupplementalGroups: []int64{10, 20},
				Capabilities:       &runtimeapi.Capability{AddCapabilities: []string{"NET_ADMIN"}, DropCapabilities: []string{"ALL"}},
				ReadonlyRootfs:     true, NoNewPrivs: true,
			},
		},
	}
	opts, err := createOptions(sb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cc, hc := opts.Config, opts.HostConfig
	if opts.Name != "k8s_app_web_ns_u1_1" || cc.Image != "busybox" || cc.User != "1000:100" || cc.Hostname != "webhost" ||
		!reflect.DeepEqual(cc.Entrypoint, []string{"sh", "-c", "true"}) || cc.Cmd == nil || len(cc.Cmd) != 0 ||
		!reflect.DeepEqual(cc.Env, []string{"A=1"}) {
		t.Errorf("config: %+v", cc)
	}
	if cc.Labels["role"] != "app" || cc.Labels[labelSandbox] != "pod1" || cc.Labels[host.LabelCRIPodNamespace] != "ns" || cc.Labels[host.LabelCRIPodName] != "web" || cc.Labels[labelAnnotations] != `{"a":"b"}` {
		t.Errorf("labels: %v", cc.Labels)
	}
	wantNS := map[string]string{"net": sb.NSDir + "/net", "uts": sb.NSDir + "/uts", "ipc": sb.NSDir + "/ipc"}
	if hc.NetworkMode != "none" || !reflect.DeepEqual(hc.NamespacePaths, wantNS) || hc.CgroupParent != "/kubepods/podu1" ||
		hc.CRILogPath != "/var/log/pods/ns_web_u1/app/1.log" || hc.Binds != nil ||
		!reflect.DeepEqual(hc.Mounts, []engine.Mount{{Type: "bind", Source: "/data", Target: "/d", ReadOnly: true, BindOptions: &engine.BindOptions{ReadOnlyNonRecursive: true}}}) ||
		!reflect.DeepEqual(hc.DNS, []string{"10.0.0.10"}) || !reflect.DeepEqual(hc.DNSSearch, []string{"ns.svc"}) ||
		!reflect.DeepEqual(hc.GroupAdd, []string{"10", "20"}) || !hc.ReadonlyRootfs || hc.Privileged ||
		!reflect.DeepEqual(hc.SecurityOpt, []string{"no-new-privileges", "seccomp=unconfined"}) || // no seccomp profile named: unconfined
		!reflect.DeepEqual(hc.CapAdd, []string{"NET_ADMIN"}) || !reflect.DeepEqual(hc.CapDrop, []string{"ALL"}) ||
		hc.Memory != 64<<20 || hc.CPUShares != 512 {
		t.Errorf("host config: %+v", hc)
	}

	// On the host's network the container takes the host's network and
	// UTS namespaces and joins only the pod's IPC namespace.
	host := &sandbox{ID: "pod2", NSDir: "/x", Namespaces: []string{"ipc"}, Config: &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "h", Namespace: "ns"},
		Linux: &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE}}}}}
	opts, err = createOptions(host, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Image: &runtimeapi.ImageSpec{Image: "busybox"}})
	if err != nil {
		t.Fatal(err)
	}
	if hc := opts.HostConfig; hc.NetworkMode != "host" || hc.UTSMode != engine.ModeHost || !reflect.DeepEqual(hc.NamespacePaths, map[string]string{"ipc": "/x/ipc"}) {
		t.Errorf("host network pod: %+v", hc)
	}

	for name, bad := range map[string]*runtimeapi.ContainerConfig{
		"no name":        {Image: &runtimeapi.ImageSpec{Image: "busybox"}},
		"relative mount": {Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Mounts: []*runtimeapi.Mount{{HostPath: "data", ContainerPath: "/d"}}},
		"group alone": {Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Linux: &runtimeapi.LinuxContainerConfig{
			SecurityContext: &runtimeapi.LinuxContainerSecurityContext{RunAsGroup: &runtimeapi.Int64Value{Value: 1}}}},
	} {
		if _, err := createOptions(sb, bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPullAuth(t *testing.T) {
	for _, tc := range []struct {
		auth       *runtimeapi.AuthConfig
		user, pass string
		ok         bool
	}{
		{nil, "", "", true},
		{&runtimeapi.AuthConfig{Username: "u", Password: "p"}, "u", "p", true},
		{&runtimeapi.AuthConfig{Auth: base64.StdEncoding.EncodeToString([]byte("u:p:q"))}, "u", "p:q", true},
		{&runtimeapi.AuthConfig{Auth: "!!"}, "", "", false},
		{&runtimeapi.AuthConfig{Auth: base64.StdEncoding.EncodeToString([]byte("nocolon"))}, "", "", false},
	} {
		user, pass, err := pullAuth(tc.auth)
		if (err == nil) != tc.ok || user != tc.user || pass != tc.pass {
			t.Errorf("%v: %q %q %v", tc.auth, user, pass, err)
		}
	}
}
