package compat

import (
	"regexp"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	id := "4f1d0c0e2a7b9c3d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5"
	id2 := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		n    Normaliser
		in   string
		want string
	}{
		{"plain text stays", Normaliser{}, "hello\nworld\n", "hello\nworld\n"},
		{"trailing blanks go", Normaliser{}, "a  \nb\t\n", "a\nb\n"},
		{"full and short ID are one ID", Normaliser{}, id + "\n" + id[:12], "<id1>\n<id1>"},
		{"IDs numbered by first appearance", Normaliser{}, id2[:12] + " " + id[:12] + " " + id2, "<id1> <id2> <id1>"},
		{"digest", Normaliser{}, "sha256:" + id, "sha256:<id1>"},
		{"11 hex digits are not an ID", Normaliser{}, "abcdef01234", "abcdef01234"},
		{"13 hex digits are not an ID", Normaliser{}, "abcdef0123456", "abcdef0123456"},
		{"RFC 3339 nano", Normaliser{}, "2026-12-06T22:49:50.269416773Z stdout", "<time> stdout"},
		{"RFC 3339 with offset", Normaliser{}, "at 2026-12-06T22:49:50+01:00.", "at <time>."},
		{"time.String", Normaliser{}, "2026-12-06 22:49:50 +0000 UTC", "<time>"},
		{"unix seconds and nanos", Normaliser{}, `"time":1765061390,"timeNano":1765061390123456789`, `"time":<unixtime>,"timeNano":<unixtime>`},
		{"small numbers stay", Normaliser{}, "exit 137 pid 4242", "exit 137 pid 4242"},
		{"up duration", Normaliser{}, "Up 3 seconds", "Up <duration>"},
		{"up less than a second", Normaliser{}, "Up Less than a second", "Up <duration>"},
		{"exited ago", Normaliser{}, "Exited (2) About a minute ago", "Exited (2) <duration> ago"},
		{"sizes", Normaliser{}, "0B 4.3MB 12.5 kB 1MiB (virtual 1.2GB)", "<size> <size> <size> <size> (virtual <size>)"},
		{"memory flag value is not a size", Normaliser{}, "-m 64m", "-m 64m"},
		{"version numbers stay", Normaliser{}, "20.10.24 1.41", "20.10.24 1.41"},
		{"addresses", Normaliser{}, "172.17.0.2/16 via 10.0.0.1", "<ip>/16 via <ip>"},
		{"loopback and any stay", Normaliser{}, "0.0.0.0:8080->80/tcp 127.0.0.1", "0.0.0.0:8080->80/tcp 127.0.0.1"},
		{"mac", Normaliser{}, "02:42:ac:11:00:02", "<mac>"},
		{"table padding", Normaliser{}, "NAME     STATUS\nweb      Up 2 seconds   ", "NAME  STATUS\nweb  Up <duration>"},
		{"single spaces stay", Normaliser{}, "a b  c", "a b  c"},
		{"literals longest first", Normaliser{Literals: map[string]string{"/tmp/x": "<cwd>", "/tmp/x/root": "<root>"}},
			"/tmp/x/root/v /tmp/x/f", "<root>/v <cwd>/f"},
		{"generated names by first appearance", Normaliser{Names: []string{"b_c", "a_b"}}, "a_b b_c a_b a_bc", "<name1> <name2> <name1> a_bc"},
		{"masks", Normaliser{Masks: []*regexp.Regexp{regexp.MustCompile(`pid \d+`)}}, "pid 4242 exit 1", "<masked> exit 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.Normalise(tt.in); got != tt.want {
				t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// One Normaliser serves all steps of a case: an ID keeps its number.
func TestNormaliseKeepsNumbersAcrossSteps(t *testing.T) {
	a := strings.Repeat("a", 64)
	b := strings.Repeat("b", 64)
	var n Normaliser
	if got := n.Normalise(a); got != "<id1>" {
		t.Fatalf("first step: %q", got)
	}
	if got := n.Normalise(b[:12] + " " + a[:12]); got != "<id2> <id1>" {
		t.Fatalf("second step: %q", got)
	}
}
