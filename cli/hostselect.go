package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"berth/api"
	"berth/host"
)

// This file picks the machine the CLI's commands go to, with docker's
// precedence: -H/--host, then BERTH_HOST, then --context, then
// BERTH_CONTEXT, then the current context (`berth context use`), and
// else this machine.

// localOnly marks commands that always act on this machine (they serve
// it: system service, system dial-stdio).
const localOnly = "berth/local-only"

// hoistHostFlag rewrites docker's global -H before the command name
// (`berth -H ssh://h ps`) as --host=…: -H is also history's --human, so it
// is a global flag only in front of the command, as in docker.
func hoistHostFlag(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "-H" && i+1 < len(args):
			out = append(out, "--host="+args[i+1])
			i++
			continue
		case strings.HasPrefix(a, "-H") && !strings.HasPrefix(a, "--"):
			out = append(out, "--host="+strings.TrimPrefix(strings.TrimPrefix(a, "-H"), "="))
			continue
		case !strings.HasPrefix(a, "-"):
			return append(out, args[i:]...) // the command: the rest is its own
		}
		out = append(out, a)
		if globalTakesValue(a) && i+1 < len(args) {
			out = append(out, args[i+1])
			i++
		}
	}
	return out
}

// globalTakesValue is a global flag given as "--flag VALUE".
func globalTakesValue(a string) bool {
	switch a {
	case "--root", "--run-root", "--config", "--log-level", "--host", "--context":
		return true
	}
	return false
}

// remoteEndpoint is the host the command goes to; ok false is this
// machine.
func (a *app) remoteEndpoint() (api.Endpoint, bool, error) {
	hostURI, source := a.host, "-H"
	if hostURI == "" {
		hostURI, source = a.sys.getenv("BERTH_HOST"), "BERTH_HOST"
	}
	if hostURI != "" {
		if _, err := api.ParseEndpoint(hostURI); err != nil {
			return api.Endpoint{}, false, fmt.Errorf("%s: %w", source, err)
		}
		return api.Endpoint{Host: hostURI, TLS: a.certPath()}, true, nil
	}
	name := a.contextName
	if name == "" {
		name = a.sys.getenv("BERTH_CONTEXT")
	}
	store, err := openContextStore(a.sys.getenv)
	if err != nil {
		if name == "" || name == defaultContext {
			return api.Endpoint{}, false, nil // no configuration directory: no current context either
		}
		return api.Endpoint{}, false, err
	}
	f, err := store.load()
	if err != nil {
		return api.Endpoint{}, false, err
	}
	if name == "" {
		name = f.Current
	}
	if name == "" || name == defaultContext {
		return api.Endpoint{}, false, nil
	}
	hc, err := f.lookup(name)
	if err != nil {
		return api.Endpoint{}, false, err
	}
	return api.Endpoint{Host: hc.Host, TLS: api.TLSFiles{CA: hc.CA, Cert: hc.Cert, Key: hc.Key}}, true, nil
}

// certPath is the TLS files of a -H tcp:// host, as docker's
// DOCKER_CERT_PATH: ca.pem, cert.pem and key.pem in $BERTH_CERT_PATH,
// else in berth's configuration directory.
func (a *app) certPath() api.TLSFiles {
	dir := a.sys.getenv("BERTH_CERT_PATH")
	if dir == "" {
		d, err := userConfigDir(a.sys.getenv)
		if err != nil {
			return api.TLSFiles{}
		}
		dir = d
	}
	return api.TLSFiles{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
}

// dialRemote is the host at ep, for system.dial.
func dialRemote(ep api.Endpoint) (host.Host, error) {
	return api.Dial(ep)
}
