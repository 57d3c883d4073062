package main

import (
	"strings"
	"testing"
)

// TestComposeExtends is testdata/compose/extends: web and worker extend
// base from base.yaml, so both carry its environment and labels with
// commands of their own; worker reaches web by name.
func TestComposeExtends(t *testing.T) {
	p := newComposeProject(t, "extends", "ext")
	p.mustRun("up", "-d")
	p.assertNames("ext-web-1", "ext-worker-1")
	p.waitLog("ext-worker-1", "worker got: hello from base via web")
	for _, name := range []string{"ext-web-1", "ext-worker-1"} {
		if tier := p.inspect(name, `{{index .Config.Labels "tier"}}`); tier != "base" {
			t.Fatalf("%s's label tier: %q, want base's", name, tier)
		}
		if env := p.inspect(name, "{{json .Config.Env}}"); !strings.Contains(env, "GREETING=hello from base") {
			t.Fatalf("%s's environment lacks base's GREETING: %s", name, env)
		}
	}
	if files := p.inspect("ext-web-1", `{{index .Config.Labels "com.docker.compose.project.config_files"}}`); files != p.dir+"/compose.yaml" {
		t.Fatalf("config_files label: %q, want the -f files only (%s/compose.yaml)", files, p.dir)
	}
	p.down()
}
