package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"berth/cgroups"
	"berth/engine/containerinit"
)

func TestParseDevice(t *testing.T) {
	tests := []struct {
		in   string
		want DeviceMapping
		err  string
	}{
		{in: "/dev/loop-control", want: DeviceMapping{"/dev/loop-control", "/dev/loop-control", "rwm"}},
		{in: "/dev/fuse:/dev/myfuse", want: DeviceMapping{"/dev/fuse", "/dev/myfuse", "rwm"}},
		{in: "/dev/fuse:r", want: DeviceMapping{"/dev/fuse", "/dev/fuse", "r"}},
		{in: "/dev/fuse:/dev/f:rw", want: DeviceMapping{"/dev/fuse", "/dev/f", "rw"}},
		{in: "/dev/./sda/:/dev/xvda/", want: DeviceMapping{"/dev/./sda/", "/dev/xvda", "rwm"}}, // as docker: only the container path is cleaned here
		{in: "/dev/snd", want: DeviceMapping{"/dev/snd", "/dev/snd", "rwm"}},
		{in: "/dev/fuse:/dev/f:rwx", err: "bad mode specified: rwx"},
		{in: "/dev/fuse:/dev/f:", err: "bad mode specified: "},
		{in: "/dev/fuse:/dev/f:rr", err: "bad mode specified: rr"},
		{in: "/a:/b:r:w", err: "bad format for path: /a:/b:r:w"},
		{in: ":/dev/f", err: "bad format for path: :/dev/f"},
		{in: "", err: "bad format for path: "},
		{in: "/dev/fuse:dev/f", err: "dev/f is not an absolute path"},
		{in: "fuse", err: "fuse is not an absolute path"},
	}
	for _, tt := range tests {
		got, err := ParseDevice(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseDevice(%q) = %+v, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDevice(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// fakeDevices is a host with a few nodes.
type fakeDevices map[string]containerinit.Device

func (f fakeDevices) at(pathOnHost, pathInContainer string) ([]containerinit.Device, error) {
	d, ok := f[pathOnHost]
	if !ok {
		return nil, errGatherDevice(pathOnHost, errors.New("no such file or directory"))
	}
	d.Path = pathInContainer
	return []containerinit.Device{d}, nil
}

func (f fakeDevices) all() ([]containerinit.Device, error) {
	var out []containerinit.Device
	for _, d := range f {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b containerinit.Device) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

func TestContainerDevices(t *testing.T) {
	host := fakeDevices{
		"/dev/loop-control": {Path: "/dev/loop-control", Type: 'c', Major: 10, Minor: 237, Mode: 0o600},
		"/dev/loop0":        {Path: "/dev/loop0", Type: 'b', Major: 7, Minor: 0, Mode: 0o660, GID: 6},
	}
	rules := func(extra ...string) string {
		var s []string
		for _, r := range append(cgroups.DefaultDeviceRules(), mustRules(t, extra)...) {
			s = append(s, fmt.Sprintf("%v/%v", r, r.Allow))
		}
		return strings.Join(s, ", ")
	}
	tests := []struct {
		name     string
		hc       HostConfig
		nodes    string
		rules    string
		err      string
		noFilter bool
	}{
		{name: "default", rules: rules()},
		{name: "--device", hc: HostConfig{Resources: Resources{Devices: []DeviceMapping{{"/dev/loop0", "/dev/xvda", "r"}}}},
			nodes: "/dev/xvda b 7:0 660 0:6", rules: rules("b 7:0 r")},
		{name: "--device-cgroup-rule", hc: HostConfig{Resources: Resources{DeviceCgroupRules: []string{"c 10:237 rw"}}},
			rules: rules("c 10:237 rw")},
		{name: "privileged", hc: HostConfig{Privileged: true,
			Resources: Resources{Devices: []DeviceMapping{{"/dev/loop0", "/dev/loop0", "r"}, {"/dev/loop0", "/dev/other", "r"}}}},
			nodes: "/dev/loop-control c 10:237 600 0:0, /dev/loop0 b 7:0 660 0:6, /dev/other b 7:0 660 0:6", noFilter: true},
		{name: "missing host device", hc: HostConfig{Resources: Resources{Devices: []DeviceMapping{{"/nonexistent", "/nonexistent", "rwm"}}}},
			err: `invalid argument: error gathering device information while adding custom device "/nonexistent": no such file or directory`},
		{name: "bad rule", hc: HostConfig{Resources: Resources{DeviceCgroupRules: []string{"c 1:3"}}},
			err: "invalid argument: invalid device cgroup format 'c 1:3'"},
		{name: "bad permissions", hc: HostConfig{Resources: Resources{Devices: []DeviceMapping{{"/dev/loop0", "/dev/loop0", "x"}}}},
			err: "invalid argument: bad mode specified: x"},
		{name: "relative container path", hc: HostConfig{Resources: Resources{Devices: []DeviceMapping{{"/dev/loop0", "loop0", "r"}}}},
			err: "invalid argument: loop0 is not an absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr := checkDevices(tt.hc.Resources, host)
			nodes, got, err := containerDevices(tt.hc, host)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || !errors.Is(err, ErrInvalidArgument) {
					t.Fatalf("containerDevices: %v, want %q", err, tt.err)
				}
				if checkErr == nil || checkErr.Error() != tt.err {
					t.Fatalf("checkDevices: %v, want %q", checkErr, tt.err)
				}
				return
			}
			if err != nil || checkErr != nil {
				t.Fatal(err, checkErr)
			}
			var ns []string
			for _, n := range nodes {
				ns = append(ns, fmt.Sprintf("%s %c %d:%d %o %d:%d", n.Path, n.Type, n.Major, n.Minor, n.Mode, n.UID, n.GID))
			}
			if s := strings.Join(ns, ", "); s != tt.nodes {
				t.Errorf("nodes = %s, want %s", s, tt.nodes)
			}
			if tt.noFilter {
				if got != nil {
					t.Errorf("privileged got rules %v, want no filter", got)
				}
				return
			}
			var rs []string
			for _, r := range got {
				rs = append(rs, fmt.Sprintf("%v/%v", r, r.Allow))
			}
			if s := strings.Join(rs, ", "); s != tt.rules {
				t.Errorf("rules =\n%s\nwant\n%s", s, tt.rules)
			}
		})
	}
}

func mustRules(t *testing.T, rules []string) []cgroups.DeviceRule {
	t.Helper()
	var out []cgroups.DeviceRule
	for _, s := range rules {
		r, err := cgroups.ParseDeviceRule(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}
