package ui

import (
	"fmt"
	"testing"
	"time"

	"berth/engine"
)

// BenchmarkContainersFrame is the time to draw one frame of the
// containers screen with 100 running containers, sparklines full.
func BenchmarkContainersFrame(b *testing.B) {
	be := demoBackend()
	be.containers = nil
	be.stats = map[string]*engine.Stats{}
	for i := range 100 {
		cid := fmt.Sprintf("%064x", i+1)
		be.containers = append(be.containers, &engine.Container{
			ID: cid, Name: fmt.Sprintf("/service_%03d", i), Path: "sh",
			Config: engine.ContainerConfig{Image: "busybox:latest"},
			HostConfig: engine.HostConfig{PortBindings: map[string][]engine.PortBinding{
				"80/tcp": {{HostPort: fmt.Sprint(8000 + i)}}}},
			State: engine.State{Status: engine.StatusRunning, StartedAt: testNow.Add(-time.Duration(i) * time.Minute)},
		})
		be.stats[cid] = &engine.Stats{ID: cid, Time: testNow, MemoryUsage: uint64(i) << 20, MemoryLimit: 2 << 30, PidsCurrent: 3}
	}
	m := newTestModel(b, be)
	for range sparkHistory {
		advance(be, 30*time.Millisecond)
		m = step(b, m, refreshMsg{})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}
