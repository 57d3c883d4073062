package cgroups

import (
	"path/filepath"
	"testing"
)

func TestProbe(t *testing.T) {
	v1 := fakeV1(t, true)
	writeFiles(t, filepath.Join(v1, "memory"), map[string]string{"memory.oom_control": "", "memory.soft_limit_in_bytes": "", "memory.memsw.limit_in_bytes": ""})
	writeFiles(t, filepath.Join(v1, "blkio"), map[string]string{"blkio.throttle.read_bps_device": ""})
	f, err := Probe(v1)
	if err != nil {
		t.Fatal(err)
	}
	want := Features{Version: V1, SwapLimit: true, MemoryReservation: true, OomKillDisable: true, BlkioThrottle: true}
	if f != want {
		t.Errorf("Probe(v1 without a weight file) = %+v, want %+v", f, want)
	}
	writeFiles(t, filepath.Join(v1, "blkio"), map[string]string{"blkio.bfq.weight": ""})
	if f, _ := Probe(v1); !f.BlkioWeight {
		t.Errorf("Probe(v1 with blkio.bfq.weight) = %+v, want BlkioWeight", f)
	}

	f, err = Probe(fakeV2(t, "cpu memory io pids"))
	if err != nil {
		t.Fatal(err)
	}
	want = Features{Version: V2, SwapLimit: true, MemoryReservation: true, BlkioWeight: true, BlkioThrottle: true}
	if f != want {
		t.Errorf("Probe(v2) = %+v, want %+v", f, want)
	}
	if f, _ := Probe(fakeV2(t, "cpu")); f.MemoryReservation || f.BlkioThrottle || f.OomKillDisable {
		t.Errorf("Probe(v2 with cpu only) = %+v, want nothing beyond the version", f)
	}
}

func TestV1CreateWritesThrottlesAfterAccounting(t *testing.T) {
	root := fakeV1(t, true)
	group := filepath.Join(root, "blkio", "berth", "c1")
	writeFiles(t, group, map[string]string{"blkio.throttle.read_bps_device": "", "blkio.weight": ""})
	writeFiles(t, filepath.Join(root, "memory", "berth", "c1"), map[string]string{"memory.soft_limit_in_bytes": "", "memory.oom_control": ""})
	m := newV1(root, "berth/c1")
	r := Resources{Memory: 64 << 20, MemoryReservation: 16 << 20, OomKillDisable: true,
		BlockIO: BlockIO{Weight: 200, ReadBps: []Throttle{{Major: 7, Minor: 0, Rate: 4096}}}}
	if err := m.Create(r); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		filepath.Join(group, "blkio.throttle.read_bps_device"):                     "7:0 4096",
		filepath.Join(group, "blkio.weight"):                                       "200",
		filepath.Join(root, "memory", "berth", "c1", "memory.soft_limit_in_bytes"): "16777216",
		filepath.Join(root, "memory", "berth", "c1", "memory.oom_control"):         "1",
	} {
		if got := readFile(t, file); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
}
