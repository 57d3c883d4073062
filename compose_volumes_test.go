package main

import (
	"strings"
	"testing"
)

// TestComposeVolumeSurvivesDown is testdata/compose/volumes: store
// appends to a log in the named volume data at each start and reader
// reads it from store by name. down without -v keeps the volume, so the
// next up's store finds the first run's line; down -v removes it.
func TestComposeVolumeSurvivesDown(t *testing.T) {
	p := newComposeProject(t, "volumes", "vol")
	p.mustRun("up", "-d")
	p.waitLog("vol-reader-1", "started")
	if v := p.must("volume", "inspect", "--format", `{{index .Labels "com.docker.compose.project"}} {{index .Labels "com.docker.compose.volume"}}`, "vol_data"); strings.TrimSpace(v) != "vol data" {
		t.Fatalf("volume vol_data's labels: %q", v)
	}

	p.mustRun("down", "-t", "1")
	p.assertNames()
	if out := p.must("volume", "ls", "-q"); !strings.Contains(out, "vol_data") {
		t.Fatalf("down without -v removed vol_data:\n%s", out)
	}

	p.mustRun("up", "-d")
	p.waitLog("vol-reader-1", "started\nstarted")

	p.mustRun("down", "-v", "-t", "1")
	p.assertNothingLeft("vol")
	if out := p.must("volume", "ls", "-q"); strings.Contains(out, "vol_data") {
		t.Fatalf("down -v left vol_data:\n%s", out)
	}
}
