package api

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/docker/cli/cli/connhelper/commandconn"
	"github.com/docker/cli/cli/connhelper/ssh"
)

// Endpoint is where a remote host's API answers: ssh://[user@]host[:port]
// (the system ssh runs `berth system dial-stdio` there, so the user's
// keys, agent and ssh config apply), unix://PATH, or tcp://ADDR:PORT with
// TLS client certificates.
type Endpoint struct {
	Host string
	// TLS are the CA and client certificate of a tcp:// host.
	TLS TLSFiles
}

// ParseEndpoint checks host's form: the scheme, and what each scheme needs.
func ParseEndpoint(host string) (*url.URL, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("invalid host %q: %w", host, err)
	}
	switch u.Scheme {
	case "ssh":
		if _, err := ssh.NewSpec(u); err != nil {
			return nil, fmt.Errorf("invalid host %q: %w", host, err)
		}
	case "unix":
		if u.Path == "" {
			return nil, fmt.Errorf("invalid host %q: unix:///PATH", host)
		}
	case "tcp":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
			return nil, fmt.Errorf("invalid host %q: tcp://ADDR:PORT", host)
		}
	default:
		return nil, fmt.Errorf("invalid host %q: use ssh://[USER@]HOST[:PORT], unix:///PATH or tcp://ADDR:PORT", host)
	}
	return u, nil
}

// remoteCommand is what ssh runs on the far side: berth's dial-stdio,
// bridged to the socket the URL's path names when it has one (as the
// docker CLI passes --host=unix://PATH).
func remoteCommand(u *url.URL) []string {
	if p := strings.Trim(u.Path, "/"); p != "" {
		return []string{"berth", "--host=unix://" + u.Path, "system", "dial-stdio"}
	}
	return []string{"berth", "system", "dial-stdio"}
}

// sshDialer starts `ssh … -- HOST berth system dial-stdio` for every
// connection the HTTP client opens (docker's connhelper does the same);
// the ssh process ends with the connection.
func sshDialer(u *url.URL) (func(ctx context.Context, network, addr string) (net.Conn, error), error) {
	sp, err := ssh.NewSpec(u)
	if err != nil {
		return nil, fmt.Errorf("ssh host %s: %w", u.Redacted(), err)
	}
	args, err := sp.Command([]string{"-o", "ConnectTimeout=30", "-T"}, remoteCommand(u)...)
	if err != nil {
		return nil, fmt.Errorf("ssh host %s: %w", u.Redacted(), err)
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := commandconn.New(ctx, "ssh", args...)
		if err != nil {
			return nil, fmt.Errorf("ssh %s: %w", u.Redacted(), err)
		}
		return c, nil
	}, nil
}
