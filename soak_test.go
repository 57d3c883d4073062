package main

// The soak (`make soak`, not part of `make test`): SOAK_CYCLES run, stop
// and rm cycles of the real berth binary on a data root of its own, with
// random kill -9s (of the CLI in the middle of a command, of the shim, of
// the container's PID 1; always by PID). A command that was killed is
// retried as a user would (`rm -f`); after the last cycle, everything
// berth made for the soak must be gone. The leaks found are printed, and
// any leak fails the test.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/nftables"

	"berth/engine/network"
	"berth/internal/testenv"
)

// soakKill is what a cycle kills, by PID, with SIGKILL.
type soakKill int

const (
	killNothing  soakKill = iota
	killRunCLI            // `run -d` in the middle of its work
	killTheShim           // the running container's shim
	killPID1              // the container's PID 1
	killStopCLI           // `stop` in the middle of its work
	killRmCLI             // `rm -f` of a running container in the middle of its work
	killRunRmCLI          // `run --rm` in the foreground in the middle of its work
	soakKinds
)

func (k soakKill) String() string {
	return [...]string{"nothing", "run -d CLI", "shim", "PID 1", "stop CLI", "rm -f CLI", "run --rm CLI"}[k]
}

func TestSoak(t *testing.T) {
	if os.Getenv("BERTH_SOAK") != "1" {
		t.Skip("the soak runs with BERTH_SOAK=1 (make soak)")
	}
	cycles := 1000
	if v := os.Getenv("SOAK_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SOAK_CYCLES=%q: want a positive number", v)
		}
		cycles = n
	}
	b := newBerthEnvRoot(t, filepath.Join(testenv.DiskTempDir(t), "root"), nil)
	// One container made and removed first: the bridge and the NAT table
	// exist from here on, and what they hold now is the baseline.
	b.must("run", "--rm", "--pull", "never", "busybox", "true")
	bridge, table := network.RootNames(b.root(), false)
	baseRules := nftRules(t, table)

	seed := rand.Uint64()
	if v := os.Getenv("SOAK_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("soak: %d cycles, SOAK_SEED=%d, data root %s, bridge %s, table %s", cycles, seed, b.root(), bridge, table)

	var problems []string // commands that failed when they must not
	kills := map[soakKill]int{}
	killed := map[string]soakKill{} // container name → what its cycle killed
	began := time.Now()
	for i := range cycles {
		k := soakKill(rng.IntN(int(soakKinds)))
		kills[k]++
		killed[fmt.Sprintf("soak-%d", i)] = k
		if p := b.soakCycle(t, rng, i, k); p != "" {
			problems = append(problems, fmt.Sprintf("cycle %d (kill %s): %s", i, k, p))
		}
		if (i+1)%100 == 0 {
			t.Logf("soak: %d cycles in %v", i+1, time.Since(began).Round(time.Millisecond))
		}
	}
	took := time.Since(began)

	// A monitor left with nothing to watch waits 2 s for a next start
	// before it ends (the engine's monitorLinger), holding the events log:
	// a leak is what is still there well after that.
	leaks := b.soakLeaks(t, bridge, table, baseRules)
	for deadline := time.Now().Add(5 * time.Second); len(leaks) > 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		leaks = b.soakLeaks(t, bridge, table, baseRules)
	}
	t.Logf("soak: %d cycles in %v (%v a cycle); kills: %v", cycles, took.Round(time.Millisecond),
		(took / time.Duration(cycles)).Round(time.Millisecond), kills)
	for _, p := range problems {
		t.Logf("soak problem: %s", p)
	}
	t.Logf("soak: %d leaks found", len(leaks))
	cycleName := regexp.MustCompile(`soak-[0-9]+`)
	for _, l := range leaks {
		if name := cycleName.FindString(l); name != "" {
			l += fmt.Sprintf(" (its cycle killed: %s)", killed[name])
		}
		t.Logf("soak leak: %s", l)
	}
	if len(leaks) > 0 || len(problems) > 0 {
		t.Errorf("soak: %d leaks, %d failed commands", len(leaks), len(problems))
	}
}

