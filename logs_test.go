package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// berthLogs runs berth logs with args and returns its stdout and stderr
// apart.
func (b *berthEnv) berthLogs(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := b.berth(append([]string{"logs"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("berth logs %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// berth logs prints a container's output as docker logs does, buffered or
// not: stdout's lines on stdout and stderr's on stderr, a line longer than
// 16 KiB whole, the last line without its newline, -t stamps in docker's
// format, and --tail and --since selecting from the end and by time, on
// one terminal in the order written.
func TestLogsOutput(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	long := strings.Repeat("0123456789", 2000) // 20,000 bytes: cut in two entries
	script := `for i in 1 2 3; do echo out $i; echo err $i >&2; done; echo ` + long + `; sleep 1; echo late; printf 'no newline'`
	b.must("run", "--name", "talk", "--network", "none", "busybox", "sh", "-c", script)
	stdout, stderr := b.berthLogs(t, "talk")
	if want := "out 1\nout 2\nout 3\n" + long + "\nlate\nno newline"; stdout != want {
		t.Errorf("stdout = %.80q…, want %.80q…", stdout, want)
	}
	if want := "err 1\nerr 2\nerr 3\n"; stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
	stdout, _ = b.berthLogs(t, "-t", "--tail", "2", "talk")
	stamped := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z late\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z no newline$`)
	if !stamped.MatchString(stdout) {
		t.Errorf("logs -t --tail 2 = %q", stdout)
	}
	at, _, _ := strings.Cut(stdout, " ")
	if _, err := time.Parse(time.RFC3339Nano, at); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr := b.berthLogs(t, "--since", at, "talk"); stdout != "late\nno newline" || stderr != "" {
		t.Errorf("logs --since %s = %q, %q", at, stdout, stderr)
	}
	if stdout, _ := b.berthLogs(t, "--tail", "0", "talk"); stdout != "" {
		t.Errorf("logs --tail 0 = %q", stdout)
	}
	// Both streams to one pipe: the order of the log file.
	cmd := b.berth("logs", "talk")
	var both bytes.Buffer
	cmd.Stdout, cmd.Stderr = &both, &both
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(strings.TrimSpace(b.must("inspect", "--format", "{{.LogPath}}", "talk")))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, line := range bytes.SplitAfter(raw, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var e struct{ Log string }
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		want.WriteString(e.Log)
	}
	if both.String() != want.String() {
		t.Errorf("stdout and stderr together = %.120q…, want the log's order %.120q…", both.String(), want.String())
	}
}
