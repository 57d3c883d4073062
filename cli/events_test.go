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
	if f := eng.events.filters[len(eng.events.filters)-1]; strings.Join(f.Args["container"], ",") != "web" || strings.Join(f.Args["event"], ",") != "start" {
		t.Errorf("filter %+v", f)
	}
	r = runCLI(t, sys, "events", "-f", "container=gone", "--until", "1s", "--format", "json")
	if r.code != 0 || r.stdout != `{"status":"die","id":"`+strings.Repeat("7", 64)+`","Type":"container","Action":"die","Actor":{"ID":"`+strings.Repeat("7", 64)+`","Attributes":{"exitCode":"3","name":"gone"}},"scope":"local","time":1795971603,"timeNano":1795971603000000005}`+"\n" {
		t.Errorf("events of a removed container, json: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, sys, "events", "-f", "container=web", "-f", "container=gone", "--until", "1s", "--format", "{{.Status}} {{.From}}")
	if r.code != 0 || r.stdout != "create busybox\nstart \ndie \n" {
		t.Errorf("events with two container filters: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, sys, "events", "-f", "type=image", "--until", "1s", "--format", "{{.Type}} {{.ID}}")
	if r.stdout != "image "+strings.Repeat("9", 64)+"\n" {
		t.Errorf("events -f type=image: %q", r.stdout)
	}
	for _, bad := range [][]string{{"events", "-f", "colour"}, {"events", "--since", "soon"}} {
		if r := runCLI(t, sys, bad...); r.code != 125 {
			t.Errorf("berth %s: code %d err %q", strings.Join(bad, " "), r.code, r.stderr)
		}
	}
	if r := runCLI(t, sys, "events", "-f", "colour=red"); r.code != 1 || !strings.Contains(r.stderr, "invalid filter 'colour'") {
		t.Errorf("berth events -f colour=red: code %d err %q, want docker's daemon error, 1", r.code, r.stderr)
	}
}

// TestEventJSONLegacyKeys: docker fills the deprecated status, id and from
// for container events, status and id for image events, none for others.
func TestEventJSONLegacyKeys(t *testing.T) {
	t0 := time.Unix(1795971600, 7).UTC()
	for _, tc := range []struct {
		name string
		e    events.Event
		want string
	}{
		{"container", events.Event{Time: t0, Type: "container", Action: "die", ID: "c1", Name: "web",
			Attributes: map[string]string{"name": "web", "image": "busybox", "exitCode": "0"}},
			`{"status":"die","id":"c1","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"c1","Attributes":{"exitCode":"0","image":"busybox","name":"web"}},"scope":"local","time":1795971600,"timeNano":1795971600000000007}`},
		{"image", events.Event{Time: t0, Type: "image", Action: "pull", ID: "busybox:latest",
			Attributes: map[string]string{"name": "busybox:latest"}},
			`{"status":"pull","id":"busybox:latest","Type":"image","Action":"pull","Actor":{"ID":"busybox:latest","Attributes":{"name":"busybox:latest"}},"scope":"local","time":1795971600,"timeNano":1795971600000000007}`},
		{"network", events.Event{Time: t0, Type: "network", Action: "connect", ID: "n1",
			Attributes: map[string]string{"name": "bridge", "type": "bridge", "container": "c1"}},
			`{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"container":"c1","name":"bridge","type":"bridge"}},"scope":"local","time":1795971600,"timeNano":1795971600000000007}`},
	} {
		got, err := eventRow{tc.e}.MarshalJSON()
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %s %v\nwant %s", tc.name, got, err, tc.want)
		}
	}
}

func TestFormatEventLine(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 17, 0, 0, 5, time.UTC)
	e := events.Event{Time: t0, Type: "container", Action: "exec_start: sh -c date", ID: "c1",
		Attributes: map[string]string{"name": "web", "execID": "e1", "image": "busybox"}}
	want := "2026-11-29T17:00:00.000000005Z container exec_start: sh -c date c1 (execID=e1, image=busybox, name=web)"
	if got := formatEvent(e); got != want {
		t.Errorf("formatEvent = %q\nwant %q", got, want)
	}
}
