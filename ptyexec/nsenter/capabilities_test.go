package nsenter

import (
	"errors"
	"testing"
)

func TestCapabilityMask(t *testing.T) {
	docker := []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
		"CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP"}
	tests := []struct {
		name  string
		names []string
		want  uint64
		err   error
	}{
		{"none", nil, 0, nil},
		{"chown", []string{"CAP_CHOWN"}, 1, nil},
		{"last", []string{"CAP_CHECKPOINT_RESTORE"}, 1 << 40, nil},
		{"duplicates", []string{"CAP_KILL", "CAP_KILL"}, 1 << 5, nil},
		{"docker default", docker, 0xa80425fb, nil},
		{"no prefix", []string{"CHOWN"}, 0, ErrUnknownCapability},
		{"lower case", []string{"cap_chown"}, 0, ErrUnknownCapability},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CapabilityMask(tt.names)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("got %#x, %v; want %#x, %v", got, err, tt.want, tt.err)
			}
		})
	}
}
