package templates

import (
	"strings"
	"testing"
)

type state struct {
	Pid      int
	ExitCode int
	Status   string
}

type container struct {
	ID    string `json:"Id"`
	State state
	Cmd   []string
	Names string
}

func TestFunctions(t *testing.T) {
	c := container{ID: "abc", State: state{Pid: 42, ExitCode: 2, Status: "exited"}, Cmd: []string{"sh", "-c", "sleep 1"}, Names: "web_1"}
	tests := []struct{ format, want string }{
		{`{{if eq .State.ExitCode 2}}two{{end}}`, "two"},
		{`{{gt .State.Pid 0}}`, "true"},
		{`{{printf "%d" .State.Pid}}`, "42"},
		{`{{join .Cmd " "}}`, "sh -c sleep 1"},
		{`{{json .Cmd}}`, `["sh","-c","sleep 1"]`},
		{`{{json "<none>"}}`, `"<none>"`},
		{`{{json .State}}`, `{"Pid":42,"ExitCode":2,"Status":"exited"}`},
		{`{{index (split .Names "_") 1}}`, "1"},
		{`{{upper .State.Status}} {{lower "AbC"}}`, "EXITED abc"},
		{`{{title "hello big-world foo_bar 3d"}}`, "Hello Big-World Foo_bar 3d"},
		{`[{{pad .Names 2 1}}][{{pad "" 2 1}}]`, "[  web_1 ][]"},
		{`{{truncate .Names 3}}|{{truncate .Names 10}}|{{truncate "héllo" 2}}`, "web|web_1|hé"},
		{`{{println .Names}}`, "web_1\n"},
		{`{{range .Cmd}}{{println .}}{{end}}`, "sh\n-c\nsleep 1\n"},
	}
	for _, tt := range tests {
		tmpl, err := Parse(tt.format)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.format, err)
		}
		var sb strings.Builder
		if err := tmpl.Execute(&sb, c); err != nil {
			t.Errorf("%s: %v", tt.format, err)
			continue
		}
		if sb.String() != tt.want {
			t.Errorf("%s = %q, want %q", tt.format, sb.String(), tt.want)
		}
	}
}

func TestFunctionErrors(t *testing.T) {
	for _, format := range []string{`{{.Foo}}`, `{{.State.Foo}}`, `{{truncate .Names -1}}`, `{{pad .Names -1 0}}`, `{{join .Names ","}}`} {
		tmpl, err := Parse(format)
		if err != nil {
			t.Fatalf("Parse(%q): %v", format, err)
		}
		if err := tmpl.Execute(&strings.Builder{}, container{Names: "x"}); err == nil {
			t.Errorf("%s: no error", format)
		}
	}
	if _, err := Parse(`{{.A`); err == nil {
		t.Error("Parse of an unclosed action: no error")
	}
	if _, err := Parse(`{{nosuchfunc .A}}`); err == nil || !strings.Contains(err.Error(), `function "nosuchfunc" not defined`) {
		t.Errorf("Parse of an unknown function: %v", err)
	}
}

func TestHeader(t *testing.T) {
	tmpl, err := Parse(`{{upper .Names}}\t{{json .ID}}\t{{truncate .ID 2}}\t{{join (split .Names ",") "+"}}\t{{pad .Names 1 1}}`)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Header(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := h.Execute(&sb, map[string]string{"Names": "NAMES", "ID": "CONTAINER ID"}); err != nil {
		t.Fatal(err)
	}
	if want := `NAMES\tCONTAINER ID\tCONTAINER ID\tNAMES\t NAMES `; sb.String() != want {
		t.Errorf("header = %q, want %q", sb.String(), want)
	}
	// The original keeps docker's functions.
	sb.Reset()
	if err := tmpl.Execute(&sb, container{ID: "abcdef", Names: "a,b"}); err != nil || !strings.HasPrefix(sb.String(), `A,B\t"abcdef"\tab\ta+b`) {
		t.Errorf("row after Header = %q (%v)", sb.String(), err)
	}
}

func TestExecuteInspect(t *testing.T) {
	c := container{ID: "abc", State: state{Pid: 7, ExitCode: 2}}
	raw := []byte(`{"Id":"abc","State":{"Pid":7,"ExitCode":2,"Running":false},"Extra":{"N":12345678901}}`)
	tests := []struct{ format, want, err string }{
		{`{{.State.Pid}}`, "7", ""},
		{`{{if eq .State.ExitCode 2}}two{{end}}`, "two", ""},
		{`{{.Id}}`, "abc", ""}, // a JSON-only name
		{`{{.State.Running}}`, "false", ""},
		{`{{.Extra.N}}`, "12345678901", ""},
		{`{{.State.Foo}}`, "", `map has no entry for key "Foo"`},
		{`{{.Nope}}`, "", `map has no entry for key "Nope"`},
	}
	for _, tt := range tests {
		tmpl, err := Parse(tt.format)
		if err != nil {
			t.Fatal(err)
		}
		out, err := ExecuteInspect(tmpl, c, raw)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.format, err, tt.err)
			}
			continue
		}
		if err != nil || string(out) != tt.want {
			t.Errorf("%s = %q (%v), want %q", tt.format, out, err, tt.want)
		}
	}
	tmpl, _ := Parse(`{{.Nope}}`)
	if _, err := ExecuteInspect(tmpl, c, nil); err == nil || !strings.Contains(err.Error(), "can't evaluate field Nope") {
		t.Errorf("typed only: %v", err)
	}
}
