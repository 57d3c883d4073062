package cgroups

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateRejectsSoftLimitsAndWeightsDockerRejects(t *testing.T) {
	tests := []struct {
		name    string
		r       Resources
		setting string
	}{
		{"negative reservation", Resources{MemoryReservation: -1}, "memory-reservation"},
		{"reservation below 6 MiB", Resources{MemoryReservation: 1 << 20}, "memory-reservation"},
		{"reservation above memory", Resources{Memory: 64 << 20, MemoryReservation: 128 << 20}, "memory-reservation"},
		{"weight below 10", Resources{BlockIO: BlockIO{Weight: 9}}, "blkio-weight"},
		{"weight above 1000", Resources{BlockIO: BlockIO{Weight: 1001}}, "blkio-weight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.validate()
			var se *SettingError
			if !errors.As(err, &se) || se.Setting != tt.setting || !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("validate(%+v) = %v, want a SettingError for %s", tt.r, err, tt.setting)
			}
		})
	}
	for _, r := range []Resources{
		{MemoryReservation: 6 << 20},
		{Memory: 64 << 20, MemoryReservation: 64 << 20},
		{BlockIO: BlockIO{Weight: 10}},
		{BlockIO: BlockIO{Weight: 1000}},
	} {
		if err := r.validate(); err != nil {
			t.Errorf("validate(%+v) = %v", r, err)
		}
	}
}

// tail is the plan's lines after the ones every plan has.
func tail(ws []write, skip int) string { return fileValues(ws[skip:]) }

func TestPlansOfSoftLimitsAndBlockIO(t *testing.T) {
	r := Resources{
		Memory: 64 << 20, MemoryReservation: 32 << 20,
		BlockIO: BlockIO{
			Weight:    300,
			ReadBps:   []Throttle{{Major: 254, Minor: 0, Rate: 1 << 20}},
			WriteBps:  []Throttle{{Major: 254, Minor: 0, Rate: 2 << 20}, {Major: 8, Minor: 16, Rate: 4096}},
			ReadIOps:  []Throttle{{Major: 254, Minor: 0, Rate: 100}},
			WriteIOps: []Throttle{{Major: 254, Minor: 0, Rate: 50}},
		},
	}
	v1 := r
	v1.OomKillDisable = true
	ws, err := planV1(v1, hostLimits{swapAccounting: true, memswLimit: -1, blkioWeightFile: "blkio.bfq.weight"})
	if err != nil {
		t.Fatal(err)
	}
	want := `
memory.soft_limit_in_bytes=33554432
memory.oom_control=1
blkio.bfq.weight=300
blkio.throttle.read_bps_device=254:0 1048576
blkio.throttle.write_bps_device=254:0 2097152
blkio.throttle.write_bps_device=8:16 4096
blkio.throttle.read_iops_device=254:0 100
blkio.throttle.write_iops_device=254:0 50
`[1:]
	if got := tail(ws, 8); got != want {
		t.Errorf("planV1 ends with\n%s\nwant\n%s", got, want)
	}

	ws, err = planV2(r, hostLimits{swapAccounting: true, blkioWeightFile: "io.weight"})
	if err != nil {
		t.Fatal(err)
	}
	want = `
memory.low=33554432
io.weight=default 2930
io.max=254:0 rbps=1048576
io.max=254:0 wbps=2097152
io.max=8:16 wbps=4096
io.max=254:0 riops=100
io.max=254:0 wiops=50
`[1:]
	if got := tail(ws, 7); got != want {
		t.Errorf("planV2 ends with\n%s\nwant\n%s", got, want)
	}

	ws, err = planV2(Resources{BlockIO: BlockIO{Weight: 500}}, hostLimits{blkioWeightFile: "io.bfq.weight"})
	if err != nil {
		t.Fatal(err)
	}
	if got := tail(ws, 6); got != "io.bfq.weight=500\n" {
		t.Errorf("planV2 with BFQ ends with %q, want the weight as given", got)
	}
}

func TestPlanV2RefusesOomKillDisable(t *testing.T) {
	_, err := planV2(Resources{OomKillDisable: true}, hostLimits{})
	var se *SettingError
	if !errors.As(err, &se) || se.Setting != "oom-kill-disable" || !errors.Is(err, ErrNoController) {
		t.Fatalf("planV2 with OomKillDisable = %v, want a SettingError wrapping ErrNoController", err)
	}
}

func TestZeroSoftLimitsWriteNothing(t *testing.T) {
	ws, err := planV1(Resources{}, hostLimits{swapAccounting: true, memswLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if strings.HasPrefix(w.file, "blkio.") || w.file == "memory.soft_limit_in_bytes" || w.file == "memory.oom_control" {
			t.Errorf("zero resources wrote %s=%s", w.file, w.value)
		}
	}
}

func TestBlkioToIOWeight(t *testing.T) {
	for _, tt := range []struct {
		in   uint16
		want uint64
	}{{10, 1}, {500, 4950}, {1000, 10000}} {
		if got := blkioToIOWeight(tt.in); got != tt.want {
			t.Errorf("blkioToIOWeight(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
