package engine

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePSOutput(t *testing.T) {
	ef := `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root        4242    4200  0 10:01 ?        00:00:00 sh -c sleep 1000
root        4250    4242  0 10:01 pts/0    00:00:00 sleep  1000
`
	res, err := parsePSOutput([]byte(ef), []int{4242, 4250})
	if err != nil {
		t.Fatal(err)
	}
	wantTitles := []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}
	want := [][]string{
		{"root", "4242", "4200", "0", "10:01", "?", "00:00:00", "sh -c sleep 1000"},
		{"root", "4250", "4242", "0", "10:01", "pts/0", "00:00:00", "sleep 1000"},
	}
	if !reflect.DeepEqual(res.Titles, wantTitles) || !reflect.DeepEqual(res.Processes, want) {
		t.Errorf("parsePSOutput -ef = %q %q", res.Titles, res.Processes)
	}

	// Threads (-L, m) follow their process.
	threads := "  PID   LWP CMD\n 4242     - sh\n    -  4242 -\n    -  4243 -\n 9999     - other\n    -  9999 -\n"
	res, err = parsePSOutput([]byte(threads), []int{4242})
	if err != nil || len(res.Processes) != 3 || res.Processes[2][1] != "4243" {
		t.Errorf("threads = %q, %v", res.Processes, err)
	}

	// None of the container's: an empty list, not null.
	res, err = parsePSOutput([]byte("PID CMD\n1 init\n"), []int{5})
	if err != nil || res.Processes == nil || len(res.Processes) != 0 {
		t.Errorf("no rows = %#v, %v", res, err)
	}

	if _, err := parsePSOutput([]byte("COMMAND\nsh\n"), []int{1}); err == nil || !strings.Contains(err.Error(), "PID field") {
		t.Errorf("no PID column: %v", err)
	}
	if _, err := parsePSOutput([]byte("PID CMD\nx sh\n"), []int{1}); err == nil {
		t.Error("a PID that is no number: no error")
	}
}

func TestValidatePSArgs(t *testing.T) {
	for _, ok := range [][]string{{"-ef"}, {"aux"}, {"-o", "pid,comm"}, {"-o", "pid=PID,comm"}} {
		if err := validatePSArgs(ok); err != nil {
			t.Errorf("validatePSArgs(%q) = %v", ok, err)
		}
	}
	if err := validatePSArgs([]string{"-o", "user=PID"}); err == nil || err.Error() != `specifying "user=PID" is not allowed` {
		t.Errorf("validatePSArgs(user=PID) = %v", err)
	}
}

func TestPidsArg(t *testing.T) {
	if got := pidsArg([]int{1, 22, 333}); got != "-q1,22,333" {
		t.Errorf("pidsArg = %q", got)
	}
}
