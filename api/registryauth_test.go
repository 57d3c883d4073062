package api

import (
	"encoding/base64"
	"net/http"
	"testing"

	"berth/images"

	"github.com/moby/moby/api/types/registry"
)

func TestDecodeAuthHeader(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		user, pass   string
		ok, bad      bool
	}{
		{name: "empty", header: ""},
		{name: "empty object", header: "e30="},
		{name: "url alphabet, padded", header: base64.URLEncoding.EncodeToString([]byte(`{"username":"u?>","password":"p"}`)), user: "u?>", pass: "p", ok: true},
		{name: "std alphabet, unpadded", header: base64.RawStdEncoding.EncodeToString([]byte(`{"username":"u?>","password":"p"}`)), user: "u?>", pass: "p", ok: true},
		{name: "auth field", header: base64.URLEncoding.EncodeToString([]byte(`{"auth":"` + base64.StdEncoding.EncodeToString([]byte("me:se:cret")) + `"}`)), user: "me", pass: "se:cret", ok: true},
		{name: "not base64", header: "!!!", bad: true},
		{name: "not JSON", header: base64.URLEncoding.EncodeToString([]byte("user:pass")), bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", "/images/create", nil)
			if tc.header != "" {
				r.Header.Set(registry.AuthHeader, tc.header)
			}
			opts, err := pushPullRegistry(r, images.RegistryOptions{})
			if tc.bad {
				if err == nil || statusOf(err) != http.StatusBadRequest {
					t.Fatalf("err = %v, want a bad request", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			user, pass, ok := opts.Credentials("127.0.0.1:5000")
			if user != tc.user || pass != tc.pass || ok != tc.ok {
				t.Errorf("credentials = %q, %q, %v; want %q, %q, %v", user, pass, ok, tc.user, tc.pass, tc.ok)
			}
		})
	}
}

func TestBuildRegistryPerHost(t *testing.T) {
	r, _ := http.NewRequest("POST", "/build", nil)
	r.Header.Set("X-Registry-Config", base64.URLEncoding.EncodeToString([]byte(
		`{"https://index.docker.io/v1/":{"username":"hub","password":"h"},"127.0.0.1:5000":{"username":"local","password":"l"}}`)))
	opts, err := buildRegistry(r, images.RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]string{"docker.io": "hub", "127.0.0.1:5000": "local", "quay.io": ""} {
		if user, _, _ := opts.Credentials(host); user != want {
			t.Errorf("login for %s = %q, want %q", host, user, want)
		}
	}
}

func TestRegistryUnderMachineSettings(t *testing.T) {
	base := images.RegistryOptions{
		Mirrors: []string{"https://mirror.invalid"}, Insecure: []string{"registry.lan:5000"},
		Credentials: func(host string) (string, string, bool) { return "stored-" + host, "s", true },
	}
	r, _ := http.NewRequest("POST", "/images/create", nil)
	opts, err := pushPullRegistry(r, base)
	if err != nil {
		t.Fatal(err)
	}
	if user, _, _ := opts.Credentials("registry.lan:5000"); user != "stored-registry.lan:5000" {
		t.Errorf("without a client login: %q, want the machine's stored login", user)
	}
	if len(opts.Mirrors) != 1 || len(opts.Insecure) != 1 {
		t.Errorf("machine's mirrors and insecure registries lost: %+v", opts)
	}
	r.Header.Set(registry.AuthHeader, base64.URLEncoding.EncodeToString([]byte(`{"username":"client","password":"c"}`)))
	if opts, err = pushPullRegistry(r, base); err != nil {
		t.Fatal(err)
	}
	if user, _, _ := opts.Credentials("registry.lan:5000"); user != "client" {
		t.Errorf("with a client login: %q, want the client's", user)
	}
	b, _ := http.NewRequest("POST", "/build", nil)
	if opts, err = buildRegistry(b, base); err != nil {
		t.Fatal(err)
	}
	if user, _, _ := opts.Credentials("quay.io"); user != "stored-quay.io" {
		t.Errorf("build without a client login for quay.io: %q, want the machine's stored login", user)
	}
}
