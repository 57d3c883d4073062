package ui

import (
	"fmt"
	"testing"
)

// BenchmarkLogsFrame is one frame of a followed log: a batch of 4 lines
// (45 lines/s at ten frames a second) taken by Update and the screen
// drawn, on a 100x30 terminal with 1000 lines loaded.
func BenchmarkLogsFrame(b *testing.B) {
	m := newTestModel(b, demoBackend())
	m = press(b, m, "G", "l")
	m = step(b, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: manyLines(1000)})
	batch := make([]logLine, 4)
	for i := range batch {
		batch[i] = logLine{time: testNow, text: fmt.Sprintf("2026-11-29 request %d GET /index.html 200 0.3ms", i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		next, _ := m.Update(logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: batch})
		m = next.(model)
		_ = m.View()
	}
}
