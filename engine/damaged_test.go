package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// The load-and-classify rule: which record bytes are a container, and
// which make it dead.
func TestDecodeRecord(t *testing.T) {
	id := strings.Repeat("ab", 32)
	good := record{Container: Container{ID: id, Name: "/web", State: State{Status: StatusRunning}}}
	goodJSON, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(r *record)) []byte {
		r := good
		edit(&r)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	garbled := append([]byte(nil), goodJSON...)
	copy(garbled[len(garbled)/2:], "\x00\x01")
	tests := []struct {
		name   string
		data   []byte
		reason string // "" means the record is good
	}{
		{"good", goodJSON, ""},
		{"exited", with(func(r *record) { r.State = State{Status: StatusExited, ExitCode: 3} }), ""},
		{"empty", nil, "empty file"},
		{"truncated", goodJSON[:bytes.LastIndexByte(goodJSON, '}')], "unexpected end of JSON input"},
		{"garbled", garbled, "invalid character"},
		{"null", []byte("null"), "names container \"\""},
		{"not an object", []byte(`"text"`), "cannot unmarshal"},
		{"other container", with(func(r *record) { r.ID = strings.Repeat("cd", 32) }), "names container"},
		{"no name", with(func(r *record) { r.Name = "" }), "invalid name"},
		{"name without slash", with(func(r *record) { r.Name = "web" }), "invalid name"},
		{"bad name", with(func(r *record) { r.Name = "/we b" }), "invalid name"},
		{"unknown status", with(func(r *record) { r.State.Status = "sleeping" }), "unknown status"},
		{"no status", with(func(r *record) { r.State.Status = "" }), "unknown status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := decodeRecord(id, tc.data)
			if tc.reason == "" {
				if err != nil || c.ID != id {
					t.Fatalf("decodeRecord = %v, %v; want the record", c, err)
				}
				return
			}
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("decodeRecord error = %v; want ErrDamaged saying %q", err, tc.reason)
			}
		})
	}
}

func TestCgroupParents(t *testing.T) {
	id := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"v1", "12:pids:/berth/" + id + "\n11:memory:/berth/" + id + "\n1:name=systemd:/user.slice\n", []string{"berth"}},
		{"v1 custom parent", "4:freezer:/ci/jobs/" + id + "\n3:cpu,cpuacct:/ci/jobs/" + id + "\n", []string{"ci/jobs"}},
		{"v2", "0::/berth-test/" + id + "\n", []string{"berth-test"}},
		{"at the root", "0::/" + id + "\n", []string{""}},
		{"another container", "0::/berth/" + strings.Repeat("cd", 32) + "\n", nil},
		{"ID as a parent, not the group", "0::/" + id + "/child\n", nil},
		{"prefix of the ID", "0::/berth/" + id[:12] + "\n", nil},
		{"host process", "0::/user.slice/session-1.scope\n", nil},
		{"malformed", "garbage\n\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cgroupParents([]byte(tc.file), id)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("cgroupParents = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHoldsFileUnder(t *testing.T) {
	dir := "/var/lib/berth/containers/abc"
	tests := []struct {
		targets []string
		want    bool
	}{
		{[]string{"/dev/null", "/var/lib/berth/containers/abc/abc-json.log"}, true},
		{[]string{"/var/lib/berth/containers/abc/abc-json.log (deleted)"}, true},
		{[]string{"/var/lib/berth/containers/abcdef/abcdef-json.log"}, false},
		{[]string{"/var/lib/berth/containers/abc"}, false},
		{[]string{"socket:[1234]", "pipe:[99]", "anon_inode:[pidfd]"}, false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := holdsFileUnder(tc.targets, dir); got != tc.want {
			t.Errorf("holdsFileUnder(%q) = %v, want %v", tc.targets, got, tc.want)
		}
	}
}

func TestSalvageCgroupParent(t *testing.T) {
	tests := []struct {
		raw    string
		want   string
		wantOK bool
	}{
		{`{"Id":"x","HostConfig":{"Binds":null,"CgroupParent":"ci/jobs","Memory":0`, "ci/jobs", true},
		{`{"Id":"x","HostConfig":{"Binds":null,"CgroupParent":"ci/jo`, "", false},
		{`{"Id":"x","HostConfig":{"CgroupParent":""}}`, "", false},
		{`{"Id":"x","HostConfig":{"CgroupParent":"a\"b"}}`, "", false},
		{"\x00\x01garbage", "", false},
	}
	for _, tc := range tests {
		got, ok := salvageCgroupParent([]byte(tc.raw))
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("salvageCgroupParent(%q) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestIsContainerID(t *testing.T) {
	for owner, want := range map[string]bool{
		strings.Repeat("0a", 32):           true,
		strings.Repeat("0A", 32):           false,
		strings.Repeat("0a", 16):           false,
		"":                                 false,
		strings.Repeat("0a", 31) + "\x00g": false,
		strings.Repeat("0a", 33):           false,
	} {
		if got := isContainerID(owner); got != want {
			t.Errorf("isContainerID(%q) = %v, want %v", owner, got, want)
		}
	}
}
