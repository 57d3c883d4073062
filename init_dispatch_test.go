package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A container's init takes its process over while the package
// engine/containerinit is initialised (its dispatch.go), before the
// packages it never uses: their initialisation would be paid on every
// container start and by every tiny init kept as a PID 1.
func TestInitSkipsHeavyPackages(t *testing.T) {
	bin, err := berthBinary()
	if err != nil {
		t.Fatal(err)
	}
	// Started by hand, without the pipes its shim would hand it, the init
	// stops at its first step with docker's setup-failure code.
	cmd := exec.Command(bin)
	cmd.Args = []string{"berth-init"}
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 125 {
		t.Fatalf("berth-init without its pipes: %v, want exit 125\n%s", err, out)
	}
	trace := string(out)
	// The init exits inside containerinit's initialisation, whose own
	// trace line is never printed; those of the packages before it are.
	if !strings.Contains(trace, "init berth/ptyexec/nsenter @") {
		t.Fatalf("no initialisation traced:\n%s", trace)
	}
	// The costly ones, by their own names (a few small packages with no
	// imports of their own, e.g. gRPC's backoff, can come first).
	for _, heavy := range []string{
		"github.com/santhosh-tekuri/jsonschema/v6",
		"github.com/compose-spec/compose-go/v2/loader",
		"github.com/distribution/reference",
		"google.golang.org/grpc",
		"berth/compose",
		"berth/images",
	} {
		if strings.Contains(trace, "init "+heavy+" @") {
			t.Errorf("a container's init initialised %s, which it never uses", heavy)
		}
	}
}
