package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// CritestShellPath is where .ci/run unpacks Debian's busybox package
// (never installed: it conflicts with busybox-static). Built without
// FEATURE_SH_STANDALONE, its ash runs a command it finds on PATH, as the
// shell of upstream's busybox image does, where busybox-static's ash runs
// its own applet: critest's MaskedPaths spec masks /bin/ls and expects
// `sh -c ls` to fail with ash's own words, "/bin/sh: ls: Permission
// denied" (dash and bash put a line number in them).
const CritestShellPath = "/opt/berth-ci/busybox/bin/busybox"

// requireCritestShell skips t (fails it under CI=true) when Debian's
// busybox is not unpacked.
func requireCritestShell(t testing.TB) {
	t.Helper()
	requireFile(t, CritestShellPath, "Debian's busybox package, unpacked (see .ci/run)")
}

// critestShell is the files of critest's busybox /bin/sh: Debian's
// busybox, dynamically linked, and exactly the libraries ldd names for
// it (the dynamic loader among them), each at the path ldd gives.
func critestShell() (map[string]critestFile, error) {
	sh, err := os.ReadFile(CritestShellPath)
	if err != nil {
		return nil, fmt.Errorf("read critest's shell: %w", err)
	}
	out, err := exec.Command("ldd", CritestShellPath).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w", CritestShellPath, err)
	}
	files := map[string]critestFile{"bin/sh": {0o755, string(sh)}}
	for _, lib := range lddPaths(string(out)) {
		b, err := os.ReadFile(lib) // a symlink's target's bytes, at the link's path
		if err != nil {
			return nil, fmt.Errorf("read critest's shell's library: %w", err)
		}
		files[strings.TrimPrefix(lib, "/")] = critestFile{0o755, string(b)}
	}
	return files, nil
}

// lddPaths are the absolute paths of the libraries in ldd's output:
// "name => /path (addr)" or, for the loader, "/path (addr)"; the vDSO,
// which has no file, is left out.
func lddPaths(out string) []string {
	var paths []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if i := len(f) - 2; i >= 0 && strings.HasPrefix(f[i], "/") {
			paths = append(paths, f[i])
		}
	}
	return paths
}
