package main

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/internal/testenv"
)

// Debian's docker 20.10 CLI drives berth's containers through the API;
// berth's own CLI makes them and says what they are.

// dockerFails runs the docker CLI expecting a failure and returns its
// stderr.
func (a *apiEnv) dockerFails(args ...string) string {
	a.t.Helper()
	var stderr bytes.Buffer
	cmd := a.docker(args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		a.t.Fatalf("docker %v succeeded, want a failure", args)
	}
	return stderr.String()
}

// berthState is the container's state as berth's own inspect says it.
func (a *apiEnv) berthState(ref string) string {
	a.t.Helper()
	return strings.TrimSpace(a.must("inspect", "-f", "{{.State.Status}}", ref))
}

func runBusybox(a *apiEnv, args ...string) string {
	a.t.Helper()
	return strings.TrimSpace(a.must(append([]string{"run", "-d", "--pull", "never"}, args...)...))
}

func TestAPIContainersListInspect(t *testing.T) {
	a := newAPIEnv(t)
	web := runBusybox(a, "--name", "web", "--label", "tier=front", "busybox", "sleep", "300")
	a.must("create", "--pull", "never", "--name", "idle", "busybox", "true")

	if got := strings.Fields(a.dockerMust("ps", "-q", "--no-trunc")); !slices.Equal(got, []string{web}) {
		t.Errorf("docker ps -q = %v, want only web %s", got, web)
	}
	if got := strings.Fields(a.dockerMust("ps", "-a", "--format", "{{.Names}}")); !slices.Equal(got, []string{"idle", "web"}) {
		t.Errorf("docker ps -a names = %v, want idle, web (newest first)", got)
	}
	if got := strings.TrimSpace(a.dockerMust("ps", "-a", "--filter", "label=tier=front", "--format", "{{.Names}}")); got != "web" {
		t.Errorf("docker ps --filter label=tier=front = %q, want web", got)
	}
	if got := strings.TrimSpace(a.dockerMust("ps", "-a", "--filter", "status=created", "--format", "{{.Names}}")); got != "idle" {
		t.Errorf("docker ps --filter status=created = %q, want idle", got)
	}
	if got := strings.TrimSpace(a.dockerMust("ps", "-a", "--filter", "name=idle", "--format", "{{.Networks}}")); got != "bridge" {
		t.Errorf("docker ps Networks of a created container = %q, want bridge", got)
	}
	if got := strings.TrimSpace(a.dockerMust("ps", "-a", "-n", "1", "--format", "{{.Names}}")); got != "idle" {
		t.Errorf("docker ps -n 1 = %q, want the newest, idle", got)
	}

	var row map[string]string
	if err := json.Unmarshal([]byte(a.dockerMust("ps", "--format", "{{json .}}")), &row); err != nil {
		t.Fatalf("docker ps --format '{{json .}}': %v", err)
	}
	want := map[string]string{"ID": web[:12], "Image": "busybox", "Command": `"sleep 300"`, "Names": "web", "Labels": "tier=front", "State": "running", "Networks": "bridge"}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("docker ps {{json .}}[%s] = %q, want %q (row %v)", k, row[k], v, row)
		}
	}
	if !strings.HasPrefix(row["Status"], "Up ") {
		t.Errorf("docker ps Status = %q, want Up …", row["Status"])
	}
	if got := a.dockerMust("ps", "-s", "--format", "{{.Size}}"); !strings.Contains(got, "virtual") {
		t.Errorf("docker ps -s Size = %q, want docker's \"N (virtual M)\"", got)
	}

	var inspected []map[string]any
	if err := json.Unmarshal([]byte(a.dockerMust("inspect", "web")), &inspected); err != nil || len(inspected) != 1 {
		t.Fatalf("docker inspect web: %v (%d objects)", err, len(inspected))
	}
	var berths []map[string]any
	if err := json.Unmarshal([]byte(a.must("inspect", "web")), &berths); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"Id", "Name", "Image", "Path", "LogPath"} {
		if inspected[0][key] != berths[0][key] {
			t.Errorf("docker inspect %s = %v, berth inspect says %v", key, inspected[0][key], berths[0][key])
		}
	}
	dockerIP := a.dockerMust("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.State.Pid}} {{.Config.Labels.tier}}", "web")
	berthIP := a.must("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.State.Pid}} {{.Config.Labels.tier}}", "web")
	if dockerIP != berthIP || strings.HasPrefix(dockerIP, " ") {
		t.Errorf("docker inspect address, pid, label = %q, berth's = %q", dockerIP, berthIP)
	}
	if got := strings.TrimSpace(a.dockerMust("inspect", "-s", "-f", "{{.SizeRootFs}}", "web")); got == "" || got == "0" || got == "<nil>" {
		t.Errorf("docker inspect -s SizeRootFs = %q, want the root filesystem's size", got)
	}
	if msg := a.dockerFails("inspect", "--type", "container", "nothere"); !strings.Contains(msg, "No such container: nothere") {
		t.Errorf("docker inspect nothere: %q, want docker's No such container", msg)
	}
	if msg := a.dockerFails("ps", "--filter", "colour=red"); !strings.Contains(msg, "invalid filter 'colour'") {
		t.Errorf("docker ps --filter colour=red: %q, want invalid filter", msg)
	}
}

