package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/internal/testenv"
)

// The whole-engine comparison figures: podman when it is on PATH (on
// storage, run and temporary directories of the benchmark's own), docker
// when a daemon answers (every container it makes labelled, and removed
// by that label), else a private dockerd when dockerd and a docker client
// are installed (sharedDocker). Each runs busybox imported from the same
// tarball as berth's.

// peers are the engines compared, in the order printed.
var peers = []string{"podman", "docker"}

// peer is one container engine beside berth.
type peer struct {
	b      *testing.B
	name   string
	bin    string
	env    []string // the client's environment (nil: the benchmark's own)
	global []string // before the verb: podman's own roots
	flags  []string // after run's and create's verb: podman's limits
	image  string   // busybox, imported for the benchmark
	label  string   // key=value on every container the benchmark makes
	parent string   // podman's cgroup parent ("" is the engine's own)
}

// newPeer makes engine ready to run busybox, its cgroups under parent
// where the engine lets the caller choose; an error says why no
// comparison is made ("not installed", no daemon).
func newPeer(b *testing.B, engine, parent string) (*peer, error) {
	bin, err := exec.LookPath(engine)
	if err != nil {
		return nil, fmt.Errorf("%s is not installed", engine)
	}
	p := &peer{b: b, name: engine, bin: bin, label: "berth-bench=" + strconv.Itoa(os.Getpid())}
	switch engine {
	case "docker":
		if err := p.useDocker(); err != nil {
			return nil, err
		}
	case "podman":
		if err := p.usePodman(parent); err != nil {
			return nil, err
		}
	}
	tar := filepath.Join(b.TempDir(), "busybox.tar")
	if err := os.WriteFile(tar, testenv.BusyboxTar(b), 0o644); err != nil {
		return nil, err
	}
	image := fmt.Sprintf("berth-bench-busybox:%d", os.Getpid())
	if _, err := p.output("import", tar, image); err != nil {
		return nil, err
	}
	p.image = image
	b.Cleanup(p.removeAll)
	return p, nil
}

// run is the engine's `run` with flags, labelled and in the cgroup
// parent; the image and command follow.
func (p *peer) run(flags ...string) []string { return p.verb("run", flags) }

// create is run's `create`.
func (p *peer) create(flags ...string) []string { return p.verb("create", flags) }

func (p *peer) verb(verb string, flags []string) []string {
	args := append([]string{verb, "--label", p.label}, p.flags...)
	if p.parent != "" {
		args = append(args, "--cgroup-parent", p.parent)
	}
	return append(args, flags...)
}

// output runs the engine with args and returns its stdout.
func (p *peer) output(args ...string) (string, error) {
	var stderr strings.Builder
	cmd := exec.Command(p.bin, append(slices.Clone(p.global), args...)...)
	cmd.Env, cmd.Stderr = p.env, &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", p.name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// timed is how long the engine takes for args.
func (p *peer) timed(args ...string) (time.Duration, error) {
	start := time.Now()
	_, err := p.output(args...)
	return time.Since(start), err
}

// medianOf is the median time of n runs of args.
func (p *peer) medianOf(n int, args ...string) (time.Duration, error) {
	ds := make([]time.Duration, 0, n)
	for range n {
		d, err := p.timed(args...)
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	return median(ds), nil
}

// removeAll removes the containers the benchmark made and the image.
func (p *peer) removeAll() {
	out, err := p.output("ps", "-aq", "--filter", "label="+p.label)
	if err != nil {
		p.b.Errorf("cleanup: %v", err)
	}
	if ids := strings.Fields(out); len(ids) > 0 {
		if _, err := p.output(append([]string{"rm", "-f"}, ids...)...); err != nil {
			p.b.Errorf("cleanup: %v", err)
		}
	}
	if _, err := p.output("rmi", p.image); err != nil {
		p.b.Errorf("cleanup: %v", err)
	}
	if p.parent != "" {
		// podman's cgroups, its conmons' among them, under the parent
		for _, d := range cgroupDirs(p.parent, "") {
			if err := removeCgroups(d); err != nil {
				p.b.Errorf("cleanup: %v", err)
			}
			os.Remove(d)
		}
	}
}

// unmountUnder detaches every mount below dir, deepest first (an
// engine's storage may leave its own mounts behind).
func unmountUnder(b *testing.B, dir string) {
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		b.Errorf("cleanup: %v", err)
		return
	}
	var points []string
	for _, line := range strings.Split(string(info), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			points = append(points, f[4])
		}
	}
	slices.Sort(points)
	for _, m := range slices.Backward(points) {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil {
			b.Errorf("cleanup: unmount %s: %v", m, err)
		}
	}
}

// comparePeers reports berth's median beside each engine's, as a ratio,
// or why there is none.
func comparePeers(b *testing.B, what string, berth time.Duration, parent string, measure func(*peer) (time.Duration, error)) {
	for _, engine := range peers {
		p, err := newPeer(b, engine, parent)
		var d time.Duration
		if err == nil {
			d, err = measure(p)
		}
		if err != nil {
			b.Logf("no comparison with %s %s: %v", engine, what, err)
			continue
		}
		b.ReportMetric(float64(berth)/float64(d), "x-"+engine)
		b.Logf("%s %s: median %.1f ms; berth takes %.2f× %s's time", engine, what, ms(d), float64(berth)/float64(d), engine)
	}
}
