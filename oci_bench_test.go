package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/internal/testenv"
)

// The comparison figures: the same container on the same busybox root
// filesystem run by an OCI runtime (runc, crun) when one is on PATH.

// ociRuntime is one OCI runtime with a bundle of the busybox image.
type ociRuntime struct {
	b      *testing.B
	name   string // "runc" or "crun"
	bin    string
	bundle string
	state  string
}

// newOCIRuntime prepares a bundle for runtime whose process runs args,
// with its cgroup under parent; an error says why no comparison is made.
func newOCIRuntime(b *testing.B, runtime, parent string, args ...string) (*ociRuntime, error) {
	bin, err := exec.LookPath(runtime)
	if err != nil {
		return nil, fmt.Errorf("%s is not on PATH", runtime)
	}
	if runtime == "crun" {
		if err := freeUnifiedControllers(b); err != nil {
			return nil, err
		}
	}
	r := &ociRuntime{b: b, name: runtime, bin: bin, bundle: b.TempDir(), state: b.TempDir()}
	rootfs := filepath.Join(r.bundle, "rootfs")
	tarball := filepath.Join(r.state, "busybox.tar")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tarball, testenv.BusyboxTar(b), 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.Command("tar", "-xf", tarball, "-C", rootfs).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("unpack busybox for %s: %v: %s", runtime, err, out)
	}
	spec := exec.Command(bin, "spec")
	spec.Dir = r.bundle
	if out, err := spec.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s spec: %v: %s", runtime, err, out)
	}
	if err := editSpec(filepath.Join(r.bundle, "config.json"), "/"+parent+"/"+runtime+"-bench", args); err != nil {
		return nil, err
	}
	return r, nil
}

// editSpec turns `runc spec`'s default config into a container that runs
// args without a terminal, on a writable root, in the given cgroup.
func editSpec(path, cgroup string, args []string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("read OCI spec: %w", err)
	}
	process, _ := spec["process"].(map[string]any)
	linux, _ := spec["linux"].(map[string]any)
	root, _ := spec["root"].(map[string]any)
	if process == nil || linux == nil || root == nil {
		return fmt.Errorf("OCI spec %s has no process, linux or root section", path)
	}
	process["terminal"] = false
	process["args"] = args
	linux["cgroupsPath"] = cgroup
	root["readonly"] = false
	if data, err = json.Marshal(spec); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// command runs the runtime with its own state directory. Its stdio is
// /dev/null and a file for stderr, so that no pipe outlives it.
func (r *ociRuntime) command(args ...string) error {
	errFile, err := os.CreateTemp(r.state, "stderr-")
	if err != nil {
		return err
	}
	defer errFile.Close()
	cmd := exec.Command(r.bin, append([]string{"--root", r.state}, args...)...)
	cmd.Stderr = errFile
	if err := cmd.Run(); err != nil {
		msg, _ := os.ReadFile(errFile.Name())
		return fmt.Errorf("%s %s: %v: %s", r.name, args[0], err, msg)
	}
	return nil
}

// runMedian times `RUNTIME run` of the bundle until its process exits.
func (r *ociRuntime) runMedian(runs int) (time.Duration, error) {
	ds := make([]time.Duration, 0, runs)
	for i := range runs {
		start := time.Now()
		if err := r.command("run", "--bundle", r.bundle, fmt.Sprintf("berth-bench-%d-%d", os.Getpid(), i)); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds), nil
}

// execMedian starts the bundle detached and times `RUNTIME exec NAME true`.
func (r *ociRuntime) execMedian(runs int) (time.Duration, error) {
	name := fmt.Sprintf("berth-bench-%d", os.Getpid())
	if err := r.command("run", "--detach", "--bundle", r.bundle, name); err != nil {
		return 0, err
	}
	r.b.Cleanup(func() {
		if err := r.command("delete", "--force", name); err != nil {
			r.b.Errorf("cleanup: %v", err)
		}
	})
	ds := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		if err := r.command("exec", name, "true"); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds), nil
}

// compare reports berth's median beside each runtime's, as a ratio.
func compare(b *testing.B, what string, berth time.Duration, measure func(*ociRuntime) (time.Duration, error), parent string, args ...string) {
	for _, runtime := range []string{"crun", "runc"} {
		r, err := newOCIRuntime(b, runtime, parent, args...)
		var d time.Duration
		if err == nil {
			d, err = measure(r)
		}
		if err != nil {
			b.Logf("no comparison with %s %s: %v", runtime, what, err)
			continue
		}
		b.ReportMetric(float64(berth)/float64(d), "x-"+runtime)
		b.Logf("%s %s: median %.1f ms; berth takes %.2f× %s's time", runtime, what, ms(d), float64(berth)/float64(d), runtime)
	}
}

// BenchmarkExec is the latency of `berth exec box true` into a running
// container, median of at least 20 runs (goal: at most 2× `crun exec` of
// the same), beside crun's and runc's when they are on PATH, podman's
// and docker's when they are at hand.
func BenchmarkExec(b *testing.B) {
	e := newBerthEnv(b)
	e.must("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "1000")
	runs := max(b.N, 20)
	ds := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		e.must("exec", "box", "true")
		ds = append(ds, time.Since(start))
	}
	berth := median(ds)
	b.ReportMetric(ms(berth), "ms-median")
	b.Logf("berth exec box true: median %.1f ms over %d runs", ms(berth), runs)
	compare(b, "exec true", berth, func(r *ociRuntime) (time.Duration, error) { return r.execMedian(runs) },
		e.parent, "sleep", "1000")
	comparePeers(b, "exec true", berth, e.parent, func(p *peer) (time.Duration, error) {
		id, err := p.output(p.run("-d", "--network", "none", p.image, "sleep", "1000")...)
		if err != nil {
			return 0, err
		}
		return p.medianOf(runs, "exec", strings.TrimSpace(id), "true")
	})
}
