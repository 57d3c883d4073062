package cli

import (
	"strings"
	"testing"
	"time"

	"berth/engine/events"
)

func TestEvents(t *testing.T) {
	web := psFixture()[0]
	t0 := time.Date(2026, 11, 29, 17, 0, 0, 5, time.UTC)
	eng := &fakeEngine{containers: psFixture()}
	eng.events.list = []events.Event{
		{Time: t0, Type: "container", Action: "create", ID: web.ID, Name: "web", Attributes: map[string]string{"image": "busybox"}},
		{Time: t0.Add(time.Second), Type: "container", Action: "start", ID: web.ID, Name: "web"},
		{Time: t0.Add(2 * time.Second), Type: "image", Action: "tag", ID: strings.Repeat("9", 64), Name: "app:1"},
		{Time: t0.Add(3 * time.Second), Type: "container", Action: "die", ID: strings.Repeat("7", 64), Name: "gone", Attributes: map[string]string{"exitCode": "3"}},
	}
	sys := testSystem(eng)

	r := runCLI(t, sys, "events", "--since", "2026-11-29T16:00:00Z", "--until", "2026-11-29T17:30:00Z")
	want := "2026-11-29T17:00:00.000000005Z container create " + web.ID + " (image=busybox, name=web)\n" +
		"2026-11-29T17:00:01.000000005Z container start " + web.ID + " (name=web)\n" +
		"2026-11-29T17:00:02.000000005Z image tag " + strings.Repeat("9", 64) + " (name=app:1)\n" +
		"2026-11-29T17:00:03.000000005Z container die " + strings.Repeat("7", 64) + " (exitCode=3, name=gone)\n"
	if r.code != 0 || r.stdout != want || eng.events.followed {
		t.Errorf("events --since --until: code %d followed %v out\n%s\nwant\n%s", r.code, eng.events.followed, r.stdout, want)
	}
	r = runCLI(t, sys, "events", "-f", "container=web", "-f", "event=start", "--format", "{{.Action}} {{.Actor.Attributes.name}}")
	if r.code != 0 || r.stdout != "start web\n" || !eng.events.followed {
		t.Errorf("events -f container=web -f event=start: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if f := eng.events.filters[len(eng.events.filters)-1]; f.ID != web.ID || f.Name != "" || strings.Join(f.Actions, ",") != "start" {
		t.Errorf("filter %+v", f)
	}
	r = runCLI(t, sys, "events", "-f", "container=gone", "--until", "1s", "--format", "json")
	if r.code != 0 || r.stdout != `{"Type":"container","Action":"die","Actor":{"ID":"`+strings.Repeat("7", 64)+`","Attributes":{"exitCode":"3","name":"gone"}},"time":1795971603,"timeNano":1795971603000000005}`+"\n" {
		t.Errorf("events of a removed container, json: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, sys, "events", "-f", "type=image", "--until", "1s", "--format", "{{.Type}} {{.ID}}")
	if r.stdout != "image "+strings.Repeat("9", 64)+"\n" {
		t.Errorf("events -f type=image: %q", r.stdout)
	}
	for _, bad := range [][]string{{"events", "-f", "type=volume"}, {"events", "-f", "colour=red"}, {"events", "-f", "container=a", "-f", "container=b"}, {"events", "--since", "soon"}} {
		if r := runCLI(t, sys, bad...); r.code != 125 {
			t.Errorf("berth %s: code %d err %q", strings.Join(bad, " "), r.code, r.stderr)
		}
	}
}