func TestAPIContainersLifecycle(t *testing.T) {
	a := newAPIEnv(t)
	id := runBusybox(a, "--name", "life", "busybox", "sleep", "300")

	a.dockerMust("pause", "life")
	if s := a.berthState(id); s != "paused" {
		t.Fatalf("after docker pause: state %s", s)
	}
	if msg := a.dockerFails("pause", "life"); !strings.Contains(msg, "paused") {
		t.Errorf("docker pause of a paused container: %q", msg)
	}
	a.dockerMust("unpause", "life")
	if s := a.berthState(id); s != "running" {
		t.Fatalf("after docker unpause: state %s", s)
	}

	pid := strings.TrimSpace(a.must("inspect", "-f", "{{.State.Pid}}", id))
	a.dockerMust("restart", "-t", "1", "life")
	if s := a.berthState(id); s != "running" {
		t.Fatalf("after docker restart: state %s", s)
	}
	if again := strings.TrimSpace(a.must("inspect", "-f", "{{.State.Pid}}", id)); again == pid {
		t.Errorf("docker restart kept PID %s", pid)
	}

	a.dockerMust("kill", "-s", "USR1", "life") // PID 1 without a handler: ignored
	if s := a.berthState(id); s != "running" {
		t.Fatalf("after docker kill -s USR1: state %s", s)
	}
	a.dockerMust("kill", "life")
	if s := a.berthState(id); s != "exited" {
		t.Fatalf("after docker kill: state %s", s)
	}
	if msg := a.dockerFails("kill", "life"); !strings.Contains(msg, "not running") {
		t.Errorf("docker kill of a stopped container: %q", msg)
	}

	a.must("start", id)
	a.dockerMust("stop", "-t", "1", "life")
	if s := a.berthState(id); s != "exited" {
		t.Fatalf("after docker stop: state %s", s)
	}
	if out := a.dockerMust("stop", "life"); strings.TrimSpace(out) != "life" {
		t.Errorf("docker stop of a stopped container: %q, want it named back", out)
	}

	a.dockerMust("rename", "life", "renamed")
	if got := strings.TrimSpace(a.must("inspect", "-f", "{{.Name}}", id)); got != "/renamed" {
		t.Errorf("after docker rename: berth says name %s", got)
	}
	other := runBusybox(a, "--name", "other", "busybox", "sleep", "300")
	if msg := a.dockerFails("rename", "renamed", "other"); !strings.Contains(msg, "already in use") {
		t.Errorf("docker rename onto a used name: %q", msg)
	}

	a.dockerMust("update", "--memory", "64m", "--memory-swap", "128m", "--restart", "on-failure:2", "other")
	if got := a.must("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", other); strings.TrimSpace(got) != "67108864 on-failure:2" {
		t.Errorf("after docker update: berth says %q", got)
	}
	if msg := a.dockerFails("update", "--blkio-weight", "300", "other"); !strings.Contains(msg, "BlkioWeight") {
		t.Errorf("docker update --blkio-weight: %q, want the refused setting named", msg)
	}

	top := a.dockerMust("top", "other")
	if !strings.Contains(top, "PID") || !strings.Contains(top, "sleep 300") {
		t.Errorf("docker top:\n%s", top)
	}
	if top := a.dockerMust("top", "other", "-o", "pid,comm"); !strings.Contains(top, "COMMAND") || !strings.Contains(top, "sleep") {
		t.Errorf("docker top -o pid,comm:\n%s", top)
	}

	a.must("exec", other, "sh", "-c", "echo x > /tmp/new && rm /bin/true")
	diff := a.dockerMust("diff", "other")
	for _, line := range []string{"C /tmp", "A /tmp/new", "D /bin/true"} {
		if !strings.Contains(diff, line+"\n") {
			t.Errorf("docker diff lacks %q:\n%s", line, diff)
		}
	}

	if msg := a.dockerFails("rm", "other"); !strings.Contains(msg, "running") {
		t.Errorf("docker rm of a running container: %q", msg)
	}
	a.dockerMust("rm", "-f", "other")
	if msg := a.dockerFails("rm", "other"); !strings.Contains(msg, "No such container: other") {
		t.Errorf("docker rm of a removed container: %q", msg)
	}

	vol := runBusybox(a, "--name", "withvol", "-v", "/data", "busybox", "true")
	volName := strings.TrimSpace(a.must("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", vol))
	a.must("wait", vol)
	a.dockerMust("rm", "-v", "withvol")
	if out, err := a.cmd("volume", "inspect", volName).CombinedOutput(); err == nil {
		t.Errorf("docker rm -v left the anonymous volume %s: %s", volName, out)
	}

	keep := runBusybox(a, "--name", "keep", "busybox", "sleep", "300")
	out := a.dockerMust("container", "prune", "-f")
	if !strings.Contains(out, id) || strings.Contains(out, keep) || !strings.Contains(out, "Total reclaimed space") {
		t.Errorf("docker container prune -f:\n%s\nwant renamed (%s) deleted and keep left", out, id)
	}
	if got := strings.Fields(a.must("ps", "-aq", "--no-trunc")); !slices.Equal(got, []string{keep}) {
		t.Errorf("after prune berth ps -a = %v, want only keep", got)
	}
}

