package ui

import (
	"fmt"
	"testing"
	"time"

	"berth/engine"
)

// BenchmarkContainersRefresh is the UI's share of one refresh of the
// containers screen over 10, 100 and 500 running containers: taking the
// new list (every container a fresh copy, as the engine returns them)
// with a stats sample of the rows on screen, and drawing the frame
// twice (after the tick and after the answer). The cost of watching
// must not grow with the containers off screen (issue 16).
func BenchmarkContainersRefresh(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchContainersTick(b, n) })
	}
}

func benchContainersTick(b *testing.B, n int) {
	be := demoBackend()
	be.containers = nil
	be.stats = map[string]*engine.Stats{}
	for i := range n {
		cid := fmt.Sprintf("%064x", i+1)
		be.containers = append(be.containers, &engine.Container{
			ID: cid, Name: fmt.Sprintf("/idle%03d", i), Path: "sleep", Args: []string{"100000"},
			Config:     engine.ContainerConfig{Image: "busybox"},
			HostConfig: engine.HostConfig{NetworkMode: "none"},
			State:      engine.State{Status: engine.StatusRunning, StartedAt: testNow.Add(-time.Duration(i) * time.Second)},
		})
		be.stats[cid] = &engine.Stats{ID: cid, Time: testNow, MemoryUsage: 400 << 10, MemoryLimit: 2 << 30, PidsCurrent: 1}
	}
	m := newTestModel(b, be)
	visible := m.containers.toSample()
	msg := containersMsg{gen: m.containers.gen, ask: listAsk{all: true}, stats: map[string]*engine.Stats{}}
	for _, c := range be.containers {
		if visible[c.ID] {
			msg.stats[c.ID] = be.stats[c.ID]
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		msg.list = make([]*engine.Container, len(be.containers))
		for i, c := range be.containers {
			cp := *c
			msg.list[i] = &cp
		}
		m.containers.hostRows, _ = m.containers.hostRows.ask()
		m.containers.reloads++ // as reload does
		m.containers, _ = m.containers.update(msg)
		_ = m.View()
		_ = m.View()
	}
}
