package runopts

import (
	"errors"
	"testing"

	"berth/config"
	"berth/ptyexec"
)

func TestDetachKeysFlagOverSettings(t *testing.T) {
	set := &config.Config{DetachKeys: "ctrl-x,x", File: "/etc/berth/config.json"}
	for _, tc := range []struct {
		flag string
		cfg  *config.Config
		want string
	}{
		{"", nil, ""},
		{"", &config.Config{}, ""},
		{"", set, "ctrl-x,x"},
		{"ctrl-a,a", set, "ctrl-a,a"},
	} {
		got, err := DetachKeys(tc.flag, tc.cfg)
		if err != nil || got != tc.want {
			t.Errorf("DetachKeys(%q, %+v) = %q, %v; want %q", tc.flag, tc.cfg, got, err, tc.want)
		}
	}
	if _, err := DetachKeys("meta-x", set); !errors.Is(err, ptyexec.ErrInvalidDetachKeys) {
		t.Errorf("a bad flag: %v", err)
	}
	_, err := DetachKeys("", &config.Config{DetachKeys: "ctrl-Z", File: "/etc/berth/config.json"})
	if !errors.Is(err, ptyexec.ErrInvalidDetachKeys) || err.Error() != `setting "detach-keys" of /etc/berth/config.json: invalid detach keys (ctrl-Z): unknown character: 'ctrl-Z'` {
		t.Errorf("a bad setting: %v", err)
	}
}
