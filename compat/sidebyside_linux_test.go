package compat

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"berth/internal/testenv"
)

// stepTimeout bounds one command line: a command that hangs (an attach
// waiting for input, a follow that never ends) is a difference, not a
// stuck harness.
const stepTimeout = 2 * time.Minute

// busyboxChanges make the imported rootfs the image Docker users know as
// busybox: sh as its command and the default PATH.
var busyboxChanges = []string{`CMD ["sh"]`, `ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`}

// cleanupScript leaves a side with only busybox:latest: run after every
// case, its errors ignored (a side may lack a command).
const cleanupScript = `
docker ps -aq | xargs -r docker rm -fv
docker network prune -f
docker volume ls -q | xargs -r docker volume rm -f
docker images --format '{{.Repository}}:{{.Tag}}' | grep -vx -e busybox:latest -e '<none>:<none>' | xargs -r docker rmi -f
docker images -q --filter dangling=true | xargs -r docker rmi -f
`

// generatedName is the shape of a name the engine picked (adjective_noun).
var generatedName = regexp.MustCompile(`^[a-z]+_[a-z]+$`)

// side is one engine seen through a `docker` command: the PATH of env
// starts with a directory whose `docker` runs that engine's CLI.
type side struct {
	name     string
	env      []string
	literals map[string]string // the side's own directories, to placeholders
}

// TestSideBySide runs every case of cases.txt against a private dockerd
// and against berth, and reports "N same of M" with a diff per differing
// case. It needs BERTH_COMPAT=1 (make test-compat) and root.
func TestSideBySide(t *testing.T) {
	if os.Getenv("BERTH_COMPAT") != "1" {
		t.Skip("side by side with Docker: make test-compat (BERTH_COMPAT=1)")
	}
	testenv.RequireRoot(t)
	f, err := os.Open("cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := ParseCases(f)
	f.Close()
	if err != nil {
		t.Fatalf("cases.txt: %v", err)
	}
	if sel := os.Getenv("BERTH_COMPAT_RUN"); sel != "" {
		re := regexp.MustCompile(sel)
		var picked []Case
		for _, c := range cases {
			if re.MatchString(c.Title) {
				picked = append(picked, c)
			}
		}
		cases = picked
	}

	tmp := testenv.DiskTempDir(t)
	rootfs := filepath.Join(tmp, "busybox-rootfs.tar")
	if err := os.WriteFile(rootfs, testenv.BusyboxTar(t), 0o644); err != nil {
		t.Fatal(err)
	}
	d := testenv.StartPrivateDocker(t)
	dockerSide := newSide(t, "docker", d.CLI, d.Env, filepath.Join(tmp, "bin-docker"))
	dockerSide.literals[d.Root] = "<root>"
	image := filepath.Join(tmp, "busybox-image.tar")
	importArgs := []string{"import"}
	for _, c := range busyboxChanges {
		importArgs = append(importArgs, "--change", c)
	}
	mustRun(t, d.Command(append(importArgs, rootfs, "busybox:latest")...))
	mustRun(t, d.Command("save", "-o", image, "busybox:latest"))

	b := startBerth(t, filepath.Join(tmp, "berth"))
	berthSide := newSide(t, "berth", b.bin, b.env, filepath.Join(tmp, "bin-berth"))
	berthSide.literals[b.root] = "<root>"
	berthSide.literals[b.runRoot] = "<runroot>"
	mustRun(t, b.command("load", "-i", image))
	dockerID := strings.TrimSpace(mustRun(t, d.Command("images", "-q", "--no-trunc", "busybox:latest")))
	berthID := strings.TrimSpace(mustRun(t, b.command("images", "-q", "--no-trunc", "busybox:latest")))
	if dockerID != berthID {
		t.Logf("busybox:latest is %s in docker but %s in berth: image IDs will differ", dockerID, berthID)
	}

	var outcomes []Outcome
	for i, c := range cases {
		var o Outcome
		o.Case = c
		start := time.Now()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			o.Docker = dockerSide.runCase(t, c, filepath.Join(tmp, "cases-docker", fmt.Sprint(i)))
		}()
		go func() {
			defer wg.Done()
			o.Berth = berthSide.runCase(t, c, filepath.Join(tmp, "cases-berth", fmt.Sprint(i)))
		}()
		wg.Wait()
		verdict := "same"
		if !o.Same() {
			verdict = "differs"
		}
		t.Logf("%3d/%d %-7s %s (%.1fs)", i+1, len(cases), verdict, c.Title, time.Since(start).Seconds())
		outcomes = append(outcomes, o)
	}
	var report strings.Builder
	differ := Report(&report, outcomes)
	fmt.Print("\n" + report.String())
	if path := os.Getenv("BERTH_COMPAT_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d cases differ from Docker without a reason", differ, len(outcomes))
	}
}

// newSide writes the `docker` script that runs cli into bin and returns a
// side whose PATH starts there.
func newSide(t *testing.T, name, cli string, env []string, bin string) *side {
	t.Helper()
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nexec '%s' \"$@\"\n", cli)
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	path := os.Getenv("PATH")
	var kept []string
	for _, e := range env {
		if p, ok := strings.CutPrefix(e, "PATH="); ok {
			path = p
			continue
		}
		kept = append(kept, e)
	}
	return &side{name: name, env: testenv.Offline(append(kept, "PATH="+bin+":"+path)), literals: map[string]string{}}
}

// runCase runs c's steps in a fresh directory dir, then removes all the
// case made, and returns the normalised results.
func (s *side) runCase(t *testing.T, c Case, dir string) []Result {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	raw := make([]Result, len(c.Steps))
	for i, step := range c.Steps {
		raw[i] = s.run(dir, step)
	}
	names := s.run(dir, "docker ps -a --format '{{.Names}}'")
	var generated []string
	for _, n := range strings.Fields(names.Stdout) {
		if generatedName.MatchString(n) && !strings.Contains(strings.Join(c.Steps, "\n"), n) {
			generated = append(generated, n)
		}
	}
	s.run(dir, cleanupScript)
	for _, check := range []struct{ cmd, want string }{
		{"docker ps -aq", ""},
		{"docker images --format '{{.Repository}}:{{.Tag}}'", "busybox:latest"},
		{"docker volume ls -q", ""},
	} {
		if left := strings.TrimSpace(s.run(dir, check.cmd).Stdout); left != check.want {
			t.Errorf("%s: after %q, %s: %s", s.name, c.Title, check.cmd, left)
		}
	}
	lits := map[string]string{dir: "<cwd>"}
	for k, v := range s.literals {
		lits[k] = v
	}
	n := &Normaliser{Literals: lits, Names: generated, Masks: c.Masks}
	for i := range raw {
		raw[i].Stdout = n.Normalise(raw[i].Stdout)
		raw[i].Stderr = n.Normalise(raw[i].Stderr)
	}
	return raw
}

// run runs one command line with sh in dir, stdin empty, for at most
// stepTimeout; its process group is killed when it takes longer.
func (s *side) run(dir, line string) Result {
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line)
	cmd.Dir, cmd.Env = dir, s.env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Code = -1
		r.Stderr += fmt.Sprintf("\n(harness: killed after %s)", stepTimeout)
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		r.Code = -1
		r.Stderr += "\n(harness: " + err.Error() + ")"
	}
	return r
}

// mustRun runs cmd and returns its standard output, failing t on error.
func mustRun(t testing.TB, cmd *exec.Cmd) string {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	return string(out)
}
