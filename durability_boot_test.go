package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/engine/network"
)

// The fault tests of issue 10, point 4: restart policies survive a dead
// shim and a reboot. A shim is killed with SIGKILL by its PID (the parent
// of the container's PID 1, or the record's shim while it waits out a
// back-off); a reboot is simulated by killing every shim and container
// process of the test's root, unmounting what is mounted under its
// directories and emptying its run root, as a reboot empties /run.

// newBootEnv is newFaultEnv on a subnet that no interface of the host
// is on when it starts: the default one (chosen by PID) can meet another
// test process's of the same PID modulo ten.
func newBootEnv(t *testing.T) *berthEnv {
	b := newFaultEnv(t)
	cfgPath := b.envValue("BERTH_CONFIG")
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	used := func(p netip.Prefix) bool {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if q, err := netip.ParsePrefix(n.String()); err == nil && q.Overlaps(p) {
					return true
				}
			}
		}
		return false
	}
	for i := range 2500 {
		n := (os.Getpid()*7 + int(time.Now().UnixNano()%1000) + i) % 2500
		p := netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", 200+n/250, n%250))
		if !used(p) {
			cfg["bip"] = fmt.Sprintf("10.%d.%d.1/24", 200+n/250, n%250)
			break
		}
	}
	data, err = json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// containerState is what inspect says of a container's run.
type containerState struct {
	Status       string
	Pid          int
	ExitCode     int
	RestartCount int
	Error        string
}

func (b *berthEnv) state(name string) containerState {
	b.t.Helper()
	out := b.must("inspect", "--format", "{{json .State}}|{{.RestartCount}}", name)
	st, count, _ := strings.Cut(strings.TrimSpace(out), "|")
	var s containerState
	if err := json.Unmarshal([]byte(st), &s); err != nil {
		b.t.Fatalf("inspect %s: %v: %s", name, err, out)
	}
	s.RestartCount, _ = strconv.Atoi(count)
	return s
}

// parentPID is the PPID of pid, from /proc/<pid>/stat.
func parentPID(t *testing.T, pid int) int {
	t.Helper()
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	ppid, _ := strconv.Atoi(strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))[1])
	return ppid
}

// killShim kills the shim PID with SIGKILL after checking it is a shim,
// and waits until it is gone.
func killShim(t *testing.T, pid int) {
	t.Helper()
	argv, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !bytes.HasPrefix(argv, []byte("berth-shim\x00")) {
		t.Fatalf("process %d is not a shim (%q, %v)", pid, argv, err)
	}
	killPID(t, pid)
}

func killPID(t *testing.T, pid int) {
	t.Helper()
	start := procStart(pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill %d: %v", pid, err)
	}
	if !waitGone(pid, start) {
		t.Fatalf("process %d outlived SIGKILL", pid)
	}
}

// killRunningShim kills the shim of a running container: the parent of
// its PID 1. It returns the PID 1.
func (b *berthEnv) killRunningShim(t *testing.T, name string) int {
	t.Helper()
	pid := b.state(name).Pid
	if pid <= 0 {
		t.Fatalf("%s has no PID 1", name)
	}
	killShim(t, parentPID(t, pid))
	return pid
}

// killRunningShims kills the shims of running containers, each once
// however many of them it watches, and returns each one's PID 1.
func (b *berthEnv) killRunningShims(t *testing.T, names ...string) map[string]int {
	t.Helper()
	pids := map[string]int{}
	shims := map[int]bool{}
	for _, name := range names {
		pid := b.state(name).Pid
		if pid <= 0 {
			t.Fatalf("%s has no PID 1", name)
		}
		pids[name] = pid
		shims[parentPID(t, pid)] = true
	}
	for shim := range shims {
		killShim(t, shim)
	}
	return pids
}

// recordField reads one field of a container's record, as the engine
// wrote it.
func (b *berthEnv) recordField(t *testing.T, id, field string) float64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.root(), "containers", id, "container.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	v, _ := rec[field].(float64)
	return v
}

// eventsOf lists a container's events since a time, as "action reason
// exitCode" lines.
func (b *berthEnv) eventsOf(name string, since time.Time) []string {
	b.t.Helper()
	// --until must be past, or events follows until a later event.
	until := time.Now().Add(time.Second)
	time.Sleep(time.Until(until) + 100*time.Millisecond)
	out := b.must("events", "--since", strconv.FormatInt(since.Unix(), 10), "--until", strconv.FormatInt(until.Unix(), 10),
		"--filter", "container="+name, "--format", `{{.Action}} {{index .Actor.Attributes "reason"}} {{index .Actor.Attributes "exitCode"}}`)
	var evs []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		evs = append(evs, strings.Join(strings.Fields(line), " "))
	}
	return evs
}

