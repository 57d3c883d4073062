package api

import (
	"encoding/base64"
	"net/http"
	"testing"

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
			opts, err := pushPullRegistry(r)
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
	opts, err := buildRegistry(r)
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]string{"docker.io": "hub", "127.0.0.1:5000": "local", "quay.io": ""} {
		if user, _, _ := opts.Credentials(host); user != want {
			t.Errorf("login for %s = %q, want %q", host, user, want)
		}
	}
}
