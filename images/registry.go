package images

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Registries: go-containerregistry speaks the distribution protocol (token
// and basic auth, manifests, uploads); the store, blob verification and
// unpacking stay ours.

// RegistryOptions configure how pull, push and login reach registries.
type RegistryOptions struct {
	// Mirrors are tried in order before Docker Hub for docker.io images,
	// as URLs ("https://mirror.example", "http://127.0.0.1:5000").
	Mirrors []string
	// Insecure registries ("host:port") may use plain HTTP or HTTPS with
	// a certificate that is not verified. Loopback addresses may always
	// use plain HTTP.
	Insecure []string
	// Credentials returns the login for a registry host ("docker.io" for
	// Docker Hub); nil or !ok means anonymous.
	Credentials func(registry string) (username, password string, ok bool)
	// MaxConcurrent is how many layers transfer at once; 0 means 3.
	MaxConcurrent int
	// Transport carries the HTTP requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// DockerHub is the registry host of references without one.
const DockerHub = "docker.io"

func (o RegistryOptions) jobs() int {
	if o.MaxConcurrent > 0 {
		return o.MaxConcurrent
	}
	return 3
}

func (o RegistryOptions) insecure(host string) bool {
	return slices.Contains(o.Insecure, host)
}

func (o RegistryOptions) transport(host string) http.RoundTripper {
	t := o.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	if o.insecure(host) {
		if ht, ok := t.(*http.Transport); ok {
			ht = ht.Clone()
			ht.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
			return ht
		}
	}
	return t
}

func (o RegistryOptions) auth(host string) authn.Authenticator {
	if o.Credentials != nil {
		if user, pass, ok := o.Credentials(host); ok {
			return authn.FromConfig(authn.AuthConfig{Username: user, Password: pass})
		}
	}
	return authn.Anonymous
}

// endpoint is one place to fetch a reference from: the registry itself or
// a mirror of Docker Hub.
type endpoint struct {
	ref  name.Reference
	host string // the credentials key
}

// endpoints lists where to try a normalised reference, mirrors first.
func (o RegistryOptions) endpoints(named reference.Named) ([]endpoint, error) {
	host := reference.Domain(named)
	path := reference.Path(named)
	suffix := ""
	if d, ok := named.(reference.Digested); ok {
		suffix = "@" + d.Digest().String()
	} else if t, ok := named.(reference.Tagged); ok {
		suffix = ":" + t.Tag()
	}
	var out []endpoint
	if host == DockerHub {
		for _, m := range o.Mirrors {
			u, err := url.Parse(m)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("registry mirror %q is not a URL", m)
			}
			var opts []name.Option
			if u.Scheme == "http" {
				opts = append(opts, name.Insecure)
			}
			ref, err := name.ParseReference(u.Host+"/"+path+suffix, opts...)
			if err != nil {
				return nil, fmt.Errorf("mirror %s: %w", m, err)
			}
			out = append(out, endpoint{ref: ref, host: u.Host})
		}
	}
	var opts []name.Option
	if o.insecure(host) {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(host+"/"+path+suffix, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidReference, err)
	}
	return append(out, endpoint{ref: ref, host: host}), nil
}

// Login checks a username and password against a registry ("docker.io"
// or host[:port]).
func Login(ctx context.Context, registry, username, password string, opts RegistryOptions) error {
	var nopts []name.Option
	if opts.insecure(registry) {
		nopts = append(nopts, name.Insecure)
	}
	reg, err := name.NewRegistry(registry, nopts...)
	if err != nil {
		return fmt.Errorf("login to %s: %w", registry, err)
	}
	auth := authn.FromConfig(authn.AuthConfig{Username: username, Password: password})
	rt, err := transport.NewWithContext(ctx, reg, auth, opts.transport(registry), nil)
	var terr *transport.Error
	if errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("login to %s: %w: %w", registry, ErrUnauthorized, err)
	}
	if err != nil {
		return fmt.Errorf("login to %s: %w", registry, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reg.Scheme()+"://"+reg.RegistryStr()+"/v2/", nil)
	if err != nil {
		return fmt.Errorf("login to %s: %w", registry, err)
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return fmt.Errorf("login to %s: %w", registry, err)
	}
	_ = resp.Body.Close() // only the status is read
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("login to %s: %w: %s", registry, ErrUnauthorized, resp.Status)
	}
	return fmt.Errorf("login to %s: %s", registry, resp.Status)
}

// Credentials is the file `berth login` stores logins in, in the shape of
// docker's config.json ("auths" → registry → base64 "user:password"),
// readable by its owner only.
type Credentials struct {
	path string
}

// OpenCredentials uses the credential file at path (created on first Set).
func OpenCredentials(path string) *Credentials { return &Credentials{path: path} }

type credentialFile struct {
	Auths map[string]credentialEntry `json:"auths"`
}

type credentialEntry struct {
	Auth string `json:"auth"`
}

func (c *Credentials) read() (*credentialFile, error) {
	f := &credentialFile{}
	if err := readJSON(c.path, f); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	if f.Auths == nil {
		f.Auths = map[string]credentialEntry{}
	}
	return f, nil
}

func (c *Credentials) write(f *credentialFile) error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("write credentials: %w", err)
	}
	if err := writeJSONAtomic(c.path, f); err != nil {
		return fmt.Errorf("write credentials: %w", err)
	}
	return nil
}

// Get returns the login stored for a registry.
func (c *Credentials) Get(registry string) (username, password string, ok bool) {
	f, err := c.read()
	if err != nil {
		return "", "", false
	}
	e, found := f.Auths[registry]
	if !found {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(e.Auth)
	if err != nil {
		return "", "", false
	}
	username, password, ok = strings.Cut(string(raw), ":")
	return username, password, ok
}

// Set stores a login for a registry.
func (c *Credentials) Set(registry, username, password string) error {
	f, err := c.read()
	if err != nil {
		return err
	}
	f.Auths[registry] = credentialEntry{Auth: base64.StdEncoding.EncodeToString([]byte(username + ":" + password))}
	return c.write(f)
}

// Remove forgets the login for a registry; it reports whether there was one.
func (c *Credentials) Remove(registry string) (bool, error) {
	f, err := c.read()
	if err != nil {
		return false, err
	}
	if _, ok := f.Auths[registry]; !ok {
		return false, nil
	}
	delete(f.Auths, registry)
	return true, c.write(f)
}

// RegistryHost names the registry of a reference: "docker.io" or host[:port].
func RegistryHost(ref string) (string, error) {
	named, err := ParseReference(ref)
	if err != nil {
		return "", err
	}
	return reference.Domain(named), nil
}
