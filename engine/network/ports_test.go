package network

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"testing"
)

func TestPortMappings(t *testing.T) {
	ip := netip.MustParseAddr
	type pb = PortBinding
	tests := []struct {
		name       string
		bindings   map[string][]PortBinding
		exposed    map[string]struct{}
		publishAll bool
		want       []PortMapping
		wantErr    error
	}{
		{name: "8080:80", bindings: map[string][]pb{"80/tcp": {{HostPort: "8080"}}},
			want: []PortMapping{{Proto: "tcp", HostPortLo: 8080, HostPortHi: 8080, ContainerPort: 80}}},
		{name: "80 (random host port)", bindings: map[string][]pb{"80/tcp": {{}}},
			want: []PortMapping{{Proto: "tcp", ContainerPort: 80}}},
		{name: "127.0.0.1:9000:9000/udp", bindings: map[string][]pb{"9000/udp": {{HostIP: "127.0.0.1", HostPort: "9000"}}},
			want: []PortMapping{{Proto: "udp", HostIP: ip("127.0.0.1"), HostPortLo: 9000, HostPortHi: 9000, ContainerPort: 9000}}},
		{name: "0.0.0.0 is every address", bindings: map[string][]pb{"80/tcp": {{HostIP: "0.0.0.0", HostPort: "80"}}},
			want: []PortMapping{{Proto: "tcp", HostPortLo: 80, HostPortHi: 80, ContainerPort: 80}}},
		{name: "[::1]:8080:80", bindings: map[string][]pb{"80/tcp": {{HostIP: "[::1]", HostPort: "8080"}}},
			want: []PortMapping{{Proto: "tcp", HostIP: ip("::1"), HostPortLo: 8080, HostPortHi: 8080, ContainerPort: 80}}},
		{name: "host range for one port", bindings: map[string][]pb{"80/tcp": {{HostPort: "8000-8010"}}},
			want: []PortMapping{{Proto: "tcp", HostPortLo: 8000, HostPortHi: 8010, ContainerPort: 80}}},
		{name: "two bindings of one port, sorted", bindings: map[string][]pb{"80/tcp": {{HostPort: "9090"}, {HostIP: "127.0.0.1", HostPort: "8080"}}},
			want: []PortMapping{
				{Proto: "tcp", HostPortLo: 9090, HostPortHi: 9090, ContainerPort: 80},
				{Proto: "tcp", HostIP: ip("127.0.0.1"), HostPortLo: 8080, HostPortHi: 8080, ContainerPort: 80},
			}},
		{name: "key without proto is tcp", bindings: map[string][]pb{"53": {{HostPort: "5353"}}},
			want: []PortMapping{{Proto: "tcp", HostPortLo: 5353, HostPortHi: 5353, ContainerPort: 53}}},
		{name: "-P publishes exposed ports without a binding", publishAll: true,
			bindings: map[string][]pb{"80/tcp": {{HostPort: "8080"}}},
			exposed:  map[string]struct{}{"80/tcp": {}, "443/tcp": {}, "53/udp": {}},
			want: []PortMapping{
				{Proto: "udp", ContainerPort: 53},
				{Proto: "tcp", HostPortLo: 8080, HostPortHi: 8080, ContainerPort: 80},
				{Proto: "tcp", ContainerPort: 443},
			}},
		{name: "exposed without -P is not published", exposed: map[string]struct{}{"80/tcp": {}}},
		{name: "sctp", bindings: map[string][]pb{"80/sctp": {{}}}, wantErr: ErrInvalidPort},
		{name: "bad container port", bindings: map[string][]pb{"0/tcp": {{}}}, wantErr: ErrInvalidPort},
		{name: "bad host port", bindings: map[string][]pb{"80/tcp": {{HostPort: "70000"}}}, wantErr: ErrInvalidPort},
		{name: "reversed range", bindings: map[string][]pb{"80/tcp": {{HostPort: "9-8"}}}, wantErr: ErrInvalidPort},
		{name: "bad host IP", bindings: map[string][]pb{"80/tcp": {{HostIP: "1.2.3", HostPort: "80"}}}, wantErr: ErrInvalidPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PortMappings(tt.bindings, tt.exposed, tt.publishAll)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPublishedPort(t *testing.T) {
	tests := []struct {
		p           PublishedPort
		str, hostIP string
	}{
		{PublishedPort{Proto: "tcp", HostPort: 8080, ContainerPort: 80}, "80/tcp -> 0.0.0.0:8080", "0.0.0.0"},
		{PublishedPort{Proto: "udp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 9000, ContainerPort: 9000}, "9000/udp -> 127.0.0.1:9000", "127.0.0.1"},
		{PublishedPort{Proto: "tcp", HostIP: netip.MustParseAddr("::1"), HostPort: 8080, ContainerPort: 80}, "80/tcp -> [::1]:8080", "::1"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := tt.p.Binding(); got != (PortBinding{HostIP: tt.hostIP, HostPort: fmt.Sprint(tt.p.HostPort)}) {
			t.Errorf("Binding() = %+v", got)
		}
	}
}
