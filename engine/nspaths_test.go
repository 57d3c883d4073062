package engine

import "testing"

func TestCheckNamespacePaths(t *testing.T) {
	for _, tc := range []struct {
		name string
		hc   HostConfig
		ok   bool
	}{
		{"none", HostConfig{}, true},
		{"pod", HostConfig{NetworkMode: "none", NamespacePaths: map[string]string{"net": "/run/p/net", "ipc": "/run/p/ipc", "uts": "/run/p/uts"}}, true},
		{"net on a bridge", HostConfig{NetworkMode: "bridge", NamespacePaths: map[string]string{"net": "/run/p/net"}}, false},
		{"pid", HostConfig{NamespacePaths: map[string]string{"pid": "/run/p/pid"}}, true},
		{"pid host", HostConfig{PidMode: ModeHost, NamespacePaths: map[string]string{"pid": "/run/p/pid"}}, false},
		{"mnt", HostConfig{NamespacePaths: map[string]string{"mnt": "/run/p/mnt"}}, false},
		{"relative", HostConfig{NamespacePaths: map[string]string{"ipc": "p/ipc"}}, false},
		{"ipc host", HostConfig{IpcMode: ModeHost, NamespacePaths: map[string]string{"ipc": "/run/p/ipc"}}, false},
		{"uts host", HostConfig{UTSMode: ModeHost, NamespacePaths: map[string]string{"uts": "/run/p/uts"}}, false},
	} {
		if err := checkNamespacePaths(tc.hc); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	hc := HostConfig{NamespacePaths: map[string]string{"uts": "/u", "net": "/n"}}
	if got := pathKinds(hc); len(got) != 2 || got[0] != "net" || got[1] != "uts" {
		t.Errorf("pathKinds: %v", got)
	}
}
