package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The roles berth re-executes itself as take their process over while a
// package is initialised (each one's dispatch.go), before the packages
// they never use: their initialisation would be paid on every container
// start, and by every tiny init kept as a PID 1.
//   - A container's init, in engine/containerinit: started by hand,
//     without the pipes its monitor would hand it, it stops at its first
//     step with docker's setup-failure code, inside containerinit's
//     initialisation, whose own trace line is never printed.
//   - A container's monitor, in engine: started by hand, with no
//     configuration on its fd 3, it fails at its first step; the packages
//     only the CRI server, the API, the TUI and the CLI use come after it.
func TestRolesSkipPackagesTheyNeverUse(t *testing.T) {
	for _, role := range []struct {
		argv0   string
		code    int
		last    string   // the last package traced
		skipped []string // the costly ones, by their own names
	}{
		{"berth-init", 125, "berth/ptyexec/nsenter", []string{
			"github.com/santhosh-tekuri/jsonschema/v6",
			"github.com/compose-spec/compose-go/v2/loader",
			"github.com/distribution/reference",
			"google.golang.org/grpc",
			"berth/compose",
			"berth/images",
		}},
		{"berth-shim", 1, "berth/images", []string{
			"k8s.io/cri-api/pkg/apis/runtime/v1",
			"google.golang.org/grpc",
			"berth/api",
			"berth/ui",
			"berth/cri",
			"berth/cli",
		}},
	} {
		t.Run(role.argv0, func(t *testing.T) {
			trace := roleInits(t, role.argv0, role.code, role.last)
			for _, pkg := range role.skipped {
				if strings.Contains(trace, "init "+pkg+" @") {
					t.Errorf("%s initialised %s, which it never uses", role.argv0, pkg)
				}
			}
		})
	}
}

// roleInits runs berth as argv0 with no arguments and no pipes, wants it
// to exit with code, and returns its initialisation trace, which must
// name the package last.
func roleInits(t *testing.T, argv0 string, code int, last string) string {
	t.Helper()
	bin, err := berthBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Args = []string{argv0}
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != code {
		t.Fatalf("%s started by hand: %v, want exit %d\n%s", argv0, err, code, out)
	}
	if !strings.Contains(string(out), "init "+last+" @") {
		t.Fatalf("%s: no initialisation of %s traced:\n%s", argv0, last, out)
	}
	return string(out)
}

// packageInit is one line of GODEBUG=inittrace=1: a package and the
// bytes its initialisation allocated.
type packageInit struct {
	pkg   string
	bytes int
}

// versionInits traces the package initialisation of `berth version`.
func versionInits(t *testing.T) []packageInit {
	t.Helper()
	bin, err := berthBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("berth version: %v\n%s", err, out)
	}
	var inits []packageInit
	for _, line := range strings.Split(string(out), "\n") {
		// init berth/compose @0.9 ms, 2.3 ms clock, 314688 bytes, 2702 allocs
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != "init" {
			continue
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("unexpected inittrace line %q", line)
		}
		inits = append(inits, packageInit{f[1], n})
	}
	return inits
}

// Every berth process initialises every package of the binary, so
// berth's own packages keep their initialisation to constants and small
// tables: a regexp or a table of them is compiled at its first use
// (sync.OnceValue), not at every start of the CLI, the TUI or a shim.
func TestOwnPackagesInitCheaply(t *testing.T) {
	const maxBytes = 16 << 10
	seen := 0
	for _, in := range versionInits(t) {
		if !strings.HasPrefix(in.pkg, "berth/") && in.pkg != "berth" {
			continue
		}
		seen++
		if in.bytes > maxBytes {
			t.Errorf("package %s allocates %d bytes in its initialisation (at most %d): make its tables lazy", in.pkg, in.bytes, maxBytes)
		}
	}
	if seen == 0 {
		t.Fatal("no berth package's initialisation traced")
	}
}

// The libraries berth keeps a changed copy of in third_party/ because
// they did costly work in their initialisation, in every berth process,
// that only one of berth's roles needs, do it at first use now: compose's
// JSON Schema metaschemas (was a third of the start of every CLI command,
// exec and shim), the image reference and digest regexps (400 and 90 KB),
// the clipboard command's search along PATH (the TUI's paste). A package
// whose initialisation does nothing is not traced: that counts as 0.
func TestForkedLibrariesInitCheaply(t *testing.T) {
	budgets := map[string]int{
		"github.com/santhosh-tekuri/jsonschema/v6": 64 << 10,
		"github.com/distribution/reference":        8 << 10,
		"github.com/opencontainers/go-digest":      8 << 10,
		"github.com/atotto/clipboard":              1 << 10,
	}
	for _, in := range versionInits(t) {
		if max, ok := budgets[in.pkg]; ok && in.bytes > max {
			t.Errorf("%s allocates %d bytes in its initialisation (at most %d): is its third_party copy still wired in by go.mod?", in.pkg, in.bytes, max)
		}
	}
}
