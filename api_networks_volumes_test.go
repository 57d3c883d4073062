package main

import (
	"os/exec"
	"strings"
	"testing"

	"berth/internal/testenv"
)

// TestAPINetworks: docker network create/ls/inspect/connect/disconnect/rm
// and prune through berth's API.
func TestAPINetworks(t *testing.T) {
	a := newAPIEnv(t)
	id := strings.TrimSpace(a.dockerMust("network", "create", "--label", "team=a", "apinet"))
	if len(id) != 64 {
		t.Fatalf("docker network create printed %q, want an ID", id)
	}
	if out := a.dockerMust("network", "ls", "--format", "{{.Name}} {{.Driver}}"); !strings.Contains(out, "apinet bridge\n") || !strings.Contains(out, "bridge bridge\n") {
		t.Errorf("docker network ls:\n%s", out)
	}
	if got := a.dockerMust("network", "ls", "-q", "--filter", "label=team=a", "--no-trunc"); got != id+"\n" {
		t.Errorf("docker network ls --filter label = %q", got)
	}
	got := a.dockerMust("network", "inspect", "--format", "{{.Id}} {{.Labels.team}} {{(index .IPAM.Config 0).Subnet}}", "apinet")
	if f := strings.Fields(got); len(f) != 3 || f[0] != id || f[1] != "a" || !strings.Contains(f[2], "/") {
		t.Errorf("docker network inspect = %q", got)
	}
	if _, stderr, code := a.imageDocker("network", "inspect", "nosuchnet"); code == 0 || !strings.Contains(stderr, "nosuchnet") {
		t.Errorf("inspect of a missing network: exit %d, %q", code, stderr)
	}
	if _, stderr, code := a.imageDocker("network", "create", "apinet"); code == 0 || !strings.Contains(stderr, "apinet") {
		t.Errorf("create of an existing network: exit %d, %q", code, stderr)
	}

	a.must("run", "-d", "--name", "web", "busybox", "sleep", "600")
	a.dockerMust("network", "connect", "--alias", "www", "apinet", "web")
	if got := a.dockerMust("network", "inspect", "--format", "{{range .Containers}}{{.Name}}{{end}}", "apinet"); got != "web\n" {
		t.Errorf("containers of apinet after connect = %q", got)
	}
	if _, stderr, code := a.imageDocker("network", "rm", "apinet"); code == 0 || stderr == "" {
		t.Errorf("rm of a network in use: exit %d, %q", code, stderr)
	}
	a.dockerMust("network", "disconnect", "apinet", "web")
	if got := a.dockerMust("network", "inspect", "--format", "{{len .Containers}}", "apinet"); got != "0\n" {
		t.Errorf("containers of apinet after disconnect = %q", got)
	}
	a.dockerMust("network", "rm", "apinet")
	a.dockerMust("network", "create", "unused")
	if out := a.dockerMust("network", "prune", "-f"); !strings.Contains(out, "unused") {
		t.Errorf("docker network prune:\n%s", out)
	}
	if out := a.dockerMust("network", "ls", "--format", "{{.Name}}"); strings.Contains(out, "unused") || strings.Contains(out, "apinet") {
		t.Errorf("networks after rm and prune:\n%s", out)
	}
	a.dockerMust("network", "create", "--label", "keep=yes", "kept")
	a.dockerMust("network", "create", "gone")
	if out := a.dockerMust("network", "prune", "-f", "--filter", "label!=keep=yes"); !strings.Contains(out, "gone") || strings.Contains(out, "kept") {
		t.Errorf("docker network prune --filter label!=keep=yes:\n%s", out)
	}
	if out := a.dockerMust("network", "prune", "-f", "--filter", "until=1h"); strings.Contains(out, "kept") {
		t.Errorf("docker network prune --filter until=1h removed a network made just now:\n%s", out)
	}
	if out := a.dockerMust("network", "ls", "--format", "{{.Name}}"); !strings.Contains(out, "kept") || strings.Contains(out, "gone") {
		t.Errorf("networks after filtered prunes:\n%s", out)
	}
}

