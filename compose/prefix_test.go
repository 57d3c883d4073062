package compose

import (
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestPrefixWidthAndLogPrefix(t *testing.T) {
	tests := []struct {
		names []string
		name  string
		want  string
	}{
		{[]string{"web-1"}, "web-1", "web-1  | "},
		{[]string{"web-1", "worker-1"}, "web-1", "web-1     | "},
		{[]string{"web-1", "worker-1"}, "worker-1", "worker-1  | "},
		{[]string{"db-1", "web-10", "web-9"}, "web-9", "web-9   | "},
		{[]string{"custom_name"}, "custom_name", "custom_name  | "},
		{nil, "x", "x | "},
	}
	for _, tt := range tests {
		if got := LogPrefix(tt.name, PrefixWidth(tt.names)); got != tt.want {
			t.Errorf("LogPrefix(%q) among %q = %q, want %q", tt.name, tt.names, got, tt.want)
		}
	}
}

func TestLogColor(t *testing.T) {
	tests := []struct {
		i    int
		want string
	}{
		{0, "36"},   // cyan
		{1, "33"},   // yellow
		{2, "32"},   // green
		{3, "35"},   // magenta
		{4, "34"},   // blue
		{5, "36;1"}, // intense cyan
		{9, "34;1"}, // intense blue
		{10, "36"},  // round again
		{23, "35"},
	}
	for _, tt := range tests {
		if got := LogColor(tt.i); got != tt.want {
			t.Errorf("LogColor(%d) = %q, want %q", tt.i, got, tt.want)
		}
	}
	if got := Colorize("33", "web-1  | "); got != "\x1b[33mweb-1  | \x1b[0m" {
		t.Errorf("Colorize = %q", got)
	}
}

// TestExpectedNames: the names attached up sizes its prefixes to are the
// ones the containers' lines will carry: "web-1", not the full name.
func TestExpectedNames(t *testing.T) {
	two := 2
	p := &types.Project{Name: "shop", Services: types.Services{
		"web":    {Name: "web"},
		"worker": {Name: "worker", Scale: &two},
		"db":     {Name: "db", ContainerName: "the-db"},
	}}
	got := ExpectedNames(p, []string{"worker", "web", "db"}, map[string]int{"web": 1})
	want := []string{"the-db", "web-1", "worker-1", "worker-2"}
	if !slices.Equal(got, want) {
		t.Fatalf("ExpectedNames = %q, want %q", got, want)
	}
}
