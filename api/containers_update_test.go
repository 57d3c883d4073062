package api

import (
	"errors"
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestUpdateOptions(t *testing.T) {
	pids := int64(50)
	cfg := container.UpdateConfig{Resources: container.Resources{Memory: 64 << 20, PidsLimit: &pids, CpusetCpus: "0"}}
	cfg.RestartPolicy.Name = container.RestartPolicyOnFailure
	cfg.RestartPolicy.MaximumRetryCount = 3
	opts, err := UpdateOptions(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Memory == nil || *opts.Memory != 64<<20 || opts.MemorySwap != nil || opts.NanoCPUs != nil {
		t.Errorf("memory = %v, swap %v, cpus %v: want only the memory set", opts.Memory, opts.MemorySwap, opts.NanoCPUs)
	}
	if opts.PidsLimit == nil || *opts.PidsLimit != 50 || opts.CpusetCpus == nil || *opts.CpusetCpus != "0" {
		t.Errorf("pids %v, cpuset %v", opts.PidsLimit, opts.CpusetCpus)
	}
	if rp := opts.RestartPolicy; rp == nil || rp.Name != "on-failure" || rp.MaximumRetryCount != 3 {
		t.Errorf("restart policy = %+v", rp)
	}

	_, err = UpdateOptions(&container.UpdateConfig{Resources: container.Resources{BlkioWeight: 300, CpusetMems: "0"}})
	if !errors.Is(err, errInvalidArgument) || err.Error() != "berth cannot update BlkioWeight, CpusetMems of a container: recreate it with the new settings" {
		t.Errorf("unsupported fields: err = %v", err)
	}
}
