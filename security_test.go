package main

// The security suite: each TestAttack… reproduces an escape from a
// container, as a hostile image or process would try it, against the real
// kernel, and fails if the escape works. The attacker is internal/attack's
// probe, at /probe in the test's busybox:latest.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"berth/internal/attack"
	"berth/internal/testenv"
)

// newAttackEnv is a berth whose busybox:latest holds the probe at /probe.
func newAttackEnv(t *testing.T) *berthEnv {
	t.Helper()
	return newBerthEnvImage(t, attack.ImageTar(t))
}

// TestAttackProbeRefusesHost guards the guard: the probe must refuse to run
// anywhere but inside a container, so that no test attacks the host.
func TestAttackProbeRefusesHost(t *testing.T) {
	testenv.RequireBusybox(t)
	probe := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(probe, attack.Probe(t), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(probe, "anything").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("probe on the host: %v, %s; want exit 3 (refused)", err, out)
	}
}

// TestAttackProbeRunsInside: inside an ordinary container the probe passes
// its guard (it then wants an attack's name: exit 2).
func TestAttackProbeRunsInside(t *testing.T) {
	b := newAttackEnv(t)
	if code := b.exitCode("run", "--rm", "--network", "none", "busybox", attack.ProbePath); code != 2 {
		t.Fatalf("probe in a container: exit %d, want 2 (usage: it ran past the overlay guard)", code)
	}
}