// waitUntil polls cond for up to d.
func waitUntil(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestShimDeathRestartPolicy kills the shims of running containers: the
// next ps restarts "always" and "on-failure" (while it has retries) with
// a new PID 1, leaves "no" exited with 255, removes a --rm one, and the
// timeline says why.
func TestShimDeathRestartPolicy(t *testing.T) {
	b := newBootEnv(t)
	since := time.Now().Add(-time.Second)
	policies := map[string]string{"always": "always", "onfail": "on-failure:2", "never": "no"}
	for name, policy := range policies {
		b.must("run", "-d", "--pull", "never", "--name", name, "--restart", policy, "busybox", "sleep", "1000")
	}
	b.must("run", "-d", "--pull", "never", "--name", "tmp", "--rm", "busybox", "sleep", "1000")
	neverTraces, tmpTraces := b.tracesOf("never"), b.tracesOf("tmp")
	// One monitor watches all four: its death is each one's shim's.
	old := b.killRunningShims(t, "always", "onfail", "never", "tmp")
	// The next command notices, and applies the policies.
	states := b.psStates()
	for _, name := range []string{"always", "onfail"} {
		if states[name][0] != "running" {
			t.Errorf("after its shim died, ps shows %s as %q, want running", name, states[name])
		}
		st := b.state(name)
		if st.Pid == old[name] || st.Pid <= 0 || st.RestartCount != 1 {
			t.Errorf("%s runs as PID %d with restart count %d, want a new PID 1 (not %d) and count 1", name, st.Pid, st.RestartCount, old[name])
		}
		if !waitGone(old[name], "") && procStart(old[name]) != "" {
			t.Errorf("the old PID 1 %d of %s still runs", old[name], name)
		}
	}
	if st := states["never"]; st[0] != "exited" || !strings.HasPrefix(st[1], "Exited (255)") {
		t.Errorf("ps shows never as %q, want exited (255)", st)
	}
	if st := b.state("never"); st.Error != "shim died" {
		t.Errorf("never's state error is %q, want \"shim died\"", st.Error)
	}
	// What the dead shim left of "never" is gone: its processes, cgroup,
	// endpoint and veth; the --rm container is removed, as its shim would
	// have.
	b.assertReleased(t, neverTraces)
	if _, ok := states["tmp"]; ok {
		t.Errorf("ps lists the --rm container whose shim died: %q", states["tmp"])
	}
	b.assertGone(t, tmpTraces)

	evs := b.eventsOf("always", since)
	want := []string{"die shim died 255", "restart shim died", "start shim died"}
	if i := slices.Index(evs, want[0]); i < 0 || !slices.Equal(evs[i:min(i+3, len(evs))], want) {
		t.Errorf("events of always: %q, want %q in them", evs, want)
	}

	// on-failure:2: a second death is restarted, the third is not.
	b.killRunningShim(t, "onfail")
	if st := b.state("onfail"); st.Status != "running" || st.RestartCount != 2 {
		t.Errorf("after a second shim death, onfail is %s with count %d, want running with 2", st.Status, st.RestartCount)
	}
	b.killRunningShim(t, "onfail")
	if st := b.state("onfail"); st.Status != "exited" || st.ExitCode != 255 {
		t.Errorf("after its retries, onfail is %s (%d), want exited (255)", st.Status, st.ExitCode)
	}
	// Commands other than ps notice too: inspect.
	pid := b.killRunningShim(t, "always")
	if st := b.state("always"); st.Status != "running" || st.Pid == pid {
		t.Errorf("after inspect noticed the dead shim, always is %s as PID %d (old %d)", st.Status, st.Pid, pid)
	}
}

// assertReleased fails unless a stopped container holds nothing on the
// host: no process, cgroup, run directory, network endpoint or veth.
func (b *berthEnv) assertReleased(t *testing.T, tr traces) {
	t.Helper()
	for pid, start := range tr.processes {
		if start != "" && !monitorLetGo(pid, tr.id) && !waitGone(pid, start) {
			t.Errorf("process %d of %s still runs", pid, tr.name)
		}
	}
	if left, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", b.parent, tr.id)); len(left) > 0 {
		t.Errorf("cgroups of %s left: %v", tr.name, left)
	}
	if left, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", b.parent, tr.id)); len(left) > 0 {
		t.Errorf("cgroup of %s left: %v", tr.name, left)
	}
	if _, err := os.Stat(filepath.Join(b.runRoot(), "containers", tr.id)); err == nil {
		t.Errorf("run directory of %s left", tr.name)
	}
	nets, _ := filepath.Glob(filepath.Join(b.root(), "network", "networks", "*.json"))
	for _, n := range nets {
		if data, _ := os.ReadFile(n); bytes.Contains(data, []byte(tr.id)) {
			t.Errorf("network %s still holds an endpoint of %s", filepath.Base(n), tr.name)
		}
	}
	if tr.veth != "" && !vethGone(tr.veth) {
		t.Errorf("veth %s of %s left", tr.veth, tr.name)
	}
}

