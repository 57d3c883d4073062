// Package attack gives berth's security tests their attacker: the probe
// program (./probe), built static once per test process, and a busybox
// image tarball with it at /probe. Tests run it inside containers and fail
// when an escape works; the probe itself refuses to run outside one.
package attack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"berth/internal/testenv"
)

// ProbePath is where the probe sits in the image ImageTar builds.
const ProbePath = "/probe"

var build = sync.OnceValues(func() ([]byte, error) {
	_, self, _, _ := runtime.Caller(0)
	dir, err := os.MkdirTemp("", "berth-probe-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temporary directory; the binary is read by then
	out := filepath.Join(dir, "probe")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = filepath.Join(filepath.Dir(self), "probe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build the attack probe: %w: %s", err, b)
	}
	return os.ReadFile(out)
})

// Probe returns the static probe binary.
func Probe(t testing.TB) []byte {
	t.Helper()
	b, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ImageTar is the busybox rootfs tarball with the probe at ProbePath.
func ImageTar(t testing.TB) []byte {
	t.Helper()
	return testenv.BusyboxTarWith(t, map[string][]byte{ProbePath[1:]: Probe(t)})
}
