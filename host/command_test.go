package host

import "testing"

func TestCommandLine(t *testing.T) {
	tests := []struct {
		path string
		args []string
		want string
	}{
		{"sh", []string{"-c", "sleep 1000"}, "sh -c 'sleep 1000'"},
		{"top", nil, "top"},
		{"echo", []string{"a", "b c", ""}, "echo a 'b c' "},
	}
	for _, tt := range tests {
		if got := CommandLine(tt.path, tt.args); got != tt.want {
			t.Errorf("CommandLine(%q, %q) = %q, want %q", tt.path, tt.args, got, tt.want)
		}
	}
}