// TestShimDeathDuringBackoff kills the shim of a container that keeps
// failing while it waits out its back-off: the container goes on
// restarting, and its back-off goes on doubling rather than start over.
func TestShimDeathDuringBackoff(t *testing.T) {
	b := newBootEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "loop", "--restart", "always", "busybox", "sh", "-c", "exit 3")
	id := strings.TrimSpace(b.must("inspect", "--format", "{{.Id}}", "loop"))
	var count int
	if !waitUntil(20*time.Second, func() bool {
		st := b.state("loop")
		count = st.RestartCount
		return st.Status == "restarting" && count >= 4
	}) {
		t.Fatalf("loop never reached its fourth restart: %+v", b.state("loop"))
	}
	delay := b.recordField(t, id, "BerthRestartDelay")
	shim := int(b.recordField(t, id, "BerthShimPid"))
	if delay < float64(800*time.Millisecond) || shim <= 0 {
		t.Fatalf("after %d restarts, back-off %v and shim %d", count, time.Duration(delay), shim)
	}
	since := time.Now().Add(-time.Second)
	killShim(t, shim)
	b.psStates() // notices
	if !waitUntil(15*time.Second, func() bool { return b.state("loop").RestartCount >= count+2 }) {
		t.Fatalf("after its shim died in a back-off, loop stopped restarting: %+v", b.state("loop"))
	}
	if d := b.recordField(t, id, "BerthRestartDelay"); d < 2*delay {
		t.Errorf("back-off after the shim's death is %v, want it to go on doubling from %v", time.Duration(d), time.Duration(delay))
	}
	if evs := b.eventsOf("loop", since); !slices.Contains(evs, "restart shim died") {
		t.Errorf("events of loop: %q, want a restart for the shim's death", evs)
	}
	if newShim := int(b.recordField(t, id, "BerthShimPid")); newShim == shim || newShim <= 0 {
		t.Errorf("loop's shim is %d, want a new one (not %d)", newShim, shim)
	}
}

