package engine

import (
	"slices"
	"testing"
)

func TestContainerEnv(t *testing.T) {
	image := []string{"PATH=/bin", "HOME=/root", "LANG=C"}
	for _, tt := range []struct {
		user, want []string
	}{
		{nil, image},
		{[]string{"A=1"}, []string{"A=1", "PATH=/bin", "HOME=/root", "LANG=C"}},
		{[]string{"LANG=en", "A=1"}, []string{"LANG=en", "A=1", "PATH=/bin", "HOME=/root"}},
		{[]string{"A=1", "A=2"}, []string{"A=1", "A=2", "PATH=/bin", "HOME=/root", "LANG=C"}},
	} {
		if got := containerEnv(image, tt.user); !slices.Equal(got, tt.want) {
			t.Errorf("containerEnv(%v) = %v, want %v", tt.user, got, tt.want)
		}
	}
}
