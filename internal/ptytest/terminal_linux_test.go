package ptytest

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestTypeExpectWait(t *testing.T) {
	t.Parallel()
	term := Start(t, exec.Command("sh", "-c", `stty size; read line; echo "got-$line"; exit 3`), 12, 34)
	term.Expect(`^12 34\r\n`)
	term.Send("hello\r")
	term.Expect(`\r\ngot-hello\r\n`)
	if code := term.Wait(); code != 3 {
		t.Fatalf("exit code %d, want 3", code)
	}
	if term.Running() {
		t.Fatal("Running after Wait")
	}
	term.RequireRestored("exit")
}

func TestResize(t *testing.T) {
	t.Parallel()
	term := Start(t, exec.Command("sh", "-c", `read line; stty size`), 24, 80)
	term.Resize(40, 100)
	term.Send("\r")
	term.Expect(`\n40 100\r\n`)
	if code := term.Wait(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

func TestSignal(t *testing.T) {
	t.Parallel()
	term := Start(t, exec.Command("sh", "-c", `echo ready; exec sleep 100`), 24, 80)
	term.Expect(`ready`)
	if !term.Running() {
		t.Fatal("not Running before the signal")
	}
	term.Signal(syscall.SIGTERM)
	if code := term.Wait(); code != -1 {
		t.Fatalf("exit code %d, want -1 (killed by a signal)", code)
	}
}

// errorRecorder is a test whose Errorf is recorded rather than reported.
type errorRecorder struct {
	*testing.T
	errors []string
}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestRequireRestoredSeesChangedSettings(t *testing.T) {
	t.Parallel()
	rec := &errorRecorder{T: t}
	term := Start(rec, exec.Command("sh", "-c", `stty raw -echo; echo changed`), 24, 80)
	term.Expect(`changed`)
	term.Wait()
	term.RequireRestored("exit")
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "terminal settings after exit") {
		t.Fatalf("RequireRestored after stty raw reported %q, want one error about the settings", rec.errors)
	}
}
