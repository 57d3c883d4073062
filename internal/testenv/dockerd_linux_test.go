package testenv

import (
	"slices"
	"testing"
)

func TestOffline(t *testing.T) {
	dead := []string{"HTTP_PROXY=" + deadProxy, "HTTPS_PROXY=" + deadProxy, "http_proxy=" + deadProxy, "https_proxy=" + deadProxy}
	tests := []struct {
		env, want []string
	}{
		{nil, dead},
		{[]string{"PATH=/bin", "HOME=/root"}, append([]string{"PATH=/bin", "HOME=/root"}, dead...)},
		{[]string{"https_proxy=http://proxy:3128", "PATH=/bin", "NO_PROXY=localhost", "All_Proxy=socks5://p"}, append([]string{"PATH=/bin"}, dead...)},
		{[]string{"HTTP_PROXY_USER=me"}, append([]string{"HTTP_PROXY_USER=me"}, dead...)},
	}
	for _, tt := range tests {
		if got := Offline(tt.env); !slices.Equal(got, tt.want) {
			t.Errorf("Offline(%q) = %q; want %q", tt.env, got, tt.want)
		}
	}
}

func TestWithoutDockerSettings(t *testing.T) {
	env := []string{"PATH=/bin", "DOCKER_HOST=unix:///var/run/docker.sock", "DOCKER_CONTEXT=prod",
		"DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=/certs", "DOCKER_CONFIG=/root/.docker", "MY_DOCKER_HOST=x"}
	want := []string{"PATH=/bin", "MY_DOCKER_HOST=x"}
	if got := withoutDockerSettings(env); !slices.Equal(got, want) {
		t.Errorf("withoutDockerSettings(%q) = %q; want %q", env, got, want)
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/var/lib/docker", "/var/lib/docker"},
		{`/tmp/a\040b`, "/tmp/a b"},
		{`/tmp/tab\011and\134back`, "/tmp/tab\tand\\back"},
		{`/tmp/odd\04`, `/tmp/odd\04`},
		{`/tmp/not\999octal`, `/tmp/not\999octal`},
	}
	for _, tt := range tests {
		if got := unescapeMountinfo(tt.in); got != tt.want {
			t.Errorf("unescapeMountinfo(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
