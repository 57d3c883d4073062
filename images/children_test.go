package images

import (
	"slices"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

func TestKeepParents(t *testing.T) {
	d := func(s string) digest.Digest { return digest.Digest("sha256:" + s) }
	a, b, c, x := d("a"), d("b"), d("c"), d("x")
	ids := []digest.Digest{a, b, c, x}
	parents := map[digest.Digest]digest.Digest{b: a, c: b} // a ← b ← c
	for _, tc := range []struct {
		name         string
		doomed, want []digest.Digest
	}{
		{"nothing", nil, nil},
		{"a dangling parent of a kept child stays", []digest.Digest{a}, nil},
		{"the whole chain goes together", []digest.Digest{a, b, c}, []digest.Digest{a, b, c}},
		{"a kept grandchild keeps both", []digest.Digest{a, b, x}, []digest.Digest{x}},
		{"a leaf goes alone", []digest.Digest{c, x}, []digest.Digest{c, x}},
	} {
		got := keepParents(slices.Clone(tc.doomed), ids, parents)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
