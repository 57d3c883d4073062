package main

import (
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestComposeRecreateOne is testdata/compose/recreate: up -d again
// without an edit recreates nothing; an edit of worker's environment
// recreates worker alone, under its name, and it reaches web and cache
// by name again.
func TestComposeRecreateOne(t *testing.T) {
	p := newComposeProject(t, "recreate", "rec")
	p.mustRun("up", "-d")
	p.waitLog("rec-worker-1", "v1 web page cache page")
	services := []string{"cache", "web", "worker"}
	ids := func() map[string]string {
		m := map[string]string{}
		for _, s := range services {
			m[s] = p.inspect(p.container(s, 1), "{{.Id}}")
		}
		return m
	}
	before := ids()

	_, errOut := p.mustRun("up", "-d")
	if strings.Contains(errOut, "Recreate") {
		t.Fatalf("up -d without an edit recreated:\n%s", errOut)
	}
	if again := ids(); !maps.Equal(again, before) {
		t.Fatalf("up -d without an edit changed containers: %v, were %v", again, before)
	}

	file := filepath.Join(p.dir, "compose.yaml")
	yaml, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(yaml), `VERSION: "1"`, `VERSION: "2"`, 1)
	if edited == string(yaml) {
		t.Fatal(`compose.yaml has no VERSION: "1" to edit`)
	}
	p.write("compose.yaml", edited)
	_, errOut = p.mustRun("up", "-d", "-t", "1")
	after := ids()
	for _, s := range services {
		changed := after[s] != before[s]
		if changed != (s == "worker") {
			t.Fatalf("after editing worker, %s changed: %t (ids %v, were %v)\n%s", s, changed, after, before, errOut)
		}
	}
	if strings.Count(errOut, "Recreate") != 2 || !strings.Contains(errOut, "rec-worker-1  Recreated") {
		t.Fatalf("up after the edit did not report recreating worker alone:\n%s", errOut)
	}
	p.waitLog("rec-worker-1", "v2 web page cache page")
	p.down()
}

// TestComposeScale is testdata/compose/scale: up --scale worker=3 makes
// scale-worker-1..3, each reaching web by name; --scale worker=1 then
// removes the highest numbers and keeps worker-1 as it was.
func TestComposeScale(t *testing.T) {
	p := newComposeProject(t, "scale", "sc")
	p.mustRun("up", "-d", "--scale", "worker=3")
	p.assertNames("sc-web-1", "sc-worker-1", "sc-worker-2", "sc-worker-3")
	for n := 1; n <= 3; n++ {
		name := p.container("worker", n)
		p.waitLog(name, "got: web for workers")
		if num := p.inspect(name, `{{index .Config.Labels "com.docker.compose.container-number"}}`); num != strconv.Itoa(n) {
			t.Fatalf("%s's container-number label: %q", name, num)
		}
	}
	first := p.inspect("sc-worker-1", "{{.Id}}")

	_, errOut := p.mustRun("up", "-d", "--scale", "worker=1", "-t", "1")
	p.assertNames("sc-web-1", "sc-worker-1")
	if id := p.inspect("sc-worker-1", "{{.Id}}"); id != first {
		t.Fatalf("scaling down replaced sc-worker-1 (%s, was %s)", id, first)
	}
	if i3, i2 := strings.Index(errOut, "sc-worker-3  Removed"), strings.Index(errOut, "sc-worker-2  Removed"); i3 < 0 || i2 < 0 || i3 > i2 {
		t.Fatalf("scaling down did not remove worker-3, then worker-2:\n%s", errOut)
	}
	p.down()
}
