package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/internal/testenv"
)

// The fault tests of issue 10, point 1: one record that cannot be read
// (truncated by a crash, garbled by the disk) never breaks the others. Each
// test damages one kind of record of a real berth on temporary roots, then
// runs the commands a user would: the healthy objects must work as before,
// the damaged one must be listed and removable, and its removal must leave
// no process, cgroup, mount, directory, name or network endpoint.

// damage spoils the file at path the way how says: "truncate" cuts it in
// half, "empty" to nothing, "garble" overwrites bytes in its middle with
// control characters (which no JSON may hold, even inside a string).
func damage(t *testing.T, path, how string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch how {
	case "truncate":
		data = data[:len(data)/2]
	case "empty":
		data = nil
	case "garble":
		mid := len(data) / 2
		copy(data[mid:], "\x00\x01garbled\x02\xff")
	default:
		t.Fatalf("unknown damage %q", how)
	}
	// Write in place, as a failing disk would: not through a rename.
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// newFaultEnv is newBerthEnv that, at the end, also takes down the
// bridges its containers made (network prune after removing them all).
// Commands name --pull never: a test never reaches a registry, even when
// the code under test lost an image's tag.
func newFaultEnv(t *testing.T) *berthEnv {
	b := newBerthEnv(t)
	t.Cleanup(func() {
		if ids := strings.Fields(b.must("ps", "-aq", "--no-trunc")); len(ids) > 0 {
			b.must(append([]string{"rm", "-f"}, ids...)...)
		}
		b.must("network", "prune", "-f")
	})
	return b
}

// root is the environment's data root.
func (b *berthEnv) root() string { return b.envValue("BERTH_ROOT") }

// runRoot is the environment's run directory.
func (b *berthEnv) runRoot() string { return b.envValue("BERTH_RUN_ROOT") }

func (b *berthEnv) envValue(key string) string {
	// The last: os/exec gives a command the last of duplicate keys, and
	// the environment's own come after the caller's (a BERTH_ROOT the
	// caller exported must not be the one the test reads).
	for _, kv := range slices.Backward(b.env) {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	b.t.Fatalf("no %s in the environment", key)
	return ""
}

// try runs berth and returns its stdout, stderr and error.
func (b *berthEnv) try(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	cmd := b.cmd(args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// psStates maps each container's name (or ID, when it has none) to its
// ps State and Status, as `ps -a` shows them.
func (b *berthEnv) psStates() map[string][2]string {
	b.t.Helper()
	out := b.must("ps", "-a", "--no-trunc", "--format", "{{.ID}}|{{.Names}}|{{.State}}|{{.Status}}")
	states := map[string][2]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			continue
		}
		key := f[1]
		if key == "" {
			key = f[0]
		}
		states[key] = [2]string{f[2], f[3]}
	}
	return states
}

// traces is what a container leaves on the host while it exists.
type traces struct {
	id        string
	name      string
	processes map[int]string // PID → start time, of its PID 1 and its shim
	veth      string         // host end of its bridge endpoint; "" on none
}

// procStart is a process's start time (field 22 of /proc/<pid>/stat), ""
// when there is no such process or it is a zombie.
func procStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 20 || f[0] == "Z" {
		return ""
	}
	return f[19]
}

// tracesOf records a running container's processes and veth before its
// record is damaged.
func (b *berthEnv) tracesOf(name string) traces {
	b.t.Helper()
	f := strings.Fields(b.must("inspect", "--format", "{{.Id}} {{.State.Pid}}", name))
	tr := traces{id: f[0], name: name, processes: map[int]string{}}
	pid, _ := strconv.Atoi(f[1])
	if pid > 0 {
		tr.processes[pid] = procStart(pid)
		stat, _ := os.ReadFile("/proc/" + f[1] + "/stat")
		ppid, _ := strconv.Atoi(strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))[1])
		tr.processes[ppid] = procStart(ppid) // the shim
	}
	files, _ := filepath.Glob(filepath.Join(b.root(), "network", "networks", "*.json"))
	for _, file := range files {
		var rec struct {
			Endpoints map[string]struct {
				HostVeth string `json:"hostVeth"`
			} `json:"endpoints"`
		}
		data, _ := os.ReadFile(file)
		if json.Unmarshal(data, &rec) == nil {
			if ep, ok := rec.Endpoints[tr.id]; ok {
				tr.veth = ep.HostVeth
			}
		}
	}
	return tr
}

