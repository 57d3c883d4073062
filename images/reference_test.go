package images

import (
	"errors"
	"testing"
)

func TestParseReference(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "busybox", want: "docker.io/library/busybox:latest"},
		{in: "busybox:1.36", want: "docker.io/library/busybox:1.36"},
		{in: "library/busybox", want: "docker.io/library/busybox:latest"},
		{in: "docker.io/library/busybox:latest", want: "docker.io/library/busybox:latest"},
		{in: "team/app:1", want: "docker.io/team/app:1"},
		{in: "registry.local:5000/team/app:1", want: "registry.local:5000/team/app:1"},
		{in: "localhost/app", want: "localhost/app:latest"},
		{in: "app@sha256:" + hex64('a'), want: "docker.io/library/app@sha256:" + hex64('a')},
		{in: "Busybox", bad: true},
		{in: "busybox:", bad: true},
		{in: "a b", bad: true},
		{in: "", bad: true},
		{in: hex64('b'), bad: true},
	}
	for _, tt := range tests {
		got, err := ParseReference(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrInvalidReference) {
				t.Errorf("ParseReference(%q) = %v, %v; want ErrInvalidReference", tt.in, got, err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseReference(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestFamiliarReference(t *testing.T) {
	tests := []struct{ in, want string }{
		{"docker.io/library/busybox:latest", "busybox:latest"},
		{"docker.io/team/app:1", "team/app:1"},
		{"registry.local:5000/team/app:1", "registry.local:5000/team/app:1"},
	}
	for _, tt := range tests {
		if got := FamiliarReference(tt.in); got != tt.want {
			t.Errorf("FamiliarReference(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTagReferenceRefusesDigest(t *testing.T) {
	if _, err := parseTagReference("app@sha256:" + hex64('a')); !errors.Is(err, ErrInvalidReference) {
		t.Fatalf("err = %v, want ErrInvalidReference", err)
	}
}

func hex64(c byte) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return string(b)
}
