package cli

import (
	"reflect"
	"testing"

	"berth/api"
	"berth/config"
)

func TestTUICLIFlags(t *testing.T) {
	c := &config.Config{DataRoot: "/d", RunRoot: "/r"}
	withFile := &config.Config{DataRoot: "/d", RunRoot: "/r", File: "/etc/b.json"}
	for _, tc := range []struct {
		name string
		c    *config.Config
		h    tuiHost
		want []string
	}{
		{"this machine: its roots", c, tuiHost{Name: "local"}, []string{"--root", "/d", "--run-root", "/r"}},
		{"this machine with a settings file", withFile, tuiHost{Name: "local"}, []string{"--root", "/d", "--run-root", "/r", "--config", "/etc/b.json"}},
		{"another machine: its address", c, tuiHost{Name: "far", Remote: &api.Endpoint{Host: "ssh://me@far"}}, []string{"--host", "ssh://me@far"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tuiCLIFlags(tc.c, tc.h); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tuiCLIFlags = %q, want %q", got, tc.want)
			}
		})
	}
}
