package cri

import (
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestCPURates(t *testing.T) {
	var r cpuRates
	t0 := time.Unix(1000, 0)
	if u := r.usage("a", 5e9, t0); u.UsageNanoCores != nil || u.UsageCoreNanoSeconds.GetValue() != 5e9 || u.Timestamp != t0.UnixNano() {
		t.Errorf("first reading: %v", u)
	}
	// Half a core over two seconds.
	if u := r.usage("a", 6e9, t0.Add(2*time.Second)); u.UsageNanoCores.GetValue() != 5e8 {
		t.Errorf("second reading: %v", u)
	}
	if u := r.usage("b", 1e9, t0.Add(2*time.Second)); u.UsageNanoCores != nil {
		t.Errorf("another ID's first reading: %v", u)
	}
	// A counter that went back (a restarted container) has no rate.
	if u := r.usage("a", 1e9, t0.Add(3*time.Second)); u.UsageNanoCores != nil {
		t.Errorf("after a reset: %v", u)
	}
	// Readings older than the TTL are forgotten.
	r.usage("c", 1, t0.Add(cpuRateTTL+time.Hour))
	if _, ok := r.last["b"]; ok {
		t.Error("an old reading is kept")
	}
}

func TestUpdateOptions(t *testing.T) {
	o := updateOptions(&runtimeapi.LinuxContainerResources{MemoryLimitInBytes: 1 << 30, CpuQuota: 50000, CpusetMems: "0"})
	if o.Memory == nil || *o.Memory != 1<<30 || o.CPUQuota == nil || *o.CPUQuota != 50000 || o.CpusetMems == nil || *o.CpusetMems != "0" ||
		o.CPUShares != nil || o.CPUPeriod != nil || o.CpusetCpus != nil {
		t.Errorf("update options: %+v", o)
	}
	if o := updateOptions(nil); o.Memory != nil || o.CPUShares != nil {
		t.Errorf("no resources: %+v", o)
	}
}