func TestAPIContainersCopyExport(t *testing.T) {
	a := newAPIEnv(t)
	id := runBusybox(a, "--name", "files", "busybox", "sleep", "300")
	dir := t.TempDir()

	src := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(src, []byte("hello from the host\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	a.dockerMust("cp", src, "files:/tmp/")
	if got := a.must("exec", id, "cat", "/tmp/hello.txt"); got != "hello from the host\n" {
		t.Errorf("after docker cp into the container: %q", got)
	}
	if got := strings.TrimSpace(a.must("exec", id, "stat", "-c", "%a %u", "/tmp/hello.txt")); got != "640 0" {
		t.Errorf("copied file mode and owner = %q, want 640 0", got)
	}
	a.dockerMust("cp", "files:/tmp/hello.txt", filepath.Join(dir, "back.txt"))
	if got, err := os.ReadFile(filepath.Join(dir, "back.txt")); err != nil || string(got) != "hello from the host\n" {
		t.Errorf("docker cp out of the container: %q, %v", got, err)
	}

	tree := filepath.Join(dir, "tree")
	if err := os.MkdirAll(filepath.Join(tree, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "sub", "f"), []byte("deep"), 0o644); err != nil {
		t.Fatal(err)
	}
	a.dockerMust("cp", tree, "files:/tmp/tree")
	if got := a.must("exec", id, "cat", "/tmp/tree/sub/f"); got != "deep" {
		t.Errorf("after docker cp of a directory: %q", got)
	}
	a.must("exec", id, "sh", "-c", "mkdir -p /srv/out && echo made > /srv/out/inside")
	a.dockerMust("cp", "files:/srv/out", filepath.Join(dir, "out"))
	if got, err := os.ReadFile(filepath.Join(dir, "out", "inside")); err != nil || string(got) != "made\n" {
		t.Errorf("docker cp of a directory out: %q, %v", got, err)
	}

	// docker 20.10 words a 404 of the archive endpoint itself, as with dockerd.
	if msg := a.dockerFails("cp", "files:/no/such", dir); !strings.Contains(msg, "No such container:path: files:/no/such") {
		t.Errorf("docker cp of a missing path: %q", msg)
	}

	exported := filepath.Join(dir, "export.tar")
	a.dockerMust("export", "-o", exported, "files")
	names := tarNames(t, exported)
	for _, want := range []string{"bin/busybox", "tmp/hello.txt", "tmp/tree/sub/f"} {
		if !slices.Contains(names, want) {
			t.Errorf("docker export lacks %s (%d entries)", want, len(names))
		}
	}
}

// tarNames lists the entries of a tar file.
func tarNames(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		names = append(names, strings.TrimPrefix(hdr.Name, "./"))
	}
}

func TestAPISystemInfoDfEventsVersion(t *testing.T) {
	a := newAPIEnv(t)
	start := time.Now()
	id := runBusybox(a, "--name", "ev", "busybox", "sleep", "300")
	a.must("stop", "-t", "1", id)
	end := time.Now().Add(time.Second)

	info := a.dockerMust("info", "--format", "{{.Containers}} {{.ContainersStopped}} {{.Images}} {{.Driver}} {{.ServerVersion}} {{.OSType}}")
	berthInfo := a.must("info", "--format", "{{.Containers}} {{.ContainersStopped}} {{.Images}} {{.Driver}}")
	if !strings.HasPrefix(info, strings.TrimSpace(berthInfo)+" ") || !strings.HasSuffix(info, " linux\n") {
		t.Errorf("docker info = %q, berth info = %q", info, berthInfo)
	}
	if out := a.dockerMust("info"); !strings.Contains(out, "Server Version:") || strings.Contains(out, "ERROR") {
		t.Errorf("docker info:\n%s", out)
	}

	df := a.dockerMust("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}")
	for _, line := range []string{"Images 1 1", "Containers 1 0", "Local Volumes 0 0", "Build Cache 0 0"} {
		if !strings.Contains(df, line+"\n") {
			t.Errorf("docker system df lacks %q:\n%s", line, df)
		}
	}
	// docker 20.10 counts an image in use out of the reclaimable bytes by
	// its VirtualSize, which API 1.41 still has.
	if got := a.dockerMust("system", "df", "--format", "{{.Type}}: {{.Reclaimable}}"); !regexp.MustCompile(`(?m)^Images: .*\(0%\)$`).MatchString(got) {
		t.Errorf("docker system df: the image a container uses is reclaimable:\n%s", got)
	}
	if out := a.dockerMust("system", "df", "-v"); !strings.Contains(out, "ev") || !strings.Contains(out, "busybox") {
		t.Errorf("docker system df -v:\n%s", out)
	}

	since, until := strconv.FormatInt(start.Add(-time.Second).Unix(), 10), strconv.FormatInt(end.Unix(), 10)
	events := a.dockerMust("events", "--since", since, "--until", until, "--filter", "container=ev", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.ID}}")
	for _, want := range []string{"container create ev " + id, "container start ev " + id, "container stop ev " + id} {
		if !strings.Contains(events, want+"\n") {
			t.Errorf("docker events lacks %q:\n%s", want, events)
		}
	}
	if strings.Contains(events, "image ") {
		t.Errorf("docker events --filter container=ev shows other objects:\n%s", events)
	}

	// A follower sees what happens after it started, and ends at until.
	cmd := a.docker("events", "--filter", "event=start", "--format", "{{.Action}} {{.Actor.ID}}", "--until", strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10))
	var out testenv.LockedBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	waitFor(t, "the events stream to see a start", 15*time.Second, func() bool {
		a.must("start", id)
		a.must("stop", "-t", "1", id)
		return strings.Contains(out.String(), "start "+id)
	})

	version := a.dockerMust("version", "--format", "{{.Server.Version}} {{.Server.KernelVersion}} {{.Server.GoVersion}} {{range .Server.Components}}{{.Name}}:{{.Details.ApiVersion}}{{end}}")
	if f := strings.Fields(version); len(f) != 4 || f[1] == "" || !strings.HasPrefix(f[2], "go") || f[3] != "Engine:1.57" {
		t.Errorf("docker version = %q", version)
	}
}

