package host

import (
	"strings"
	"testing"

	"berth/engine"
)

func TestSplitRepoTag(t *testing.T) {
	for in, want := range map[string][2]string{
		"busybox:latest":                 {"busybox", "latest"},
		"registry.local:5000/team/app:1": {"registry.local:5000/team/app", "1"},
		"registry.local:5000/team/app":   {"registry.local:5000/team/app", "<none>"},
		"app":                            {"app", "<none>"},
	} {
		if r, tg := SplitRepoTag(in); r != want[0] || tg != want[1] {
			t.Errorf("SplitRepoTag(%q) = %q, %q; want %q", in, r, tg, want)
		}
	}
}

func TestImageUse(t *testing.T) {
	web := &engine.Container{ID: strings.Repeat("a", 64), Name: "/web", Image: "sha256:" + strings.Repeat("1", 64)}
	job := &engine.Container{ID: strings.Repeat("b", 64), Name: "/job", Image: "sha256:" + strings.Repeat("1", 64)}
	other := &engine.Container{ID: strings.Repeat("c", 64), Name: "/other", Image: strings.Repeat("2", 64)}
	use := imageUseOf([]*engine.Container{web, job, other})
	for _, tt := range []struct {
		image string
		user  string
		n     int
	}{
		{strings.Repeat("1", 64), "aaaaaaaaaaaa", 2},
		{"sha256:" + strings.Repeat("1", 64), "aaaaaaaaaaaa", 2},
		{"sha256:" + strings.Repeat("2", 64), "cccccccccccc", 1},
		{strings.Repeat("3", 64), "", 0},
	} {
		user, ok := use.InUse(tt.image)
		if user != tt.user || ok != (tt.n > 0) || use.Count(tt.image) != tt.n {
			t.Errorf("%s: InUse = %q, %v; Count = %d; want %q, %d", tt.image, user, ok, use.Count(tt.image), tt.user, tt.n)
		}
	}
}