// soakCycle runs one container through run, stop and rm with kill k, and
// removes it as a user would after whatever was killed. It returns what
// failed that must not have.
func (b *berthEnv) soakCycle(t *testing.T, rng *rand.Rand, i int, k soakKill) string {
	name := fmt.Sprintf("soak-%d", i)
	// A container that stops at once on SIGTERM; every fourth publishes
	// a port, for its proxy and NAT.
	args := []string{"run", "-d", "--pull", "never", "--name", name}
	if i%4 == 0 {
		args = append(args, "-p", "127.0.0.1::80")
	}
	args = append(args, "busybox", "sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait")
	midway := func() time.Duration { return time.Duration(rng.IntN(120)) * time.Millisecond }
	switch k {
	case killRunCLI:
		b.killAfter(t, midway(), args...)
	case killRunRmCLI:
		b.killAfter(t, midway(), "run", "--rm", "--pull", "never", "--name", name, "busybox", "sleep", "1")
	default:
		if _, errOut, err := b.soakTry(args...); err != nil {
			return fmt.Sprintf("run -d: %v: %s", err, strings.TrimSpace(errOut))
		}
	}
	switch k {
	case killTheShim, killPID1:
		st := b.soakState(name)
		if st.Pid <= 0 {
			return fmt.Sprintf("no PID 1 to kill (%+v)", st)
		}
		pid := st.Pid
		if k == killTheShim {
			pid = parentPID(t, pid)
			if argv, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); !bytes.HasPrefix(argv, []byte("berth-shim\x00")) {
				return fmt.Sprintf("the parent %d of PID 1 is no shim (%q)", pid, argv)
			}
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return fmt.Sprintf("kill %d: %v", pid, err)
		}
	case killStopCLI:
		b.killAfter(t, midway(), "stop", "-t", "5", name)
	case killRmCLI:
		b.killAfter(t, midway(), "rm", "-f", name)
	}
	if k != killStopCLI && k != killRmCLI && k != killRunCLI && k != killRunRmCLI {
		if _, errOut, err := b.soakTry("stop", "-t", "5", name); err != nil {
			return fmt.Sprintf("stop: %v: %s", err, strings.TrimSpace(errOut))
		}
		if _, errOut, err := b.soakTry("rm", name); err != nil {
			return fmt.Sprintf("rm: %v: %s", err, strings.TrimSpace(errOut))
		}
		return ""
	}
	// After a killed command, the user's retry.
	if _, errOut, err := b.soakTry("rm", "-f", name); err != nil && !strings.Contains(strings.ToLower(errOut), "no such container") {
		return fmt.Sprintf("rm -f after the kill: %v: %s", err, strings.TrimSpace(errOut))
	}
	return ""
}

// soakHang is how long a soak command may take before it counts as hung
// (and is killed, by PID).
const soakHang = time.Minute

// soakTry is try with a time limit: a hang is reported, and the soak
// goes on.
func (b *berthEnv) soakTry(args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), soakHang)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = b.env
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("hung: no answer within %v", soakHang)
	}
	return out.String(), errb.String(), err
}

// soakState is inspect's State of a container, zero when it has none.
func (b *berthEnv) soakState(name string) containerState {
	out, _, err := b.soakTry("inspect", "--format", "{{json .State}}", name)
	var s containerState
	if err == nil {
		json.Unmarshal([]byte(out), &s)
	}
	return s
}

// killAfter starts berth with args and kills it by PID after d (or lets
// it finish, when it is quicker).
func (b *berthEnv) killAfter(t *testing.T, d time.Duration, args ...string) {
	cmd := b.cmd(args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start berth %s: %v", strings.Join(args, " "), err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		cmd.Process.Kill() // by PID; not yet reaped, so it cannot be reused
		<-done
	}
}

// nftRules lists the rules of the root's NAT table, one string a rule.
func nftRules(t *testing.T, table string) []string {
	conn, err := nftables.New()
	if err != nil {
		t.Fatalf("nftables: %v", err)
	}
	chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		t.Fatalf("list nftables chains: %v", err)
	}
	var rules []string
	for _, ch := range chains {
		if ch.Table.Name != table {
			continue
		}
		rs, err := conn.GetRules(ch.Table, ch)
		if err != nil {
			t.Fatalf("list rules of %s/%s: %v", table, ch.Name, err)
		}
		for _, r := range rs {
			exprs, _ := json.Marshal(r.Exprs)
			rules = append(rules, ch.Name+" "+string(exprs))
		}
	}
	sort.Strings(rules)
	return rules
}