func TestAPIContainersDockerPy(t *testing.T) {
	a := newAPIEnv(t)
	id := runBusybox(a, "--name", "py", "--label", "from=berth", "busybox", "sleep", "300")
	script := `
import json, docker
c = docker.DockerClient(base_url="` + a.host + `")
out = {"names": [x.name for x in c.containers.list(all=True)]}
x = c.containers.get("py")
out.update(id=x.id, status=x.status, labels=x.labels, image=x.attrs["Config"]["Image"],
    ip=x.attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"])
# docker-py 5 asks for the server's newest API when told no version (1.57
# here, without the top-level address, as dockerd 29); at 1.41 it is there.
old = docker.DockerClient(base_url="` + a.host + `", version="1.41")
out["legacy_ip"] = old.containers.get("py").attrs["NetworkSettings"]["IPAddress"]
out["filtered"] = [x.name for x in c.containers.list(filters={"label": "from=berth"})]
try:
    c.containers.get("nothere")
except docker.errors.NotFound as e:
    out["missing"] = str(e.explanation)
print(json.dumps(out))
`
	cmd := exec.Command(testenv.DebianPython(t), "-c", script)
	cmd.Env = a.clientEnv()
	raw, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker-py: %v\n%s", err, raw)
	}
	var got struct {
		Names, Filtered       []string
		ID, Status, Image, IP string
		Labels                map[string]string
		Missing               string
		LegacyIP              string `json:"legacy_ip"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("docker-py printed %s: %v", raw, err)
	}
	berthIP := strings.TrimSpace(a.must("inspect", "-f", "{{.NetworkSettings.IPAddress}}", id))
	if !slices.Equal(got.Names, []string{"py"}) || !slices.Equal(got.Filtered, []string{"py"}) || got.ID != id ||
		got.Status != "running" || got.Image != "busybox" || got.Labels["from"] != "berth" || got.IP != berthIP || got.IP == "" || got.LegacyIP != berthIP {
		t.Errorf("docker-py saw %+v; berth says id %s, address %s", got, id, berthIP)
	}
	if got.Missing != "No such container: nothere" {
		t.Errorf("docker-py's NotFound explanation = %q", got.Missing)
	}
}

// apiCall makes one raw request and returns its status, headers and body.
func (a *apiEnv) apiCall(method, path string, body io.Reader) (int, http.Header, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, "http://berth"+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	resp, err := a.HTTPClient().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read the body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, data
}

// What docker's clients see only as a message: the status codes, the
// headers and the shapes of each API version, over raw HTTP.
func TestAPIContainersHTTP(t *testing.T) {
	a := newAPIEnv(t)
	trap := runBusybox(a, "--name", "trap", "busybox", "sh", "-c", `trap "exit 3" USR1; sleep 300 & wait`)
	a.must("create", "--pull", "never", "--name", "plain", "busybox", "true")
	a.must("create", "--pull", "never", "--name", "kept", "--label", "keep=yes", "busybox", "true")

	expect := func(method, path string, body io.Reader, want int) []byte {
		t.Helper()
		code, _, data := a.apiCall(method, path, body)
		if code != want {
			t.Errorf("%s %s = %d %s, want %d", method, path, code, data, want)
		}
		return data
	}
	if got := expect("GET", "/v1.41/containers/nothere/json", nil, 404); !strings.Contains(string(got), `"message":"No such container: nothere"`) {
		t.Errorf("404 body = %s", got)
	}
	expect("POST", "/v1.41/containers/plain/stop", nil, 304)
	expect("POST", "/v1.41/containers/plain/pause", nil, 409)
	expect("DELETE", "/v1.41/containers/plain?link=1", nil, 400)
	expect("GET", "/v1.41/containers/json?filters="+url.QueryEscape(`{"status":{"bogus":true}}`), nil, 400)
	expect("GET", "/v1.41/containers/json?filters=notjson", nil, 400)
	if got := expect("POST", "/v1.41/containers/trap/update", strings.NewReader(`{"Memory":67108864}`), 200); strings.TrimSpace(string(got)) != `{"Warnings":[]}` {
		t.Errorf("update answered %s", got)
	}

	huge := `{"Memory":67108864,"Labels":"` + strings.Repeat("x", 2<<20) + `"}`
	expect("POST", "/v1.41/containers/trap/update", strings.NewReader(huge), 400)

	code, hdr, _ := a.apiCall("HEAD", "/v1.41/containers/trap/archive?path=/etc/passwd", nil)
	raw, err := base64.StdEncoding.DecodeString(hdr.Get("X-Docker-Container-Path-Stat"))
	var st struct {
		Name string      `json:"name"`
		Size int64       `json:"size"`
		Mode os.FileMode `json:"mode"`
	}
	if code != 200 || err != nil || json.Unmarshal(raw, &st) != nil || st.Name != "passwd" || st.Size != int64(len(testenv.Passwd)) || !st.Mode.IsRegular() {
		t.Errorf("HEAD archive /etc/passwd = %d, stat %s (%v) = %+v", code, raw, err, st)
	}
	expect("HEAD", "/v1.41/containers/trap/archive?path=/no/such", nil, 404)
	expect("HEAD", "/v1.41/containers/trap/archive", nil, 400)
	expect("PUT", "/v1.41/containers/trap/archive?path=/etc/passwd", bytes.NewReader(make([]byte, 1024)), 400)

	// stop's signal (API 1.42): the trap's exit code says USR1 came, not
	// the stop signal, which sh as PID 1 ignores.
	expect("POST", "/v1.42/containers/trap/stop?signal=USR1&t=60", nil, 204)
	if got := strings.TrimSpace(a.must("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", trap)); got != "exited 3" {
		t.Errorf("after stop with signal=USR1: %s, want exited 3", got)
	}

	old := expect("GET", "/v1.41/system/df", nil, 200)
	current := expect("GET", "/v1.57/system/df", nil, 200)
	if !strings.Contains(string(old), `"LayersSize"`) || strings.Contains(string(old), `"ContainerUsage"`) {
		t.Errorf("system df at 1.41 = %s, want the lists only", old)
	}
	if strings.Contains(string(current), `"LayersSize"`) || !strings.Contains(string(current), `"ContainerUsage":{"TotalCount":3}`) {
		t.Errorf("system df at 1.57 = %s, want the usage of each kind only", current)
	}
	until := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
	oldEvents := expect("GET", "/v1.41/events?since=0&until="+until+"&filters="+url.QueryEscape(`{"container":["trap"]}`), nil, 200)
	newEvents := expect("GET", "/v1.57/events?since=0&until="+until+"&filters="+url.QueryEscape(`{"container":["trap"]}`), nil, 200)
	if !strings.Contains(string(oldEvents), `"status":"start","id":"`+trap+`","from":"busybox"`) {
		t.Errorf("events at 1.41 lack status, id and from:\n%s", oldEvents)
	}
	if strings.Contains(string(newEvents), `"status"`) || !strings.Contains(string(newEvents), `"Action":"start"`) {
		t.Errorf("events at 1.57:\n%s", newEvents)
	}

	report := expect("POST", "/v1.41/containers/prune?filters="+url.QueryEscape(`{"label!":{"keep":true}}`), nil, 200)
	var pruned struct{ ContainersDeleted []string }
	if err := json.Unmarshal(report, &pruned); err != nil {
		t.Fatal(err)
	}
	if len(pruned.ContainersDeleted) != 2 || slices.Contains(pruned.ContainersDeleted, strings.TrimSpace(a.must("inspect", "-f", "{{.Id}}", "kept"))) {
		t.Errorf("prune label!=keep deleted %v, want plain and trap, not kept", pruned.ContainersDeleted)
	}
}
