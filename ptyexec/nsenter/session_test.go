package nsenter

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"berth/ptyexec"
)

// An exec session as berth exec -it runs it: an entered command on a PTY,
// with the PTY as its controlling terminal.
func TestExecSessionEntersWithTty(t *testing.T) {
	t.Parallel()
	tg := startTarget(t)
	cmd := Command(Config{Pid: tg.pid, Args: []string{busybox, "sh", "-c",
		"tty; echo via-ctty > /dev/tty; cat only-here; echo; exit 4"}, Dir: tg.dir})
	s := ptyexec.NewExecSession(cmd.Cmd, ptyexec.ExecOptions{Tty: true, Start: cmd.Start,
		PTYRoot: fmt.Sprintf("/proc/%d/root", tg.pid)})
	var out bytes.Buffer
	s.SetStdout(&out)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	// tty(1) finds its terminal: the PTY is in the container's devpts.
	for _, want := range []string{"/dev/pts/0", "via-ctty", "inside"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in output %q", want, got)
		}
	}
	if s.ExitCode() != 4 {
		t.Errorf("exit code %d, want 4", s.ExitCode())
	}
}
