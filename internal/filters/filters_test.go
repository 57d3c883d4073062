package filters

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	got, err := Parse([]string{"Name=web", " status = exited ", "name=web", "label=a=b=c", "label=x"})
	want := Args{"name": {"web"}, "status": {"exited"}, "label": {"a=b=c", "x"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %v, %v; want %v", got, err, want)
	}
	if _, err := Parse([]string{"status"}); err == nil || err.Error() != "bad format of filter (expected name=value): status" {
		t.Errorf("Parse(status) error = %v", err)
	}
}

func TestValidate(t *testing.T) {
	a := Args{"name": {"x"}, "foo": {"y"}, "bar": {"z"}}
	if err := a.Validate("name"); err == nil || err.Error() != "invalid filter 'bar'" {
		t.Errorf("Validate = %v, want invalid filter 'bar' (the first unknown key in order)", err)
	}
	if err := a.Validate("name", "foo", "bar"); err != nil {
		t.Errorf("Validate of known keys = %v", err)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		values []string
		source string
		want   bool
	}{
		{nil, "/web", true},
		{[]string{"^/web$"}, "/web", true},
		{[]string{"^web$"}, "/web", false},
		{[]string{"^web$"}, "web", true},
		{[]string{"web"}, "/my-web-1", true}, // unanchored, as docker's
		{[]string{"db", "web"}, "/web", true},
		{[]string{"db"}, "/web", false},
		{[]string{"("}, "(", true}, // no valid expression: exact only
		{[]string{"("}, "a(b", false},
		{[]string{"4f1c"}, "4f1c2d3e5a6b", true},
	}
	for _, tt := range tests {
		a := Args{}
		for _, v := range tt.values {
			a.Add("name", v)
		}
		if got := a.Match("name", tt.source); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.values, tt.source, got, tt.want)
		}
	}
}

func TestExactMatch(t *testing.T) {
	a := Args{"health": {"healthy", "none"}}
	if !a.ExactMatch("health", "none") || a.ExactMatch("health", "unhealthy") || !a.ExactMatch("status", "x") {
		t.Error("ExactMatch disagrees with docker's rule")
	}
}

func TestMatchKVList(t *testing.T) {
	labels := map[string]string{"tier": "front", "app": "demo", "empty": ""}
	tests := []struct {
		values []string
		want   bool
	}{
		{nil, true},
		{[]string{"tier"}, true},
		{[]string{"tier=front"}, true},
		{[]string{"tier=back"}, false},
		{[]string{"tier=front", "app=demo"}, true}, // every one must hold
		{[]string{"tier=front", "app=other"}, false},
		{[]string{"missing"}, false},
		{[]string{"empty="}, true},
		{[]string{"empty"}, true},
	}
	for _, tt := range tests {
		a := Args{"label": tt.values}
		if got := a.MatchKVList("label", labels); got != tt.want {
			t.Errorf("MatchKVList(%q) = %v, want %v", tt.values, got, tt.want)
		}
	}
	if (Args{"label": {"a"}}).MatchKVList("label", nil) {
		t.Error("a label filter matched a container without labels")
	}
}

func TestBool(t *testing.T) {
	tests := []struct {
		values     []string
		value, set bool
		err        string
	}{
		{nil, false, false, ""},
		{[]string{"true"}, true, true, ""},
		{[]string{"1"}, true, true, ""},
		{[]string{"False"}, false, true, ""},
		{[]string{"0"}, false, true, ""},
		{[]string{"maybe"}, false, false, "invalid filter 'dangling=maybe'"},
		{[]string{"true", "false"}, false, false, "invalid filter 'dangling=true,false'"},
	}
	for _, tt := range tests {
		v, set, err := (Args{"dangling": tt.values}).Bool("dangling")
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Bool(%q) error = %v, want %q", tt.values, err, tt.err)
			}
			continue
		}
		if err != nil || v != tt.value || set != tt.set {
			t.Errorf("Bool(%q) = %v, %v, %v", tt.values, v, set, err)
		}
	}
}

func TestPorts(t *testing.T) {
	got, err := Ports("publish", []string{"80", "53/UDP", "8000-8002/tcp"})
	want := map[string]bool{"80/tcp": true, "53/udp": true, "8000/tcp": true, "8001/tcp": true, "8002/tcp": true}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Ports = %v, %v", got, err)
	}
	for _, bad := range []string{"80:80", "x", "90-80", "70000", "1-"} {
		if _, err := Ports("expose", []string{bad}); err == nil {
			t.Errorf("Ports(%q): no error", bad)
		} else if !strings.Contains(err.Error(), bad) {
			t.Errorf("Ports(%q) error %q does not name the value", bad, err)
		}
	}
}