// soakLeaks is everything of the soak's root left on the host once every
// container is gone: each string names one leak.
func (b *berthEnv) soakLeaks(t *testing.T, bridge, table string, baseRules []string) []string {
	var leaks []string
	// Containers berth still lists, and what it keeps of them on disk.
	if ids := strings.Fields(b.must("ps", "-aq", "--no-trunc")); len(ids) > 0 {
		leaks = append(leaks, fmt.Sprintf("containers still listed: %v", ids))
	}
	nameOf := map[string]string{} // container ID → the name reserved for it
	reserved, _ := filepath.Glob(filepath.Join(b.root(), "names", "*"))
	for _, n := range reserved {
		if owner, err := os.ReadFile(n); err == nil {
			nameOf[strings.TrimSpace(string(owner))] = filepath.Base(n)
		}
	}
	for _, dir := range []string{
		filepath.Join(b.root(), "containers"),
		filepath.Join(b.root(), "image", "containers"),
		filepath.Join(b.runRoot(), "containers"),
		filepath.Join(b.root(), "names"),
	} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() == ".lock" {
				continue // the names' own lock, not a container's
			}
			leak := "left in " + dir + ": " + e.Name()
			if name := nameOf[e.Name()]; name != "" {
				leak += ", named " + name
			}
			leaks = append(leaks, leak)
		}
	}
	// Mounts under the data root or the run root.
	if mounts, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, line := range strings.Split(string(mounts), "\n") {
			f := strings.Fields(line)
			if len(f) > 4 && (strings.HasPrefix(f[4], b.root()+"/") || strings.HasPrefix(f[4], b.runRoot()+"/")) {
				leaks = append(leaks, "mount "+f[4])
			}
		}
	}
	// Cgroups under the soak's parent.
	for _, pattern := range []string{
		filepath.Join("/sys/fs/cgroup", b.parent, "*"),
		filepath.Join("/sys/fs/cgroup", "*", b.parent, "*"),
	} {
		dirs, _ := filepath.Glob(pattern)
		for _, d := range dirs {
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				leaks = append(leaks, "cgroup "+d)
			}
		}
	}
	// Processes: shims holding a file of the soak's roots, and anything
	// in a cgroup under its parent.
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid := filepath.Base(p)
		if cg, err := os.ReadFile(p + "/cgroup"); err == nil && bytes.Contains(cg, []byte("/"+b.parent+"/")) {
			argv, _ := os.ReadFile(p + "/cmdline")
			leaks = append(leaks, fmt.Sprintf("process %s in the soak's cgroups: %q", pid, bytes.ReplaceAll(argv, []byte{0}, []byte{' '})))
			continue
		}
		if argv, _ := os.ReadFile(p + "/cmdline"); !bytes.HasPrefix(argv, []byte("berth-shim\x00")) {
			continue
		}
		fds, _ := filepath.Glob(p + "/fd/*")
		for _, fd := range fds {
			if target, err := os.Readlink(fd); err == nil && (strings.HasPrefix(target, b.root()+"/") || strings.HasPrefix(target, b.runRoot()+"/")) {
				leaks = append(leaks, fmt.Sprintf("shim %s still runs (holds %s)", pid, target))
				break
			}
		}
	}
	// Veths on the bridge, and addresses its networks still hand out.
	ifs, _ := os.ReadDir(filepath.Join("/sys/class/net", bridge, "brif"))
	for _, i := range ifs {
		leaks = append(leaks, "veth "+i.Name()+" on "+bridge)
	}
	nets, _ := filepath.Glob(filepath.Join(b.root(), "network", "networks", "*.json"))
	for _, n := range nets {
		var rec struct {
			Endpoints map[string]json.RawMessage `json:"endpoints"`
		}
		data, _ := os.ReadFile(n)
		if err := json.Unmarshal(data, &rec); err != nil {
			leaks = append(leaks, fmt.Sprintf("network record %s unreadable: %v", n, err))
			continue
		}
		for id, ep := range rec.Endpoints {
			leaks = append(leaks, fmt.Sprintf("address held in %s for %s: %s", filepath.Base(n), id, ep))
		}
	}
	// NAT rules beyond those the table had with no container.
	now := nftRules(t, table)
	base := map[string]int{}
	for _, r := range baseRules {
		base[r]++
	}
	for _, r := range now {
		if base[r] > 0 {
			base[r]--
			continue
		}
		leaks = append(leaks, "nft rule in "+table+": "+r)
	}
	return leaks
}