// simulateReboot kills every shim and container process of the
// environment by PID (shims first, so none records an exit), unmounts
// what is mounted under its directories and empties its run root.
func (b *berthEnv) simulateReboot(t *testing.T) {
	t.Helper()
	ids := strings.Fields(b.must("ps", "-q", "--no-trunc"))
	type victim struct{ pid1, shim int }
	var victims []victim
	for _, id := range ids {
		pid := b.state(id).Pid
		if pid > 0 {
			victims = append(victims, victim{pid, parentPID(t, pid)})
		}
	}
	killed := map[int]bool{} // a monitor watches many
	for _, v := range victims {
		if !killed[v.shim] {
			killed[v.shim] = true
			killShim(t, v.shim)
		}
	}
	for _, v := range victims {
		killPID(t, v.pid1)
	}
	dir := filepath.Dir(b.root())
	mounts, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var under []string
	sc := bufio.NewScanner(mounts)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			under = append(under, f[4])
		}
	}
	mounts.Close()
	slices.SortFunc(under, func(a, b string) int { return len(b) - len(a) })
	for _, m := range under {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", m, err)
		}
	}
	// The bridge goes with the machine; the first container to start
	// makes it again.
	bridge, _ := network.RootNames(b.root(), false)
	if out, err := exec.Command("ip", "link", "del", bridge).CombinedOutput(); err != nil {
		t.Errorf("remove bridge %s: %v: %s", bridge, err, out)
	}
	ents, err := os.ReadDir(b.runRoot())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(b.runRoot(), e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBootAfterReboot simulates a reboot, then runs berth system boot:
// each policy is applied as dockerd applies it when it starts, ps is
// right, and nothing of the old runs is left.
func TestBootAfterReboot(t *testing.T) {
	b := newBootEnv(t)
	run := func(name string, args ...string) {
		b.must(append([]string{"run", "-d", "--pull", "never", "--name", name}, append(args, "busybox", "sleep", "1000")...)...)
	}
	run("always", "--restart", "always")
	run("always-stopped", "--restart", "always")
	run("unless", "--restart", "unless-stopped")
	run("unless-stopped", "--restart", "unless-stopped")
	run("onfail", "--restart", "on-failure:3")
	run("never")
	run("tmp", "--rm")
	b.must("create", "--pull", "never", "--name", "fresh", "--restart", "always", "busybox", "sleep", "1000")
	b.must("stop", "-t", "0", "always-stopped", "unless-stopped")
	before := map[string]traces{}
	for _, name := range []string{"always", "unless", "onfail", "never", "tmp"} {
		before[name] = b.tracesOf(name)
		if before[name].veth == "" {
			t.Fatalf("%s has no veth", name)
		}
	}
	// A container started again gets a veth of the same name: the old
	// one is told apart by its interface index.
	ifindex := func(veth string) string {
		data, _ := os.ReadFile(filepath.Join("/sys/class/net", veth, "ifindex"))
		return strings.TrimSpace(string(data))
	}
	oldIndex := map[string]string{}
	for name, tr := range before {
		oldIndex[name] = ifindex(tr.veth)
	}
	since := time.Now().Add(-time.Second)

	b.simulateReboot(t)
	out, errOut, err := b.try("system", "boot")
	if err != nil {
		t.Fatalf("system boot: %v: %s", err, errOut)
	}
	for _, want := range []string{"Started always\n", "Started always-stopped\n", "Started unless\n", "Started onfail\n", "Removed tmp\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("system boot printed %q, want %q in it", out, want)
		}
	}
	for _, not := range []string{"never", "unless-stopped", "fresh"} {
		if strings.Contains(out, " "+not+"\n") {
			t.Errorf("system boot printed %q, which names %s", out, not)
		}
	}

	states := b.psStates()
	want := map[string]string{"always": "running", "always-stopped": "running", "unless": "running", "onfail": "running",
		"unless-stopped": "exited", "never": "exited", "fresh": "created"}
	for name, w := range want {
		if states[name][0] != w {
			t.Errorf("after boot, ps shows %s as %q, want %s", name, states[name], w)
		}
	}
	if _, ok := states["tmp"]; ok {
		t.Errorf("after boot, the --rm container is still listed")
	}
	if st := states["never"][1]; !strings.HasPrefix(st, "Exited (255)") {
		t.Errorf("after boot, never is %q, want Exited (255)", st)
	}
	for _, name := range []string{"always", "unless", "onfail"} {
		pid := b.state(name).Pid
		if _, old := before[name].processes[pid]; old || pid <= 0 {
			t.Errorf("after boot, %s runs as PID %d, want a new PID 1", name, pid)
		}
	}
	// Nothing of the old runs is left: processes, cgroups, endpoints and
	// veths of the containers that stay down; the --rm one entirely.
	b.assertReleased(t, before["never"])
	b.assertGone(t, before["tmp"])
	for _, name := range []string{"always", "unless", "onfail"} {
		tr := before[name]
		for pid, start := range tr.processes {
			if start != "" && procStart(pid) == start {
				t.Errorf("old process %d of %s still runs", pid, name)
			}
		}
		if ifindex(tr.veth) == oldIndex[name] {
			t.Errorf("old veth %s (index %s) of %s left", tr.veth, oldIndex[name], name)
		}
	}
	if evs := b.eventsOf("always", since); !slices.Contains(evs, "die shim died 255") || !slices.Contains(evs, "start boot") {
		t.Errorf("events of always: %q, want its death and its start by boot", evs)
	}
	bridge, _ := network.RootNames(b.root(), false)
	if _, err := os.Stat(filepath.Join("/sys/class/net", bridge)); err != nil {
		t.Errorf("after boot, bridge %s is missing: %v", bridge, err)
	}
	if ip := strings.TrimSpace(b.must("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "always")); ip == "" {
		t.Errorf("after boot, always has no IP address")
	}
	// The containers work: exec in one, stop and start another.
	if out := b.must("exec", "always", "echo", "alive"); strings.TrimSpace(out) != "alive" {
		t.Errorf("exec after boot printed %q", out)
	}
	b.must("stop", "-t", "0", "unless")
	b.must("start", "unless")

	// A second boot finds nothing to do and leaves running containers be.
	pids := map[string]int{}
	for _, name := range []string{"always", "unless", "onfail"} {
		pids[name] = b.state(name).Pid
	}
	if out := b.must("system", "boot"); strings.TrimSpace(out) != "" {
		t.Errorf("a second system boot printed %q, want nothing", out)
	}
	for name, pid := range pids {
		if st := b.state(name); st.Status != "running" || st.Pid != pid {
			t.Errorf("a second boot touched %s: %s as PID %d, was %d", name, st.Status, st.Pid, pid)
		}
	}
}

// TestMakeInstall installs into a staging directory (DESTDIR): the binary
// and the unit, whose ExecStart names the binary where PREFIX puts it.
func TestMakeInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	dest := t.TempDir()
	cmd := exec.Command("make", "install", "DESTDIR="+dest, "PREFIX=/opt/berth", "BIN="+filepath.Join(dest, "built"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v: %s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(dest, "opt/berth/bin/berth")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("installed binary: %v, %v", fi, err)
	}
	unit, err := os.ReadFile(filepath.Join(dest, "opt/berth/lib/systemd/system/berth-boot.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nExecStart=/opt/berth/bin/berth system boot\n", "\nType=oneshot\n", "\nAfter=network-online.target\n"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("installed unit lacks %q:\n%s", want, unit)
		}
	}
}