// TestAPINetworksCompose: docker-compose 1.29 makes its project network
// and, on the next run, finds it unchanged (its check of the network's
// options, IPAM, internal and IPv6 against the file's); and the same for
// a project volume.
func TestAPINetworksCompose(t *testing.T) {
	py := testenv.DebianPython(t)
	a := newAPIEnv(t)
	script := `
import docker
from compose.network import Network
c = docker.APIClient(version="1.41", base_url=docker.utils.kwargs_from_env()["base_url"])
Network(c, "proj", "default").ensure()
Network(c, "proj", "default").ensure()
Network(c, "proj", "custom", driver="bridge", driver_opts={"com.docker.network.bridge.name": "projcustom0"}, ipam={"driver": "default", "config": [{"subnet": "10.213.7.0/24"}]}).ensure()
Network(c, "proj", "custom", driver="bridge", driver_opts={"com.docker.network.bridge.name": "projcustom0"}, ipam={"driver": "default", "config": [{"subnet": "10.213.7.0/24"}]}).ensure()
print(sorted(n["Name"] for n in c.networks(names=["proj_default", "proj_custom"])))
c.remove_network("proj_default")
c.remove_network("proj_custom")
from compose.volume import Volume, check_remote_volume_config
v = Volume(c, "proj", "data", labels={"team": "a"})
if not v.exists():
    v.create()
check_remote_volume_config(Volume(c, "proj", "data").inspect(), Volume(c, "proj", "data", labels={"team": "a"}))
print(c.inspect_volume("proj_data")["Labels"]["com.docker.compose.project"])
c.remove_volume("proj_data")
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = a.clientEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker-compose's network code: %v\n%s", err, out)
	}
	if want := "['proj_custom', 'proj_default']\nproj\n"; string(out) != want {
		t.Errorf("docker-compose's networks:\n%s\nwant %s", out, want)
	}
}

// TestAPIVolumes: docker volume create/ls/inspect/rm/prune through
// berth's API, and docker-py's volumes.create/list.
func TestAPIVolumes(t *testing.T) {
	a := newAPIEnv(t)
	if got := a.dockerMust("volume", "create", "--label", "team=a", "data"); got != "data\n" {
		t.Errorf("docker volume create = %q", got)
	}
	a.dockerMust("volume", "create", "spare")
	if got := a.dockerMust("volume", "ls", "-q"); got != "data\nspare\n" {
		t.Errorf("docker volume ls -q = %q", got)
	}
	if got := a.dockerMust("volume", "ls", "-q", "--filter", "label=team=a"); got != "data\n" {
		t.Errorf("docker volume ls --filter label = %q", got)
	}
	if got := a.dockerMust("volume", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Labels.team}}", "data"); got != "data local a\n" {
		t.Errorf("docker volume inspect = %q", got)
	}
	if _, stderr, code := a.imageDocker("volume", "inspect", "nosuchvol"); code == 0 || !strings.Contains(stderr, "nosuchvol") {
		t.Errorf("inspect of a missing volume: exit %d, %q", code, stderr)
	}
	a.must("create", "--name", "user", "-v", "data:/data", "busybox", "true")
	if _, stderr, code := a.imageDocker("volume", "rm", "data"); code == 0 || stderr == "" {
		t.Errorf("rm of a volume in use: exit %d, %q", code, stderr)
	}
	if got := a.dockerMust("volume", "ls", "-q", "--filter", "dangling=true"); got != "spare\n" {
		t.Errorf("docker volume ls --filter dangling=true = %q", got)
	}
	// docker 20.10 (API 1.41) prunes every unused volume, named ones too.
	if out := a.dockerMust("volume", "prune", "-f"); !strings.Contains(out, "spare") || strings.Contains(out, "data") {
		t.Errorf("docker volume prune:\n%s", out)
	}
	a.must("rm", "user")
	a.dockerMust("volume", "rm", "data")
	if got := a.dockerMust("volume", "ls", "-q"); got != "" {
		t.Errorf("volumes left = %q", got)
	}

	py := testenv.DebianPython(t)
	script := `
import docker
c = docker.from_env(version="1.41")
v = c.volumes.create(name="pyvol", labels={"via": "py"})
print(v.name, v.attrs["Labels"]["via"])
print([x.name for x in c.volumes.list()])
c.volumes.get("pyvol").remove()
print([x.name for x in c.volumes.list()])
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = a.clientEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker-py: %v\n%s", err, out)
	}
	if want := "pyvol py\n['pyvol']\n[]\n"; string(out) != want {
		t.Errorf("docker-py volumes:\n%s\nwant:\n%s", out, want)
	}
}
