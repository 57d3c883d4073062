package main

import (
	"strings"
	"testing"
)

// TestComposeProfiles is testdata/compose/profiles: debug, in profile
// debug, is left out of up unless --profile debug or COMPOSE_PROFILES
// names it; when it runs it reaches web by name. down without the
// profile takes it down too.
func TestComposeProfiles(t *testing.T) {
	p := newComposeProject(t, "profiles", "prof")
	p.mustRun("up", "-d")
	p.assertNames("prof-web-1")
	if out, _ := p.mustRun("config", "--services"); strings.TrimSpace(out) != "web" {
		t.Fatalf("config --services without a profile: %q", out)
	}

	p.mustRun("--profile", "debug", "up", "-d")
	p.assertNames("prof-web-1", "prof-debug-1")
	p.waitLog("prof-debug-1", "web for profiles")
	p.mustRun("down", "-t", "1")
	p.assertNothingLeft("prof")

	if out, errOut, err := p.runEnv([]string{"COMPOSE_PROFILES=debug"}, "up", "-d"); err != nil {
		t.Fatalf("COMPOSE_PROFILES=debug compose up -d: %v\n%s%s", err, out, errOut)
	}
	p.assertNames("prof-web-1", "prof-debug-1")
	p.waitLog("prof-debug-1", "web for profiles")
	p.down()
}
