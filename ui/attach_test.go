package ui

import (
	"bytes"
	"testing"

	"berth/engine"
)

func TestCRLFWriter(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb\n", "a\r\nb\r\n"},
		{"\n\n", "\r\n\r\n"},
		{"already\r\n", "already\r\r\n"}, // as ONLCR: a terminal draws it the same
	} {
		var out bytes.Buffer
		n, err := crlfWriter{&out}.Write([]byte(tc.in))
		if err != nil || n != len(tc.in) || out.String() != tc.want {
			t.Errorf("Write(%q) = %d, %v, wrote %q; want %d, %q", tc.in, n, err, out.String(), len(tc.in), tc.want)
		}
	}
}

func TestAttachHintNamesTheDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  engine.ContainerConfig
		want string
	}{
		{"stdin closed", engine.ContainerConfig{}, "berth: attached to web (its stdin is closed: what you type is not sent) · ctrl-p ctrl-q detaches\r\n"},
		{"stdin, no terminal", engine.ContainerConfig{OpenStdin: true}, "berth: attached to web (no terminal: ctrl-c is sent as a key, not a signal) · ctrl-p ctrl-q detaches\r\n"},
		{"terminal", engine.ContainerConfig{OpenStdin: true, Tty: true}, "berth: attached to web · ctrl-p ctrl-q detaches\r\n"},
	} {
		if got := attachHint("web", &engine.Container{Config: tc.cfg}, detachKeys{}); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
