package cli

import (
	"reflect"
	"testing"
)

func TestHoistComposeFlags(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"compose", "-p", "web", "up", "-d"}, []string{"compose", "--project-name=web", "up", "-d"}},
		{[]string{"--root", "/r", "compose", "-f", "a.yaml", "-f", "b.yaml", "rm", "-f"},
			[]string{"--root", "/r", "compose", "--file=a.yaml", "--file=b.yaml", "rm", "-f"}},
		{[]string{"compose", "-pweb", "-f=c.yaml", "run", "-p", "80:80", "app"},
			[]string{"compose", "--project-name=web", "--file=c.yaml", "run", "-p", "80:80", "app"}},
		{[]string{"compose", "--profile", "-p", "--env-file", "e", "ps"}, []string{"compose", "--profile", "-p", "--env-file", "e", "ps"}},
		{[]string{"compose", "--project-name", "x", "logs", "-f"}, []string{"compose", "--project-name", "x", "logs", "-f"}},
		{[]string{"run", "-p", "80:80", "busybox"}, []string{"run", "-p", "80:80", "busybox"}},
		{[]string{"compose", "-p"}, []string{"compose", "-p"}},
		{[]string{"compose"}, []string{"compose"}},
		{[]string{"--", "compose", "-p", "x"}, []string{"--", "compose", "-p", "x"}},
	}
	for _, tt := range tests {
		if got := hoistComposeFlags(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("hoistComposeFlags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
