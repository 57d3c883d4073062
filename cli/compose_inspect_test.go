package cli

import (
	"strings"
	"testing"

	"berth/compose"
)

// TestPrintTop is compose top's one table: SERVICE and # first, CMD
// last, "-" for a column a container's ps lacked.
func TestPrintTop(t *testing.T) {
	var out strings.Builder
	a := &app{stdout: &out}
	err := printTop(a, []compose.Processes{
		{Name: "p-web-1", Service: "web", Number: "1", Titles: []string{"UID", "PID", "CMD"}, Rows: [][]string{{"root", "10", "httpd"}}},
		{Name: "p-db-1", Service: "db", Number: "1", Titles: []string{"UID", "PID", "TIME", "CMD"}, Rows: [][]string{{"root", "20", "00:00:01", "sleep 5"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "SERVICE  #   UID   PID  TIME      CMD\n" +
		"db       1   root  20   00:00:01  sleep 5\n" +
		"web      1   root  10   -         httpd\n"
	if out.String() != want {
		t.Errorf("printTop:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	if err := printTop(a, nil); err != nil || out.Len() != 0 {
		t.Errorf("printTop of nothing: %v, %q", err, out.String())
	}
}
