package cgroups

import (
	"runtime"
	"testing"
)

// TestStatsKeepNoBufferPerGroup guards the memory of a process that
// samples many containers (the TUI over 500): a Manager that has read
// its stats keeps no read buffer of its own.
func TestStatsKeepNoBufferPerGroup(t *testing.T) {
	for name, root := range map[string]string{"v1": fakeV1(t, true), "v2": fakeV2(t, "cpu memory pids io")} {
		t.Run(name, func(t *testing.T) {
			const n = 200
			ms := make([]Manager, n)
			for i := range ms {
				m, err := New(root, "berth", "c1")
				if err != nil {
					t.Fatal(err)
				}
				ms[i] = m
			}
			before := heapInUse()
			for _, m := range ms {
				if _, err := m.Stats(); err != nil {
					t.Fatal(err)
				}
			}
			grown := heapInUse() - before
			runtime.KeepAlive(ms)
			if per := grown / n; per > 512 {
				t.Errorf("each Manager keeps %d bytes more after Stats, want none (a buffer of its own is %d)", per, statBufSize)
			}
		})
	}
}

// heapInUse is the bytes of live heap objects after a collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
