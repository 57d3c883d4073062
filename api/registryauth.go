package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/moby/moby/api/types/registry"

	"berth/images"
)

// maxAuthHeader bounds a registry login header: a few logins fit many
// times over.
const maxAuthHeader = 64 << 10

// decodeAuthHeader reads docker's base64 (URL alphabet, padded or not)
// JSON header into v; an empty header leaves v as it is.
func decodeAuthHeader(value, name string, v any) error {
	if value == "" {
		return nil
	}
	if len(value) > maxAuthHeader {
		return invalidf("%s header is larger than %d bytes", name, maxAuthHeader)
	}
	value = strings.TrimRight(value, "=")
	data, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		if data, err = base64.RawStdEncoding.DecodeString(value); err != nil {
			return invalidf("invalid %s header: %v", name, err)
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return invalidf("invalid %s header: %v", name, err)
	}
	return nil
}

// loginOf is an AuthConfig's username and password; a docker config's
// "auth" field is base64 "user:password".
func loginOf(a registry.AuthConfig) (username, password string, ok bool) {
	if a.Username == "" && a.Auth != "" {
		if data, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
			a.Username, a.Password, _ = strings.Cut(string(data), ":")
		}
	}
	return a.Username, a.Password, a.Username != "" || a.Password != ""
}

// pushPullRegistry is the registry options of a pull or push: the
// machine's settings (base), with the login of the request's
// X-Registry-Auth header, for the one registry it names, before the logins
// stored on the machine. Loopback registries may use plain HTTP, as the
// image store allows.
func pushPullRegistry(r *http.Request, base images.RegistryOptions) (images.RegistryOptions, error) {
	var auth registry.AuthConfig
	if err := decodeAuthHeader(r.Header.Get(registry.AuthHeader), registry.AuthHeader, &auth); err != nil {
		return images.RegistryOptions{}, err
	}
	stored := base.Credentials
	base.Credentials = func(host string) (string, string, bool) {
		if user, pass, ok := loginOf(auth); ok {
			return user, pass, true
		}
		if stored != nil {
			return stored(host)
		}
		return "", "", false
	}
	return base, nil
}

// buildRegistry is the registry options of a build's base image pulls:
// the machine's settings (base), with the logins of the request's
// X-Registry-Config header, one per registry host, before the logins
// stored on the machine.
func buildRegistry(r *http.Request, base images.RegistryOptions) (images.RegistryOptions, error) {
	var logins map[string]registry.AuthConfig
	if err := decodeAuthHeader(r.Header.Get("X-Registry-Config"), "X-Registry-Config", &logins); err != nil {
		return images.RegistryOptions{}, err
	}
	stored := base.Credentials
	base.Credentials = func(host string) (string, string, bool) {
		for key, a := range logins {
			if registryHostOf(key) == host {
				return loginOf(a)
			}
		}
		if stored != nil {
			return stored(host)
		}
		return "", "", false
	}
	return base, nil
}

// registryHostOf is the host[:port] of a docker config key
// ("https://index.docker.io/v1/" is Docker Hub, "docker.io").
func registryHostOf(key string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	if s == "index.docker.io" || s == "registry-1.docker.io" {
		return images.DockerHub
	}
	return s
}
