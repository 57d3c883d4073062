package containerinit

import (
	"slices"
	"testing"
)

func TestBuildEnv(t *testing.T) {
	path := "PATH=" + DefaultPath
	tests := []struct {
		name     string
		env      []string
		home     string
		hostname string
		terminal bool
		want     []string
	}{
		{"empty", nil, "/root", "", false, []string{path, "HOME=/root"}},
		{"hostname", []string{"A=1"}, "/", "box", false, []string{"A=1", path, "HOSTNAME=box", "HOME=/"}},
		{"terminal", nil, "/", "", true, []string{path, "TERM=xterm", "HOME=/"}},
		{"given values win", []string{"PATH=/bin", "HOME=/h", "HOSTNAME=x", "TERM=vt100"}, "/root", "box", true,
			[]string{"PATH=/bin", "HOME=/h", "HOSTNAME=x", "TERM=vt100"}},
		{"empty value counts as set", []string{"HOME="}, "/root", "", false, []string{"HOME=", path}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildEnv(tt.env, tt.home, tt.hostname, tt.terminal)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLookupEnv(t *testing.T) {
	env := []string{"A=1", "B", "A=2", "C=x=y"}
	for _, tt := range []struct {
		key, want string
		ok        bool
	}{{"A", "2", true}, {"C", "x=y", true}, {"B", "", false}, {"D", "", false}} {
		if got, ok := lookupEnv(env, tt.key); got != tt.want || ok != tt.ok {
			t.Errorf("lookupEnv(%s) = %q, %v", tt.key, got, ok)
		}
	}
}