// withSettings is the environment with its settings file extended by
// the JSON members extra.
func (b *berthEnv) withSettings(t *testing.T, extra string) *berthEnv {
	t.Helper()
	settings, err := os.ReadFile(b.envValue("BERTH_CONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	body, ok := bytes.CutSuffix(bytes.TrimSpace(settings), []byte("}"))
	if !ok {
		t.Fatalf("settings %s: not a JSON object", settings)
	}
	file := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(file, append(append(body, ", "+extra...), '}'), 0o644); err != nil {
		t.Fatal(err)
	}
	other := *b
	other.env = append(slices.Clone(b.env), "BERTH_CONFIG="+file) // the last one counts
	return &other
}

// monitorLetGo reports whether process pid is a monitor (berth-shim)
// that, watching other containers, lives on but holds nothing of
// container id any more: no file under its directories, no child.
func monitorLetGo(pid int, id string) bool {
	argv, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !bytes.HasPrefix(argv, []byte("berth-shim\x00")) {
		return false
	}
	return waitUntil(10*time.Second, func() bool {
		fds, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/fd/*")
		for _, fd := range fds {
			if target, _ := os.Readlink(fd); strings.Contains(target, id) {
				return false
			}
		}
		return true
	})
}

// assertGone fails unless nothing of the container is left: no process,
// cgroup (under the test's own parent), mount, directory, name
// reservation, network endpoint or veth.
func (b *berthEnv) assertGone(t *testing.T, tr traces) {
	t.Helper()
	for pid, start := range tr.processes {
		if start != "" && !monitorLetGo(pid, tr.id) && !waitGone(pid, start) {
			t.Errorf("process %d of container %s still runs", pid, tr.name)
		}
	}
	for _, pattern := range []string{
		filepath.Join("/sys/fs/cgroup", "*", b.parent, tr.id),
		filepath.Join("/sys/fs/cgroup", b.parent, tr.id),
	} {
		if left, _ := filepath.Glob(pattern); len(left) > 0 {
			t.Errorf("cgroups of container %s left: %v", tr.name, left)
		}
	}
	if mounts, err := os.ReadFile("/proc/self/mountinfo"); err == nil && bytes.Contains(mounts, []byte(tr.id)) {
		t.Errorf("a mount of container %s is left", tr.name)
	}
	for _, dir := range []string{
		filepath.Join(b.root(), "containers", tr.id),
		filepath.Join(b.root(), "image", "containers", tr.id),
		filepath.Join(b.runRoot(), "containers", tr.id),
	} {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("directory %s of container %s left (%v)", dir, tr.name, err)
		}
	}
	names, _ := filepath.Glob(filepath.Join(b.root(), "names", "*"))
	for _, n := range names {
		if owner, _ := os.ReadFile(n); strings.TrimSpace(string(owner)) == tr.id {
			t.Errorf("name reservation %s of container %s left", filepath.Base(n), tr.name)
		}
	}
	nets, _ := filepath.Glob(filepath.Join(b.root(), "network", "networks", "*.json"))
	for _, n := range nets {
		if data, _ := os.ReadFile(n); bytes.Contains(data, []byte(tr.id)) {
			t.Errorf("network %s still holds an endpoint of container %s", filepath.Base(n), tr.name)
		}
	}
	if tr.veth != "" && !vethGone(tr.veth) {
		t.Errorf("veth %s of container %s left", tr.veth, tr.name)
	}
}

// assertHealthyWork checks that the healthy container still shows as
// running and that other containers can be run, removed with --rm and
// force-removed.
func (b *berthEnv) assertHealthyWork(t *testing.T, healthy string) {
	t.Helper()
	if st := b.psStates()[healthy]; st[0] != "running" {
		t.Errorf("ps -a shows %s as %q, want running", healthy, st)
	}
	if out := b.must("ps", "--format", "{{.Names}}"); !strings.Contains(out, healthy) {
		t.Errorf("ps lists %q, want %s in it", out, healthy)
	}
	if out, errOut, err := b.try("run", "--rm", "--pull", "never", "busybox", "echo", "still-works"); err != nil || strings.TrimSpace(out) != "still-works" {
		t.Errorf("run --rm of another container: %v, stdout %q, stderr %q", err, out, errOut)
	}
	if ids := b.must("ps", "-aq", "--filter", "ancestor=busybox", "--filter", "status=exited"); strings.TrimSpace(ids) != "" {
		t.Errorf("run --rm left containers behind: %q", ids)
	}
	b.must("run", "-d", "--pull", "never", "--name", "bystander", "busybox", "sleep", "1000")
	tr := b.tracesOf("bystander")
	if _, errOut, err := b.try("rm", "-f", "bystander"); err != nil {
		t.Errorf("rm -f of another container: %v: %s", err, errOut)
	}
	b.assertGone(t, tr)
}

// TestFaultContainerRecord damages the record of a running container in
// each way; ps, inspect, rm, prune and other containers must all work,
// and rm -f must take the dead container apart, killing its processes.
func TestFaultContainerRecord(t *testing.T) {
	b := newFaultEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "healthy", "busybox", "sleep", "1000")
	for _, how := range []string{"truncate", "garble", "empty", "other-id"} {
		t.Run(how, func(t *testing.T) {
			b.must("run", "-d", "--pull", "never", "--name", "victim", "busybox", "sleep", "1000")
			tr := b.tracesOf("victim")
			if len(tr.processes) != 2 || tr.veth == "" {
				t.Fatalf("victim runs as %v with veth %q, want a PID 1, a shim and a veth", tr.processes, tr.veth)
			}
			record := filepath.Join(b.root(), "containers", tr.id, "container.json")
			if how == "other-id" {
				// Valid JSON, but another container's record.
				hid := strings.TrimSpace(b.must("inspect", "--format", "{{.Id}}", "healthy"))
				data, err := os.ReadFile(filepath.Join(b.root(), "containers", hid, "container.json"))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(record, data, 0o600); err != nil {
					t.Fatal(err)
				}
			} else {
				damage(t, record, how)
			}

			// ps -a lists it as dead, by its name, beside the healthy one.
			st := b.psStates()["victim"]
			if st != [2]string{"dead", "Dead"} {
				t.Errorf("ps -a shows the damaged container as %q, want dead, Dead", st)
			}
			// inspect shows docker's dead state with the reason.
			var inspected []struct {
				ID    string `json:"Id"`
				State struct {
					Status string
					Dead   bool
					Error  string
				}
			}
			out := b.must("inspect", "victim")
			if err := json.Unmarshal([]byte(out), &inspected); err != nil || len(inspected) != 1 {
				t.Fatalf("inspect victim: %v: %s", err, out)
			}
			s := inspected[0].State
			if inspected[0].ID != tr.id || s.Status != "dead" || !s.Dead || !strings.Contains(s.Error, "container record cannot be read") {
				t.Errorf("inspect shows %s with state %+v, want %s dead with the reason", inspected[0].ID, s, tr.id)
			}
			b.assertHealthyWork(t, "healthy")

			// Processes still run in it: prune and rm without -f leave it.
			if _, errOut, err := b.try("container", "prune", "-f"); err != nil {
				t.Errorf("container prune: %v: %s", err, errOut)
			}
			if _, _, err := b.try("rm", "victim"); err == nil {
				t.Errorf("rm without -f removed a dead container whose processes still run")
			}
			if st := b.psStates()["victim"]; st[0] != "dead" {
				t.Errorf("after prune and rm, ps -a shows the damaged container as %q, want it still dead", st)
			}
			if _, errOut, err := b.try("rm", "-f", "victim"); err != nil {
				t.Fatalf("rm -f of the damaged container: %v: %s", err, errOut)
			}
			b.assertGone(t, tr)
			if _, ok := b.psStates()["victim"]; ok {
				t.Errorf("ps -a still lists the removed container")
			}
			// Its name is free again.
			b.must("create", "--pull", "never", "--name", "victim", "busybox", "true")
			b.must("rm", "victim")
		})
	}
	if st := b.psStates()["healthy"]; st[0] != "running" {
		t.Errorf("at the end, ps -a shows healthy as %q, want running", st)
	}
}

// TestFaultContainerRecordCustomCgroupParent empties the record of a
// container run with --cgroup-parent: nothing of the record says where
// its cgroup is, and rm -f must still find it (by the cgroup its
// processes are in) and kill them.
func TestFaultContainerRecordCustomCgroupParent(t *testing.T) {
	b := newFaultEnv(t)
	custom := b.parent + "/custom"
	t.Cleanup(func() {
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", custom))
		for _, d := range dirs {
			os.Remove(d)
		}
	})
	b.must("run", "-d", "--pull", "never", "--cgroup-parent", custom, "--name", "victim", "busybox", "sleep", "1000")
	tr := b.tracesOf("victim")
	damage(t, filepath.Join(b.root(), "containers", tr.id, "container.json"), "empty")
	if st := b.psStates()["victim"]; st[0] != "dead" {
		t.Errorf("ps -a shows the damaged container as %q, want dead", st)
	}
	if _, errOut, err := b.try("rm", "-f", "victim"); err != nil {
		t.Fatalf("rm -f: %v: %s", err, errOut)
	}
	b.assertGone(t, tr)
	if left, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", custom, tr.id)); len(left) > 0 {
		t.Errorf("cgroups under the custom parent left: %v", left)
	}
}

// TestFaultStoppedContainerRecord damages the record of an exited
// container: with nothing of it running, rm without -f and container
// prune remove it, as docker removes a dead container.
func TestFaultStoppedContainerRecord(t *testing.T) {
	b := newFaultEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "healthy", "busybox", "sleep", "1000")
	for _, remove := range []string{"rm", "prune"} {
		t.Run(remove, func(t *testing.T) {
			b.must("run", "--pull", "never", "--name", "victim", "busybox", "true")
			tr := b.tracesOf("victim")
			damage(t, filepath.Join(b.root(), "containers", tr.id, "container.json"), "garble")
			if st := b.psStates()["victim"]; st[0] != "dead" {
				t.Errorf("ps -a shows the damaged container as %q, want dead", st)
			}
			if remove == "rm" {
				b.must("rm", "victim")
			} else {
				out := b.must("container", "prune", "-f")
				if !strings.Contains(out, tr.id) {
					t.Errorf("container prune printed %q, want the dead container's ID", out)
				}
			}
			b.assertGone(t, tr)
			b.assertHealthyWork(t, "healthy")
		})
	}
}

// TestFaultNameReservation damages the file that reserves a running
// container's name: the name still finds the container, a new container
// cannot take it (and the reservation is repaired), rm -f by name frees
// it, and a damaged reservation no container has is taken over.
func TestFaultNameReservation(t *testing.T) {
	b := newFaultEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "healthy", "busybox", "sleep", "1000")
	reservation := filepath.Join(b.root(), "names", "victim")
	for _, how := range []string{"truncate", "garble", "empty"} {
		t.Run(how, func(t *testing.T) {
			b.must("run", "-d", "--pull", "never", "--name", "victim", "busybox", "sleep", "1000")
			tr := b.tracesOf("victim")
			damage(t, reservation, how)
			if id := strings.TrimSpace(b.must("inspect", "--format", "{{.Id}}", "victim")); id != tr.id {
				t.Errorf("inspect victim found %q, want %s", id, tr.id)
			}
			if st := b.psStates()["victim"]; st[0] != "running" {
				t.Errorf("ps -a shows victim as %q, want running", st)
			}
			if _, _, err := b.try("create", "--pull", "never", "--name", "victim", "busybox", "true"); err == nil {
				t.Errorf("create took the name of a running container whose reservation was damaged")
			}
			if owner, _ := os.ReadFile(reservation); string(owner) != tr.id {
				t.Errorf("after the refused create, the reservation holds %q, want it repaired to %s", owner, tr.id)
			}
			damage(t, reservation, how)
			if _, errOut, err := b.try("rm", "-f", "victim"); err != nil {
				t.Fatalf("rm -f victim: %v: %s", err, errOut)
			}
			b.assertGone(t, tr)
			if _, err := os.Stat(reservation); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the damaged reservation of the removed container is left (%v)", err)
			}
			b.assertHealthyWork(t, "healthy")
		})
	}
	t.Run("orphan", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(b.root(), "names", "orphan"), []byte("\x00garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		b.must("create", "--pull", "never", "--name", "orphan", "busybox", "true")
		b.must("rm", "orphan")
	})
}

// importImage imports a busybox variant (with one file of its own, so its
// own layer) as ref and returns its ID.
func (b *berthEnv) importImage(t *testing.T, ref string) string {
	t.Helper()
	tar := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(tar, testenv.BusyboxTarWith(t, map[string][]byte{"marker": []byte(ref)}), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("import", tar, ref)
	return strings.TrimPrefix(strings.TrimSpace(b.must("inspect", "--format", "{{.Id}}", ref)), "sha256:")
}

// imageManifest is the manifest digest an image record names.
func (b *berthEnv) imageManifest(t *testing.T, id string) string {
	t.Helper()
	var rec struct {
		Manifest struct{ Digest string } `json:"manifest"`
	}
	data, err := os.ReadFile(filepath.Join(b.root(), "image", "images", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(rec.Manifest.Digest, "sha256:")
}

// TestFaultImageRecord damages one image's record, config blob or
// manifest blob. images still lists the others, containers of other
// images run, stop and go, one created from the damaged image is removed,
// and rmi -f removes the damaged image.
func TestFaultImageRecord(t *testing.T) {
	b := newFaultEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "healthy", "busybox", "sleep", "1000")
	for _, tc := range []struct {
		name   string
		file   func(id string) string
		how    string
		listed bool // images still lists it (a manifest is not read to list)
	}{
		{"record-truncated", func(id string) string { return filepath.Join("images", id+".json") }, "truncate", false},
		{"record-garbled", func(id string) string { return filepath.Join("images", id+".json") }, "garble", false},
		{"config-truncated", func(id string) string { return filepath.Join("blobs", "sha256", id) }, "truncate", false},
		{"config-garbled", func(id string) string { return filepath.Join("blobs", "sha256", id) }, "garble", false},
		{"manifest-truncated", func(id string) string { return filepath.Join("blobs", "sha256", b.imageManifest(t, id)) }, "truncate", true},
		{"manifest-garbled", func(id string) string { return filepath.Join("blobs", "sha256", b.imageManifest(t, id)) }, "garble", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := b.storeFiles(t)
			id := b.importImage(t, "broken:1")
			b.must("create", "--pull", "never", "--name", "user", "broken:1", "true")
			user := b.tracesOf("user")
			damage(t, filepath.Join(b.root(), "image", tc.file(id)), tc.how)

			out, errOut, err := b.try("images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")
			if err != nil {
				t.Fatalf("images: %v: %s", err, errOut)
			}
			if !strings.Contains(out, "busybox:latest") {
				t.Errorf("images lists %q, want busybox:latest in it", out)
			}
			if got := strings.Contains(out, id); got != tc.listed {
				t.Errorf("images lists the damaged image: %v, want %v (stdout %q)", got, tc.listed, out)
			}
			if !tc.listed && !strings.Contains(errOut, "WARNING: image "+id[:12]) {
				t.Errorf("images warned %q, want a warning naming %s", errOut, id[:12])
			}
			b.assertHealthyWork(t, "healthy")

			if _, errOut, err := b.try("rm", "-f", "user"); err != nil {
				t.Errorf("rm -f of a container of the damaged image: %v: %s", err, errOut)
			}
			b.assertGone(t, user)
			if _, errOut, err := b.try("rmi", "-f", "broken:1"); err != nil {
				t.Errorf("rmi -f of the damaged image: %v: %s", err, errOut)
			}
			out, errOut = b.must("images", "-q", "--no-trunc"), ""
			if strings.Contains(out, id) {
				t.Errorf("after rmi -f, images still lists %s", id)
			}
			if _, errOut, _ = b.try("images"); errOut != "" {
				t.Errorf("after rmi -f, images warns %q", errOut)
			}
			// With the damage gone, garbage collection takes back every
			// blob and layer of the image.
			if after := b.storeFiles(t); after != before {
				t.Errorf("after rmi -f, the store holds\n%s\nwant as before the import\n%s", after, before)
			}
			b.assertHealthyWork(t, "healthy")
		})
	}
}

// storeFiles lists the image store's blobs and layers.
func (b *berthEnv) storeFiles(t *testing.T) string {
	t.Helper()
	var names []string
	for _, pattern := range []string{"blobs/sha256/*", "layers/*/*"} {
		found, err := filepath.Glob(filepath.Join(b.root(), "image", pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			rel, _ := filepath.Rel(filepath.Join(b.root(), "image"), f)
			names = append(names, rel)
		}
	}
	return strings.Join(names, "\n")
}

// TestFaultReferencesIndex damages repositories.json: the first command
// rebuilds it from the image records, says so once, and every tag is
// back.
func TestFaultReferencesIndex(t *testing.T) {
	b := newFaultEnv(t)
	b.importImage(t, "other:2")
	b.must("tag", "other:2", "other:3")
	b.must("run", "-d", "--pull", "never", "--name", "healthy", "busybox", "sleep", "1000")
	refs := filepath.Join(b.root(), "image", "repositories.json")
	for _, how := range []string{"truncate", "garble", "empty", "missing"} {
		t.Run(how, func(t *testing.T) {
			if how == "missing" {
				if err := os.Remove(refs); err != nil {
					t.Fatal(err)
				}
			} else {
				damage(t, refs, how)
			}
			out, errOut, err := b.try("images", "--format", "{{.Repository}}:{{.Tag}}")
			if err != nil {
				t.Fatalf("images: %v: %s", err, errOut)
			}
			for _, want := range []string{"busybox:latest", "other:2", "other:3"} {
				if !strings.Contains(out, want) {
					t.Errorf("images lists %q, want %s in it", out, want)
				}
			}
			if strings.Count(errOut, "WARNING") != 1 || !strings.Contains(errOut, "rebuilt 3 references") {
				t.Errorf("images warned %q, want one warning of the rebuild", errOut)
			}
			if _, errOut, _ := b.try("images"); errOut != "" {
				t.Errorf("the second images warns %q, want the index repaired", errOut)
			}
			var f struct{ Refs map[string]string }
			data, _ := os.ReadFile(refs)
			if err := json.Unmarshal(data, &f); err != nil || len(f.Refs) != 3 {
				t.Errorf("repositories.json after the rebuild: %v: %s", err, data)
			}
			b.assertHealthyWork(t, "healthy")
		})
	}
}

// waitGone polls until the process is gone, for the few milliseconds a
// killed process takes to be reaped.
func waitGone(pid int, start string) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if procStart(pid) != start || syscall.Kill(pid, 0) != nil {
			return true
		}
	}
	return false
}

// vethGone waits a few seconds for a host veth end to go: a stopped
// container's pair goes with its network namespace, which the kernel
// takes down a moment after its last process exits.
func vethGone(name string) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join("/sys/class/net", name)); errors.Is(err, os.ErrNotExist) {
			return true
		}
	}
	return false
}

