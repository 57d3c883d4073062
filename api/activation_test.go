package api

import "testing"

func TestActivationFDs(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		want    int
		wantErr bool
	}{
		{"not activated", map[string]string{}, 0, false},
		{"for another process", map[string]string{"LISTEN_PID": "99", "LISTEN_FDS": "1"}, 0, false},
		{"one socket", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "1"}, 1, false},
		{"two sockets", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "2"}, 2, false},
		{"garbled count", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "x"}, 0, true},
		{"negative count", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "-1"}, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := activationFDs(func(k string) string { return tt.env[k] }, 42)
			if (err != nil) != tt.wantErr || n != tt.want {
				t.Fatalf("activationFDs = %d, %v; want %d, error %v", n, err, tt.want, tt.wantErr)
			}
		})
	}
}
