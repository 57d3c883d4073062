package images

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

func TestLinkName(t *testing.T) {
	for _, tc := range []struct {
		chain digest.Digest
		want  string // "" for an error
	}{
		{digest.FromString("a"), "ZKLYCEWKDO64V6WCGGZZUI64JU"}, // base32 of its first 16 bytes,
		{digest.Digest("sha256:" + strings.Repeat("0", 64)), "AAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{digest.Digest("sha256:abc"), ""},
		{digest.Digest("sha512:" + strings.Repeat("0", 128)), ""},
		{digest.Digest("../../etc"), ""},
	} {
		got, err := linkName(tc.chain)
		if tc.want == "" {
			if err == nil {
				t.Errorf("linkName(%q) = %q, want an error", tc.chain, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("linkName(%q) = %q, %v; want %q", tc.chain, got, err, tc.want)
		}
	}
}

// TestRootfsMountsFitManyLayers: with short links, the options of 130
// layers fit the kernel's page whatever the data root's length; 140 do
// not, and fail with a clear error before anything is made.
func TestRootfsMountsFitManyLayers(t *testing.T) {
	root := filepath.Join("/", strings.Repeat("long-data-root/", 20))
	s := &Store{root: root, driver: DriverOverlay2}
	chains := func(n int) []digest.Digest {
		var c []digest.Digest
		for i := range n {
			c = append(c, digest.FromString(fmt.Sprint(i)))
		}
		return c
	}
	id := strings.Repeat("c", 64)
	mounts, err := s.rootfsMounts(&rootfsRecord{ID: id, Driver: DriverOverlay2, Layers: chains(130)})
	if err != nil {
		t.Fatal(err)
	}
	m := mounts[0]
	if m.Dir != filepath.Join(root, "layers", "overlay2") {
		t.Errorf("Dir = %q", m.Dir)
	}
	top, _ := linkName(chains(130)[129])
	want := []string{"lowerdir=l/" + top + ":", "upperdir=../../containers/" + id + "/diff", "workdir=../../containers/" + id + "/work"}
	for i, w := range want {
		if !strings.HasPrefix(m.Options[i], w) {
			t.Errorf("option %d = %.80q, want %q…", i, m.Options[i], w)
		}
	}
	if _, err := s.rootfsMounts(&rootfsRecord{ID: id, Driver: DriverOverlay2, Layers: chains(140)}); err == nil || !strings.Contains(err.Error(), "140 layers") {
		t.Errorf("140 layers: %v", err)
	}
}
