package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"berth/engine"
)

// l with two containers marked opens their logs together, in time order,
// each line with its container's name as prefix, padded to the widest
// (and one space more, as compose pads).
func TestMarkedContainersLogs(t *testing.T) {
	b := demoBackend()
	b.logs[id('b')] = []engine.LogEntry{
		{Stream: "stdout", Time: testNow.Add(-2500 * time.Millisecond), Line: []byte("tick\n")},
		{Stream: "stdout", Time: testNow.Add(-1500 * time.Millisecond), Line: []byte("tock\n")},
	}
	m := newTestModel(t, b)
	m = rowOf(t, m, "web", "local")
	m = press(t, m, "space")
	m = rowOf(t, m, "ticker", "local")
	m = press(t, m, "space")
	m = rowOf(t, m, "old_job", "local") // the cursor's row is not in the log
	m = press(t, m, "l")
	if m.state != stateLogs || m.logs.project == nil {
		t.Fatalf("l on marked rows opened %s", m.state)
	}
	m = await(t, m, "both logs", func(m model) bool { return len(m.logs.lines) == 5 })
	var got []string
	line := regexp.MustCompile(`(web|ticker)( +)\| (.*\S)`)
	for _, l := range strings.Split(screen(m), "\n") {
		if g := line.FindStringSubmatch(l); g != nil {
			got = append(got, g[1]+"|"+g[3])
			if len(g[1])+len(g[2]) != len("ticker")+2 {
				t.Errorf("prefix not padded to the widest name, as compose pads: %q", l)
			}
		}
	}
	want := []string{
		"web|listening on :80",
		"ticker|tick",
		"web|warning: no index.html",
		"ticker|tock",
		"web|GET / 200",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("marked log:\n%s\nwant\n%s\nscreen:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), screen(m))
	}
	if !strings.Contains(screen(m), "Logs: ticker, web") && !strings.Contains(screen(m), "Logs: web, ticker") {
		t.Errorf("the crumb does not name both:\n%s", screen(m))
	}
	// Each container has its own colour.
	src := m.logs.project.sources
	if src[id('a')].colour == src[id('b')].colour {
		t.Error("web and ticker share a colour")
	}
}

// Marked containers of two hosts are refused: one host's at a time.
func TestMarkedLogsOfTwoHosts(t *testing.T) {
	m, _, _ := twoHosts(t)
	m = rowOf(t, m, "web", "local")
	m = press(t, m, "space")
	m = rowOf(t, m, "web", "far")
	m = press(t, m, "space", "l")
	if m.state != stateContainers || !strings.Contains(m.status, "several hosts") {
		t.Errorf("l on two hosts' marks: %s, %q", m.state, m.status)
	}
}
