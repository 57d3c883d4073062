package engine

import "testing"

// TestMountFor checks which mount a container path of a stopped
// container lies in: the longest destination it starts with, tmpfs left
// to the layers, and the path below the destination as it reads there.
func TestMountFor(t *testing.T) {
	c := &record{ContainerMounts: []containerMount{
		{Type: "volume", Source: "/v/data", Target: "/data"},
		{Type: "bind", Source: "/h/logs", Target: "/data/logs/"},
		{Type: "tmpfs", Target: "/data/tmp"},
		{Type: "bind", Source: "/h/conf", Target: "/etc/app.conf"},
	}}
	for _, tc := range []struct {
		p, source, rel string
		withTmpfs      bool
	}{
		{p: "/data", source: "/v/data", rel: "/"},
		{p: "data/", source: "/v/data", rel: "/"},
		{p: "/data/.", source: "/v/data", rel: "/."},
		{p: "/data/x", source: "/v/data", rel: "/x"},
		{p: "/data/sub/", source: "/v/data", rel: "/sub/"},
		{p: "/data/logs/a/b", source: "/h/logs", rel: "/a/b"},
		{p: "/data/logsx", source: "/v/data", rel: "/logsx"},
		{p: "/data/x/../logs/a", source: "/h/logs", rel: "/a"},
		{p: "/data/tmp/f", source: "/v/data", rel: "/tmp/f"},
		{p: "/data/tmp/f", source: "", rel: "/f", withTmpfs: true},
		{p: "/etc/app.conf", source: "/h/conf", rel: "/"},
		{p: "/datax", source: "-"},
		{p: "/", source: "-"},
		{p: "/etc/passwd", source: "-"},
		{p: "/../data/x", source: "/v/data", rel: "/x"},
	} {
		m, rel := mountFor(c, tc.p, tc.withTmpfs)
		switch {
		case tc.source == "-" && m != nil:
			t.Errorf("%q: in the mount at %s, want the layers", tc.p, m.Target)
		case tc.source == "-":
		case m == nil:
			t.Errorf("%q: on the layers, want the mount of %q", tc.p, tc.source)
		case m.Source != tc.source || rel != tc.rel:
			t.Errorf("%q: %q %q, want %q %q", tc.p, m.Source, rel, tc.source, tc.rel)
		}
	}
}
