package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"berth/engine/seccomp"
)

// Values of --security-opt seccomp=… that name no file.
const (
	seccompUnconfined = "unconfined"
	seccompBuiltin    = "builtin"
)

// splitSecurityOpt splits KEY=VALUE or KEY:VALUE, as docker does.
func splitSecurityOpt(opt string) (key, value string, ok bool) {
	if key, value, ok = strings.Cut(opt, "="); ok {
		return key, value, ok
	}
	return strings.Cut(opt, ":")
}

// seccompOption returns the value of the last seccomp option, "" when
// there is none: "unconfined", "builtin", a path or an inline JSON profile
// (what docker's API sends).
func seccompOption(opts []string) string {
	var v string
	for _, opt := range opts {
		if key, value, ok := splitSecurityOpt(opt); ok && key == "seccomp" {
			v = value
		}
	}
	return v
}

// loadSeccompProfile reads and checks the profile a container's options
// name, at create time, and returns it compacted for the container's
// record; nil when they name none (builtin, unconfined).
func loadSeccompProfile(opts []string) (json.RawMessage, error) {
	v := seccompOption(opts)
	if v == "" || v == seccompUnconfined || v == seccompBuiltin {
		return nil, nil
	}
	data := []byte(v)
	source := "inline profile"
	if !strings.HasPrefix(strings.TrimSpace(v), "{") {
		var err error
		if data, err = os.ReadFile(v); err != nil {
			return nil, invalidf("opening seccomp profile (%s) failed: %v", v, err)
		}
		source = v
	}
	if _, err := seccomp.Parse(data); err != nil {
		return nil, invalidf("seccomp profile %s: %v", source, err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return nil, invalidf("seccomp profile %s: %v", source, err)
	}
	return b.Bytes(), nil
}

// seccompProgram is the compiled filter of a container with capability
// set caps: nil when it runs unconfined (--privileged, seccomp=unconfined,
// or a profile that sets nothing). Exec'd processes get the same one, as
// with docker.
func (e *Engine) seccompProgram(c *record, caps []string) ([]byte, error) {
	hc := c.HostConfig
	if hc.Privileged || seccompOption(hc.SecurityOpt) == seccompUnconfined {
		return nil, nil
	}
	profile := seccomp.Default()
	if c.SeccompProfile != nil {
		var err error
		if profile, err = seccomp.Parse(c.SeccompProfile); err != nil {
			return nil, fmt.Errorf("seccomp profile of %s: %w", c.DisplayName(), err)
		}
	}
	return e.compileSeccomp(profile, caps)
}

// compileSeccomp resolves profile for caps on this host and compiles it,
// through the cache in the run root.
func (e *Engine) compileSeccomp(profile *seccomp.Profile, caps []string) ([]byte, error) {
	host, err := seccomp.HostOf(caps)
	if err != nil {
		return nil, err
	}
	pol, err := seccomp.Resolve(profile, host)
	if err != nil || pol == nil {
		return nil, err
	}
	return seccomp.Cache{Dir: filepath.Join(e.opts.RunRoot, "seccomp")}.Program(pol)
}
