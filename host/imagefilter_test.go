package host

import (
	"strings"
	"testing"

	"berth/images"
	filterArgs "berth/internal/filters"
)

// TestImagesParentRules: without -a, untagged parents are hidden; with
// -f dangling=true (with or without -a), docker 20.10 looks among the
// images no other image is built on, so an untagged parent is never
// dangling (moby daemon/images/images.go: Heads).
func TestImagesParentRules(t *testing.T) {
	base := &images.Image{ID: "b1", RepoTags: []string{"busybox:latest"}}
	mid := &images.Image{ID: "m1", Parent: "sha256:b1"}
	leaf := &images.Image{ID: "l1", Parent: "sha256:m1", RepoTags: []string{"app:1"}}
	loose := &images.Image{ID: "d1"}
	list := []*images.Image{base, mid, leaf, loose}
	ids := func(l []*images.Image) string {
		var out []string
		for _, img := range l {
			out = append(out, img.ID)
		}
		return strings.Join(out, " ")
	}
	if got := ids(WithoutIntermediateImages(list)); got != "b1 l1 d1" {
		t.Errorf("WithoutIntermediateImages = %q, want b1 l1 d1", got)
	}
	if got := ids(ImageHeads(list)); got != "l1 d1" {
		t.Errorf("ImageHeads = %q, want l1 d1", got)
	}
}

func TestParseImageFilters(t *testing.T) {
	for _, bad := range []string{"dangling=maybe", "colour=red", "reference=[", "dangling=TRUE=1", "dangling=true,dangling=false"} {
		conds, _ := filterArgs.Parse(strings.Split(bad, ","))
		if _, err := ParseImageFilters(conds); err == nil {
			t.Errorf("ParseImageFilters(%q) accepted", bad)
		}
	}
	conds, _ := filterArgs.Parse([]string{"dangling=TRUE", "reference=busy*", "label=a=b"})
	f, err := ParseImageFilters(conds)
	if err != nil || f.Dangling == nil || !*f.Dangling || f.Reference[0] != "busy*" || f.Labels[0] != "a=b" {
		t.Errorf("ParseImageFilters = %+v, %v", f, err)
	}
}
