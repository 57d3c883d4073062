package engine

import (
	"reflect"
	"testing"

	"berth/engine/containerinit"
)

// TestHiddenPaths: a container's own masked and read-only paths replace
// docker's defaults, nil keeps them, an empty list means none, and a
// privileged container has neither.
func TestHiddenPaths(t *testing.T) {
	for _, tc := range []struct {
		name             string
		hc               HostConfig
		masked, readonly []string
	}{
		{"defaults", HostConfig{}, containerinit.DefaultMaskedPaths(), containerinit.DefaultReadonlyPaths()},
		{"own", HostConfig{MaskedPaths: []string{"/bin/ls"}, ReadonlyPaths: []string{"/tmp"}}, []string{"/bin/ls"}, []string{"/tmp"}},
		{"none", HostConfig{MaskedPaths: []string{}, ReadonlyPaths: []string{}}, []string{}, []string{}},
		{"privileged", HostConfig{Privileged: true, MaskedPaths: []string{"/bin/ls"}}, nil, nil},
	} {
		masked, readonly := hiddenPaths(&tc.hc)
		if !reflect.DeepEqual(masked, tc.masked) || !reflect.DeepEqual(readonly, tc.readonly) {
			t.Errorf("%s: masked %q, read-only %q; want %q and %q", tc.name, masked, readonly, tc.masked, tc.readonly)
		}
	}
}