// TestFaultSystemCheck damages one of each kind of thing system check
// knows and runs it: it reports each and fails; --repair removes what is
// neither a container nor in use; --repair --force the rest, after which
// nothing of them is left, the healthy container runs on, and a new check
// is clean.
func TestFaultSystemCheck(t *testing.T) {
	b := newFaultEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "healthy", "busybox", "sleep", "1000")
	b.must("run", "-d", "--pull", "never", "--name", "victim", "busybox", "sleep", "1000")
	victim := b.tracesOf("victim")
	damage(t, filepath.Join(b.root(), "containers", victim.id, "container.json"), "truncate")

	unused := b.importImage(t, "unused:1")
	damage(t, filepath.Join(b.root(), "image", "blobs", "sha256", b.imageManifest(t, unused)), "truncate")
	used := b.importImage(t, "used:1")
	b.must("create", "--pull", "never", "--name", "user", "used:1", "true")
	user := b.tracesOf("user")
	config := filepath.Join(b.root(), "image", "blobs", "sha256", used)
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	// A flipped byte: still JSON, but no longer the content its digest names.
	data[bytes.Index(data, []byte(`"os"`))+2] = 'S'
	if err := os.WriteFile(config, data, 0o600); err != nil {
		t.Fatal(err)
	}

	ghost := strings.Repeat("9f", 32)
	stale := filepath.Join(b.root(), "names", "ghost")
	if err := os.WriteFile(stale, []byte(ghost), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(b.root(), "image", "containers", strings.Repeat("7e", 32))
	if err := os.MkdirAll(filepath.Join(orphan, "diff"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(orphan, "rootfs.json"), []byte(`{"id":"x","layers":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	drivers, _ := filepath.Glob(filepath.Join(b.root(), "image", "layers", "*"))
	halfLayer := filepath.Join(drivers[0], strings.Repeat("5d", 32))
	if err := os.Mkdir(halfLayer, 0o700); err != nil {
		t.Fatal(err)
	}

	check := func(args ...string) (string, int) {
		t.Helper()
		out, errOut, err := b.try(append([]string{"system", "check"}, args...)...)
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		t.Logf("system check %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		return out, code
	}
	out, code := check()
	for _, want := range []string{
		"Damaged container " + victim.id + ": read container",
		"Damaged image " + unused + ": manifest",
		"Damaged image " + used + ": config blob sha256:" + used + " does not match its digest",
		"Damaged name ghost: names container " + ghost + ", which does not exist",
		"Damaged container layer " + filepath.Base(orphan) + ": no container has it",
		"Damaged layer " + filepath.Base(drivers[0]) + "/" + filepath.Base(halfLayer) + ": no diff directory",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("system check output lacks %q", want)
		}
	}
	if code != 1 || strings.Contains(out, "Repaired") {
		t.Errorf("system check without --repair: exit %d, repaired: %v; want exit 1 and nothing repaired", code, strings.Contains(out, "Repaired"))
	}

	out, code = check("--repair")
	for _, want := range []string{
		"Left damaged container " + victim.id,
		"Left damaged image " + used + ": used by container " + user.id[:12],
		"Repaired damaged image " + unused + ": removed",
		"Repaired damaged name ghost",
		"Repaired damaged container layer " + filepath.Base(orphan),
		"Repaired damaged layer",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("system check --repair output lacks %q", want)
		}
	}
	if code != 1 {
		t.Errorf("system check --repair with damage left: exit %d, want 1", code)
	}
	for _, p := range []string{stale, orphan, halfLayer} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left after --repair (%v)", p, err)
		}
	}

	if out, code = check("--repair", "--force"); code != 0 {
		t.Errorf("system check --repair --force: exit %d, want 0", code)
	}
	b.assertGone(t, victim)
	b.assertGone(t, user)
	if imgs := b.must("images", "--format", "{{.Repository}}"); strings.TrimSpace(imgs) != "busybox" {
		t.Errorf("after the repair, images lists %q, want busybox only", imgs)
	}
	if out, code = check(); code != 0 || out != "" {
		t.Errorf("system check after the repair: exit %d, output %q; want 0 and nothing", code, out)
	}
	b.assertHealthyWork(t, "healthy")
}

// TestFaultSystemCheckLostContainer loses a running container's directory
// (its shim and process killed, its record gone) and runs system check:
// the name, network endpoint, writable layer and cgroup it left are each
// reported, and --repair removes them all.
func TestFaultSystemCheckLostContainer(t *testing.T) {
	b := newFaultEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "healthy", "busybox", "sleep", "1000")
	// lost has a monitor of its own, which the test kills.
	if out, err := b.withSettings(t, `"containers-per-monitor": 1`).berth("run", "-d", "--pull", "never", "--name", "lost", "busybox", "sleep", "1000").CombinedOutput(); err != nil {
		t.Fatalf("run lost: %v: %s", err, out)
	}
	tr := b.tracesOf("lost")
	for pid, start := range tr.processes { // the shim and PID 1, which this test started
		if procStart(pid) == start {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for pid, start := range tr.processes {
		if !waitGone(pid, start) {
			t.Fatalf("process %d did not die", pid)
		}
	}
	for _, dir := range []string{filepath.Join(b.root(), "containers", tr.id), filepath.Join(b.runRoot(), "containers", tr.id)} {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(filepath.Join(b.root(), "names", "lost"), old, old); err != nil {
		t.Fatal(err)
	}

	out, errOut, err := b.try("system", "check")
	if err == nil {
		t.Errorf("system check found no damage: %s", out)
	}
	for _, want := range []string{
		"Damaged name lost: names container " + tr.id + ", which does not exist",
		"Damaged network bridge: an endpoint of container " + tr.id,
		"Damaged container layer " + tr.id + ": no container has it",
		"Damaged cgroup " + b.parent + "/" + tr.id + ": the cgroup of container " + tr.id,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("system check output lacks %q:\n%s%s", want, out, errOut)
		}
	}
	if out, errOut, err := b.try("system", "check", "--repair"); err != nil {
		t.Errorf("system check --repair: %v:\n%s%s", err, out, errOut)
	}
	b.assertGone(t, tr)
	if out, errOut, err := b.try("system", "check"); err != nil || out != "" {
		t.Errorf("system check after the repair: %v:\n%s%s", err, out, errOut)
	}
	b.assertHealthyWork(t, "healthy")
}
