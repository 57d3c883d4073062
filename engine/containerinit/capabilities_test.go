package containerinit

import (
	"errors"
	"slices"
	"testing"

	"berth/ptyexec/nsenter"
)

func TestCapabilities(t *testing.T) {
	all := nsenter.CapabilityNames()
	tests := []struct {
		name       string
		add, drop  []string
		privileged bool
		want       []string
		err        error
	}{
		{name: "defaults", want: DefaultCapabilities()},
		{name: "add without prefix, any case", add: []string{"sys_admin", "Net_Admin"},
			want: sortCapabilities(append(DefaultCapabilities(), "CAP_SYS_ADMIN", "CAP_NET_ADMIN"))},
		{name: "add a default again", add: []string{"CAP_CHOWN"}, want: DefaultCapabilities()},
		{name: "drop", drop: []string{"chown", "CAP_KILL"},
			want: slices.DeleteFunc(DefaultCapabilities(), func(c string) bool { return c == "CAP_CHOWN" || c == "CAP_KILL" })},
		{name: "drop all add one", add: []string{"NET_BIND_SERVICE"}, drop: []string{"ALL"}, want: []string{"CAP_NET_BIND_SERVICE"}},
		{name: "drop all", drop: []string{"all"}, want: nil},
		{name: "add all drop one", add: []string{"ALL"}, drop: []string{"SYS_ADMIN"},
			want: slices.DeleteFunc(slices.Clone(all), func(c string) bool { return c == "CAP_SYS_ADMIN" })},
		{name: "privileged ignores the rest", add: []string{"bogus"}, privileged: true, want: all},
		{name: "unknown add", add: []string{"FLY"}, err: ErrUnknownCapability},
		{name: "unknown drop", drop: []string{"CAP_FLY"}, err: ErrUnknownCapability},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Capabilities(tt.add, tt.drop, tt.privileged)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestCapabilityMask(t *testing.T) {
	tests := []struct {
		caps []string
		want uint64
		err  error
	}{
		{DefaultCapabilities(), 0xa80425fb, nil},
		{nil, 0, nil},
		{[]string{"CAP_CHECKPOINT_RESTORE"}, 1 << 40, nil},
		{nsenter.CapabilityNames(), 1<<41 - 1, nil},
		{[]string{"CHOWN"}, 0, ErrUnknownCapability},
	}
	for _, tt := range tests {
		got, err := capabilityMask(tt.caps)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("capabilityMask(%v) = %#x, %v; want %#x, %v", tt.caps, got, err, tt.want, tt.err)
		}
	}
}

func TestDefaultsAreFresh(t *testing.T) {
	DefaultCapabilities()[0] = "changed"
	DefaultMaskedPaths()[0] = "changed"
	all, _ := Capabilities(nil, nil, true)
	all[0] = "changed"
	if DefaultCapabilities()[0] != "CAP_CHOWN" || DefaultMaskedPaths()[0] != "/proc/asound" || nsenter.CapabilityNames()[0] != "CAP_CHOWN" {
		t.Error("defaults are shared state")
	}
}
