package runopts

import (
	"strings"
	"testing"

	"berth/engine"
)

func TestParseThrottleDevice(t *testing.T) {
	for _, tt := range []struct {
		in   string
		iops bool
		want engine.ThrottleDevice
		err  string
	}{
		{"/dev/sda:1mb", false, engine.ThrottleDevice{Path: "/dev/sda", Rate: 1 << 20}, ""},
		{"/dev/sda:512", false, engine.ThrottleDevice{Path: "/dev/sda", Rate: 512}, ""},
		{"/dev/vda:1000", true, engine.ThrottleDevice{Path: "/dev/vda", Rate: 1000}, ""},
		{"/dev/sda", false, engine.ThrottleDevice{}, "bad format: /dev/sda"},
		{":1mb", false, engine.ThrottleDevice{}, "bad format: :1mb"},
		{"sda:1mb", false, engine.ThrottleDevice{}, "bad format for device path: sda:1mb"},
		{"/dev/sda:fast", false, engine.ThrottleDevice{}, "invalid rate for device: /dev/sda:fast. The correct format is <device-path>:<number>[<unit>]"},
		{"/dev/sda:1k", true, engine.ThrottleDevice{}, "invalid rate for device: /dev/sda:1k. The correct format is <device-path>:<number>. Number"},
		{"/dev/sda:-1", true, engine.ThrottleDevice{}, "invalid rate for device"},
	} {
		got, err := parseThrottleDevice(tt.in, tt.iops)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseThrottleDevice(%q) = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseThrottleDevice(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestResFlagsAttach(t *testing.T) {
	for _, tt := range []struct {
		attach              []string
		interactive, detach bool
		in, out, errs       bool
		err                 string
	}{
		{nil, false, false, false, true, true, ""},
		{[]string{"stdout"}, false, false, false, true, false, ""},
		{[]string{"STDERR", "stdin"}, true, false, true, false, true, ""},
		{[]string{"stdout"}, false, true, false, false, false, "conflicting options: cannot specify both --attach and --detach"},
		{[]string{"stdweird"}, false, false, false, false, false, "valid streams are STDIN, STDOUT and STDERR"},
	} {
		r := resFlags{attach: tt.attach}
		cc := engine.ContainerConfig{OpenStdin: tt.interactive, AttachStdin: tt.interactive, AttachStdout: true, AttachStderr: true}
		err := r.applyAttach(tt.detach, &cc)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("-a %v: %v, want %q", tt.attach, err, tt.err)
			}
			continue
		}
		if err != nil || cc.AttachStdin != tt.in || cc.AttachStdout != tt.out || cc.AttachStderr != tt.errs {
			t.Errorf("-a %v: stdin %v stdout %v stderr %v (%v); want %v %v %v", tt.attach, cc.AttachStdin, cc.AttachStdout, cc.AttachStderr, err, tt.in, tt.out, tt.errs)
		}
	}
}

func TestResFlagsUlimitsLastWins(t *testing.T) {
	r := resFlags{ulimits: []string{"nofile=10:20", "nproc=5", "nofile=30"}}
	var opts engine.CreateOptions
	if err := r.apply(false, &opts); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range opts.HostConfig.Ulimits {
		got = append(got, u.String())
	}
	if strings.Join(got, " ") != "nproc=5:5 nofile=30:30" {
		t.Errorf("ulimits = %v, want nproc=5:5 nofile=30:30", got)
	}
	if err := (&resFlags{ulimits: []string{"nofile"}}).apply(false, &opts); err == nil || !strings.Contains(err.Error(), `invalid argument "nofile" for "--ulimit" flag`) {
		t.Errorf("--ulimit nofile: %v", err)
	}
	if err := (&resFlags{sysctls: []string{"kernel.shmmax"}}).apply(false, &opts); err == nil || !strings.Contains(err.Error(), "sysctl 'kernel.shmmax' is not allowed") {
		t.Errorf("--sysctl kernel.shmmax: %v", err)
	}
}
