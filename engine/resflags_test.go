package engine

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	units "github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"berth/cgroups"
	"berth/images"
	"berth/ptyexec/nsenter"
)

func TestCheckPlatform(t *testing.T) {
	img := &images.Image{OS: "linux", Arch: runtime.GOARCH}
	for _, ok := range []string{"", "linux", "LINUX/" + runtime.GOARCH, "linux/" + runtime.GOARCH + "/v8"} {
		if err := checkPlatform(ok, img, "busybox"); err != nil {
			t.Errorf("checkPlatform(%q) = %v", ok, err)
		}
	}
	if err := checkPlatform("linux/x86_64", &images.Image{OS: "linux", Arch: "amd64"}, "busybox"); err != nil {
		t.Errorf("x86_64 is amd64: %v", err)
	}
	err := checkPlatform("windows/amd64", &images.Image{OS: "linux", Arch: "amd64"}, "busybox")
	if !errors.Is(err, images.ErrNotFound) || !strings.Contains(err.Error(),
		"image with reference busybox was found but its platform (linux/amd64) does not match the specified platform (windows/amd64)") {
		t.Errorf("checkPlatform(windows/amd64) = %v", err)
	}
	if err := checkPlatform("a/b/c/d", img, "busybox"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("checkPlatform(a/b/c/d) = %v, want ErrInvalidArgument", err)
	}
}

func TestRlimits(t *testing.T) {
	got, err := rlimits([]*units.Ulimit{{Name: "nofile", Soft: 10, Hard: 20}, {Name: "core", Soft: -1, Hard: -1}})
	want := []nsenter.Rlimit{{Resource: unix.RLIMIT_NOFILE, Soft: 10, Hard: 20}, {Resource: unix.RLIMIT_CORE, Soft: ^uint64(0), Hard: ^uint64(0)}}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("rlimits = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []*units.Ulimit{{Name: "bogus", Soft: 1, Hard: 1}, {Name: "nofile", Soft: 20, Hard: 10}} {
		if _, err := rlimits([]*units.Ulimit{bad}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("rlimits(%v) = %v, want ErrInvalidArgument", bad, err)
		}
	}
}

func TestAddResourceFlags(t *testing.T) {
	yes := true
	var cr cgroups.Resources
	cr.MemorySwap = 128 << 20
	addResourceFlags(&cr, Resources{Memory: 64 << 20, MemorySwap: 128 << 20, CPUPeriod: 50000, CPUQuota: 20000,
		MemoryReservation: 32 << 20, OomKillDisable: &yes})
	if cr.MemorySwap != 0 || cr.CPUPeriod != 50000 || cr.CPUQuota != 20000 || cr.MemoryReservation != 32<<20 || !cr.OomKillDisable {
		t.Errorf("addResourceFlags = %+v", cr)
	}
	cr = cgroups.Resources{CPUPeriod: 100000, CPUQuota: 150000}
	addResourceFlags(&cr, Resources{NanoCPUs: 1.5e9})
	if cr.CPUPeriod != 100000 || cr.CPUQuota != 150000 {
		t.Errorf("--cpus was replaced: %+v", cr)
	}
}
