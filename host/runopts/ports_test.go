package runopts

import (
	"reflect"
	"strings"
	"testing"

	"berth/engine"
)

func TestParsePublish(t *testing.T) {
	type pb = engine.PortBinding
	tests := []struct {
		in      string
		want    map[string][]pb
		wantErr string
	}{
		{in: "80", want: map[string][]pb{"80/tcp": {{}}}},
		{in: "8080:80", want: map[string][]pb{"80/tcp": {{HostPort: "8080"}}}},
		{in: "127.0.0.1:8080:80", want: map[string][]pb{"80/tcp": {{HostIP: "127.0.0.1", HostPort: "8080"}}}},
		{in: "127.0.0.1::80", want: map[string][]pb{"80/tcp": {{HostIP: "127.0.0.1"}}}},
		{in: "8053:53/udp", want: map[string][]pb{"53/udp": {{HostPort: "8053"}}}},
		{in: "53/UDP", want: map[string][]pb{"53/udp": {{}}}},
		{in: "[::1]:8080:80", want: map[string][]pb{"80/tcp": {{HostIP: "::1", HostPort: "8080"}}}},
		{in: "::1:8080:80", want: map[string][]pb{"80/tcp": {{HostIP: "::1", HostPort: "8080"}}}},
		{in: "8000-8001:80-81", want: map[string][]pb{"80/tcp": {{HostPort: "8000"}}, "81/tcp": {{HostPort: "8001"}}}},
		{in: "8000-8010:80", want: map[string][]pb{"80/tcp": {{HostPort: "8000-8010"}}}},
		{in: "80-81", want: map[string][]pb{"80/tcp": {{}}, "81/tcp": {{}}}},
		{in: "8000-8002:80-81", wantErr: "invalid ranges specified for container and host Ports: 80-81 and 8000-8002"},
		{in: "8080:80/icmp", wantErr: "invalid proto: icmp"},
		{in: "999.0.0.1:8080:80", wantErr: "invalid IP address: 999.0.0.1"},
		{in: "8080:", wantErr: "no port specified"},
		{in: "8080:http", wantErr: "invalid containerPort: http"},
		{in: "70000:80", wantErr: "invalid hostPort: 70000"},
		{in: "0", wantErr: "invalid containerPort: 0"},
		{in: "90-80", wantErr: "invalid containerPort: 90-80"},
	}
	for _, tt := range tests {
		bindings := map[string][]pb{}
		exposed := map[string]struct{}{}
		err := ParsePublish(tt.in, bindings, exposed)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParsePublish(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(bindings, tt.want) {
			t.Errorf("ParsePublish(%q) = %+v, %v; want %+v", tt.in, bindings, err, tt.want)
		}
		for port := range tt.want {
			if _, ok := exposed[port]; !ok {
				t.Errorf("ParsePublish(%q) did not expose %s", tt.in, port)
			}
		}
	}
}

func TestParsePublishTwiceBindsBoth(t *testing.T) {
	bindings := map[string][]engine.PortBinding{}
	exposed := map[string]struct{}{}
	for _, p := range []string{"8080:80", "127.0.0.1:9090:80", "8080:80"} {
		if err := ParsePublish(p, bindings, exposed); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(bindings["80/tcp"]); got != 2 {
		t.Errorf("80/tcp has %d bindings, want 2 (duplicates dropped): %+v", got, bindings)
	}
}

func TestParseExpose(t *testing.T) {
	exposed := map[string]struct{}{}
	for _, e := range []string{"80", "53/UDP", "8000-8002/tcp"} {
		if err := ParseExpose(e, exposed); err != nil {
			t.Fatalf("ParseExpose(%q): %v", e, err)
		}
	}
	want := map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}, "8002/tcp": {}}
	if !reflect.DeepEqual(exposed, want) {
		t.Errorf("exposed = %v", exposed)
	}
	for _, bad := range []string{"http", "80/icmp", "0", "90-80"} {
		if err := ParseExpose(bad, map[string]struct{}{}); err == nil {
			t.Errorf("ParseExpose(%q) accepted", bad)
		}
	}
}
