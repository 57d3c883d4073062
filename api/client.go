package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/engine/network"
	"berth/engine/volumes"
	"berth/host"
	"berth/images"
)

// Client is a host.Host for another machine: every call is a request to
// that machine's Docker Engine API (its `berth system service`, or
// `berth system dial-stdio` over ssh), made with Moby's Go client. The
// answers are Moby's types; they are turned into the engine's and the
// image store's through the wire JSON the two share (engine.Container
// is docker's inspect document, engine.ContainerConfig docker's Config).
type Client struct {
	api      *client.Client
	endpoint string
	// ext reaches berth's own endpoints (berth_ext.go) through api's
	// dialer (its ssh, socket or TLS connection to the far side).
	ext *http.Client
}

var _ host.Host = (*Client)(nil)

// Dial is the host at ep. Nothing is sent until the first call; ssh is
// started for each connection the client opens (it keeps one open
// between calls).
func Dial(ep Endpoint) (*Client, error) {
	u, err := ParseEndpoint(ep.Host)
	if err != nil {
		return nil, err
	}
	opts := []client.Opt{client.WithUserAgent("berth/" + host.Version)}
	switch u.Scheme {
	case "ssh":
		dial, err := sshDialer(u)
		if err != nil {
			return nil, err
		}
		opts = append(opts, client.WithHost("http://berth.invalid"), client.WithDialContext(dial))
	case "unix":
		opts = append(opts, client.WithHost(ep.Host))
	case "tcp":
		if ep.TLS.CA == "" || ep.TLS.Cert == "" || ep.TLS.Key == "" {
			return nil, fmt.Errorf("connect to %s: a tcp:// host needs a CA certificate and a client certificate and key", ep.Host)
		}
		opts = append(opts, client.WithHost(ep.Host), client.WithScheme("https"), client.WithTLSClientConfig(ep.TLS.CA, ep.TLS.Cert, ep.TLS.Key))
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	return &Client{api: c, endpoint: u.Redacted(), ext: extClient(c)}, nil
}

// Close ends the connections (and their ssh processes).
func (c *Client) Close() error {
	c.ext.CloseIdleConnections()
	return c.api.Close()
}

// Endpoint is the host's address, without a password.
func (c *Client) Endpoint() string { return c.endpoint }

// Ping asks the far side for its API version, and is how a caller checks
// that the host answers at all.
func (c *Client) Ping(ctx context.Context) (string, error) {
	r, err := c.api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		return "", c.fail("ping", "", err)
	}
	return r.APIVersion, nil
}

// ServerVersion is the far side's release.
func (c *Client) ServerVersion(ctx context.Context) (string, error) {
	r, err := c.api.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", c.fail("version", "", err)
	}
	return r.Version, nil
}

// fail wraps an API error with the operation, the object and the host,
// keeping the engine's sentinel the status stands for (404 a missing
// container, 409 a conflict, 400 bad input), so the faces' checks with
// errors.Is hold on a remote host as on this one.
func (c *Client) fail(op, object string, err error) error {
	what := op
	if object != "" {
		what += " " + object
	}
	switch {
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("%s on %s: %w", what, c.endpoint, notFound{storeNotFound(op), err})
	case cerrdefs.IsInvalidArgument(err):
		return fmt.Errorf("%s on %s: %w: %w", what, c.endpoint, engine.ErrInvalidArgument, err)
	case cerrdefs.IsNotImplemented(err):
		return fmt.Errorf("%s on %s: %w: %w", what, c.endpoint, engine.ErrNotImplemented, err)
	}
	return fmt.Errorf("%s on %s: %w", what, c.endpoint, err)
}

// notFound is a 404 of the far side: it is the engine's ErrNotFound and
// the sentinel of the store the operation was on (an image, a network, a
// volume), so that checks written for this machine's stores hold, and it
// reads as the far side's message.
type notFound struct {
	store error // nil for a container
	err   error
}

func (e notFound) Error() string { return e.err.Error() }

func (e notFound) Unwrap() []error {
	errs := []error{engine.ErrNotFound, e.err}
	if e.store != nil {
		errs = append(errs, e.store)
	}
	return errs
}

// storeNotFound is the not-found sentinel of the store op names.
func storeNotFound(op string) error {
	switch {
	case strings.Contains(op, "volume"):
		return volumes.ErrNotFound
	case strings.Contains(op, "network"):
		return network.ErrNotFound
	case strings.Contains(op, "image") || op == "pull" || op == "push":
		return images.ErrNotFound
	}
	return nil
}

// notImplemented is an operation the Docker Engine API cannot express.
func (c *Client) notImplemented(op string) error {
	return fmt.Errorf("%s on %s: the Docker Engine API has no request for it: %w", op, c.endpoint, engine.ErrNotImplemented)
}

// convert copies src into dst through JSON: Moby's types and the
// engine's share docker's field names.
func convert(src, dst any) error {
	data, err := json.Marshal(src)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return errors.Join(errors.New("the answer does not fit berth's types"), err)
	}
	return nil
}
