package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
)

func TestCreateOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		refused string // "" when accepted
		check   func(t *testing.T, got any)
	}{
		{name: "docker CLI defaults", body: `{"Image":"busybox","Cmd":["echo","hi"],"AttachStdout":true,"Tty":false,
			"HostConfig":{"NetworkMode":"default","MemorySwappiness":-1,"ConsoleSize":[27,101],"Isolation":"","CgroupnsMode":"private",
			"RestartPolicy":{"Name":"no"},"LogConfig":{"Type":"","Config":{}},"MaskedPaths":null},
			"NetworkingConfig":{"EndpointsConfig":{}}}`},
		{name: "shared keys cross", body: `{"Image":"busybox","Env":["A=1"],"Labels":{"l":"v"},"StopTimeout":3,"ExposedPorts":{"80/tcp":{}},
			"HostConfig":{"Memory":1048576,"PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},"Binds":["/a:/b:ro"],
			"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2},"Init":true,"Dns":["1.1.1.1"]}}`,
			check: func(t *testing.T, got any) {
				b, _ := json.Marshal(got)
				for _, want := range []string{`"Env":["A=1"]`, `"StopTimeout":3`, `"80/tcp":{}`, `"Memory":1048576`,
					`"HostIp":"127.0.0.1","HostPort":"8080"`, `"Binds":["/a:/b:ro"]`, `"MaximumRetryCount":2`, `"Init":true`, `"Dns":["1.1.1.1"]`} {
					if !strings.Contains(string(b), want) {
						t.Errorf("options lack %s: %s", want, b)
					}
				}
			}},
		{name: "endpoint", body: `{"Image":"busybox","HostConfig":{"NetworkMode":"front"},
			"NetworkingConfig":{"EndpointsConfig":{"front":{"Aliases":["web"],"IPAMConfig":{"IPv4Address":"10.9.0.5"}}}}}`,
			check: func(t *testing.T, got any) {
				b, _ := json.Marshal(got)
				for _, want := range []string{`"NetworkAliases":["web"]`, `"IP":"10.9.0.5"`, `"NetworkMode":"front"`} {
					if !strings.Contains(string(b), want) {
						t.Errorf("options lack %s: %s", want, b)
					}
				}
			}},
		{name: "endpoint links", body: `{"Image":"busybox","HostConfig":{"NetworkMode":"ln","Links":["linked:alias"]},
			"NetworkingConfig":{"EndpointsConfig":{"ln":{"Links":["linked:alias","other:o"]}}}}`,
			check: func(t *testing.T, got any) {
				if links := got.(engine.CreateOptions).HostConfig.Links; !slices.Equal(links, []string{"linked:alias", "other:o"}) {
					t.Errorf("HostConfig.Links = %q, want each link once", links)
				}
			}},
		{name: "runtime", body: `{"Image":"busybox","HostConfig":{"Runtime":"kata"}}`, refused: "HostConfig.Runtime"},
		{name: "several refused", body: `{"Image":"busybox","Shell":["/bin/bash"],"HostConfig":{"UsernsMode":"host","CpuCount":2}}`,
			refused: "Config.Shell, HostConfig.CpuCount, HostConfig.UsernsMode"},
		{name: "config shell", body: `{"Image":"busybox","Shell":["/bin/bash"]}`, refused: "Config.Shell"},
		{name: "cgroupns host", body: `{"Image":"busybox","HostConfig":{"CgroupnsMode":"host"}}`, refused: "HostConfig.CgroupnsMode"},
		{name: "two networks", body: `{"Image":"busybox","NetworkingConfig":{"EndpointsConfig":{"a":{},"b":{}}}}`, refused: "EndpointsConfig"},
		{name: "endpoint not the mode", body: `{"Image":"busybox","HostConfig":{"NetworkMode":"a"},"NetworkingConfig":{"EndpointsConfig":{"b":{}}}}`,
			refused: "network b is not the container's network mode a"},
		{name: "ipv6", body: `{"Image":"busybox","NetworkingConfig":{"EndpointsConfig":{"a":{"IPAMConfig":{"IPv6Address":"fd00::5"}}}}}`,
			refused: "IPAMConfig"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req container.CreateRequest
			if err := json.Unmarshal([]byte(tc.body), &req); err != nil {
				t.Fatal(err)
			}
			opts, err := createOptions(req)
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) || !errors.Is(err, errInvalidArgument) {
					t.Fatalf("createOptions = %v, want a bad request naming %q", err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("createOptions: %v", err)
			}
			if tc.check != nil {
				tc.check(t, opts)
			}
		})
	}
}

func TestJSONKeys(t *testing.T) {
	type inner struct {
		B int `json:"Bee"`
	}
	type outer struct {
		A string
		inner
		C string `json:"-"`
		D string `json:"Dee,omitempty"`
		e string
	}
	got := jsonKeys(reflect.TypeOf(outer{}))
	want := map[string]bool{"A": true, "Bee": true, "Dee": true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("jsonKeys = %v, want %v", got, want)
	}
}

// A refused create answers with the engine's message alone, as dockerd
// words it, and the status of the engine error's kind.
func TestCreateError(t *testing.T) {
	for _, tt := range []struct {
		err    error
		msg    string
		status int
	}{
		{fmt.Errorf("create container: %w: /dup", engine.ErrNameInUse), "name already in use: /dup", http.StatusConflict},
		{fmt.Errorf("create container: %w: minimum memory limit allowed is 6MB", engine.ErrInvalidArgument),
			"invalid argument: minimum memory limit allowed is 6MB", http.StatusBadRequest},
		{errors.New("disk full"), "disk full", http.StatusInternalServerError},
	} {
		err := createError(tt.err)
		if err.Error() != tt.msg || statusOf(err) != tt.status {
			t.Errorf("createError(%q) = %q, status %d; want %q, %d", tt.err, err, statusOf(err), tt.msg, tt.status)
		}
	}
}

// The docker 20.10 CLI's --mac-address arrives as Config.MacAddress, a
// key the 1.57 types no longer have.
func TestLegacyCreateRequest(t *testing.T) {
	var req legacyCreateRequest
	if err := json.Unmarshal([]byte(`{"Image":"busybox","MacAddress":"92:d0:c6:0a:29:33","HostConfig":{"NetworkMode":"default"}}`), &req); err != nil {
		t.Fatal(err)
	}
	if req.MacAddress != "92:d0:c6:0a:29:33" || req.Config == nil || req.Image != "busybox" || req.HostConfig.NetworkMode != "default" {
		t.Errorf("decoded %+v, MacAddress %q", req.CreateRequest, req.MacAddress)
	}
}
