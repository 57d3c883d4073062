package main

import (
	"slices"
	"strings"
	"testing"
)

// TestComposeMigrationGate is testdata/compose/webapp: migrate, built
// from the project's Dockerfile, reads db by name and exits 0; web
// starts only after that (service_completed_successfully) and serves
// what migrate wrote; worker reads it from web by name.
func TestComposeMigrationGate(t *testing.T) {
	p := newComposeProject(t, "webapp", "mig")
	p.mustRun("up", "-d")
	p.assertNames("mig-db-1", "mig-migrate-1", "mig-web-1", "mig-worker-1")
	p.waitLog("mig-worker-1", "migrated from db ready")
	if st := p.inspect("mig-migrate-1", "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 0" {
		t.Fatalf("migrate: %s, want exited 0", st)
	}
	finished := p.timeField("mig-migrate-1", "{{.State.FinishedAt}}")
	if started := p.startedAt("mig-web-1"); started.Before(finished) {
		t.Fatalf("web started at %s, before migrate finished at %s", started, finished)
	}
	if img := p.inspect("mig-migrate-1", "{{.Config.Image}}"); img != "mig-migrate" {
		t.Fatalf("migrate runs %q, want the image built for it, mig-migrate", img)
	}
	p.down()
	if out, _ := p.berth("image", "inspect", "mig-migrate").CombinedOutput(); !strings.Contains(strings.ToLower(string(out)), "no such image") {
		t.Fatalf("down --rmi local left the built image mig-migrate: %s", out)
	}
}

// TestComposeMigrationFails: a migration that exits 3 (MIGRATE_EXIT
// from .env) fails up, which names the service and exits non-zero; db,
// started before, runs on, and web and worker never start.
func TestComposeMigrationFails(t *testing.T) {
	p := newComposeProject(t, "webapp", "bad")
	p.write(".env", "MIGRATE_EXIT=3\n")
	out, errOut, err := p.run("up", "-d")
	if code := exitCodeOf(err); code != 1 {
		t.Fatalf("up with a failing migration: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, `service "migrate" didn't complete successfully: exit 3`) {
		t.Fatalf("up's error does not name migrate and its exit:\n%s", errOut)
	}
	if st := p.inspect("bad-db-1", "{{.State.Status}}"); st != "running" {
		t.Fatalf("db after the failed up: %s, want running", st)
	}
	if st := p.inspect("bad-migrate-1", "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 3" {
		t.Fatalf("migrate: %s, want exited 3", st)
	}
	names := p.names()
	for _, name := range []string{"bad-web-1", "bad-worker-1"} {
		if slices.Contains(names, name) && p.inspect(name, "{{.State.Status}}") == "running" {
			t.Fatalf("%s runs after its dependency failed", name)
		}
	}
	p.down()
}

// TestComposeHealthyDependency is testdata/compose/health: app waits
// for db's healthcheck (service_healthy) and fetches db by name once at
// start, so that app running proves the order; up --wait returns once
// db is healthy and app runs.
func TestComposeHealthyDependency(t *testing.T) {
	p := newComposeProject(t, "health", "hc")
	_, errOut := p.mustRun("up", "--wait")
	if h := p.inspect("hc-db-1", "{{.State.Health.Status}}"); h != "healthy" {
		t.Fatalf("db after up --wait: %s, want healthy\n%s", h, errOut)
	}
	if st := p.inspect("hc-app-1", "{{.State.Status}}"); st != "running" {
		t.Fatalf("app after up --wait: %s, want running (it exits 1 when db does not answer)\n%s", st, errOut)
	}
	if !strings.Contains(errOut, "hc-db-1  Healthy") {
		t.Fatalf("up did not report waiting for db to be healthy:\n%s", errOut)
	}
	p.waitLog("hc-app-1", "app got: healthy db")
	if back := p.must("exec", "hc-db-1", "wget", "-q", "-O", "-", "http://app/"); strings.TrimSpace(back) != "healthy db" {
		t.Fatalf("db reached app by name: %q", back)
	}
	p.down()
}
