package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/moby/moby/client"

	"berth/engine"
	"berth/images"
)

// The client's half of berth's own endpoints (berth_ext.go): what the
// full-screen program and `system df` need of a far berth and the Docker
// Engine API cannot express, which are host.Observer, host.CPUClock, Top
// and the image store's DiskUsage. A far side that is not berth
// (dockerd) answers 404 "page not found": the call then fails with
// engine.ErrNotImplemented, as it did before these endpoints existed.

// extClient is an HTTP client that reaches the far side through api's
// own dialer, so berth's endpoints go over the same ssh, socket or TLS.
func extClient(api *client.Client) *http.Client {
	dial := api.Dialer()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dial(ctx)
		},
		MaxIdleConns:    1,
		IdleConnTimeout: 30 * time.Second,
	}}
}

// extCall makes one request to berth's endpoint path (under
// berthExtPrefix) and decodes a JSON answer into out (nil: none).
func (c *Client) extCall(ctx context.Context, method, path string, query url.Values, op string, out any) error {
	u := url.URL{Scheme: "http", Host: "berth.invalid", Path: berthExtPrefix + path, RawQuery: query.Encode()}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return fmt.Errorf("%s on %s: %w", op, c.endpoint, err)
	}
	res, err := c.ext.Do(req)
	if err != nil {
		return fmt.Errorf("%s on %s: %w", op, c.endpoint, err)
	}
	defer func() { _ = res.Body.Close() }() // a failed close of a read answer loses nothing
	if res.StatusCode >= 300 {
		return c.extError(op, res)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("%s on %s: read the answer: %w", op, c.endpoint, err)
	}
	return nil
}

// extError is a failed answer as the engine's error: a 404 "page not
// found", or a 404 without docker's error body (the far side lacks
// berth's endpoints), is engine.ErrNotImplemented,
// the other statuses keep the sentinel docker's code stands for.
func (c *Client) extError(op string, res *http.Response) error {
	var body struct {
		Message string `json:"message"`
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10)) // the status alone still says what failed
	docker := json.Unmarshal(data, &body) == nil && body.Message != ""
	if !docker {
		body.Message = http.StatusText(res.StatusCode)
	}
	msg := errors.New(body.Message)
	switch {
	case res.StatusCode == http.StatusNotFound && (!docker || body.Message == "page not found"):
		return fmt.Errorf("%s on %s: the far side has no berth endpoints (not berth?): %w", op, c.endpoint, engine.ErrNotImplemented)
	case res.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s on %s: %w: %w", op, c.endpoint, engine.ErrNotFound, msg)
	case res.StatusCode == http.StatusBadRequest:
		return fmt.Errorf("%s on %s: %w: %w", op, c.endpoint, engine.ErrInvalidArgument, msg)
	case res.StatusCode == http.StatusNotImplemented:
		return fmt.Errorf("%s on %s: %w: %w", op, c.endpoint, engine.ErrNotImplemented, msg)
	}
	return fmt.Errorf("%s on %s: %w", op, c.endpoint, msg)
}

// Top is the far berth's own process table of a container (host PIDs,
// I/O counters, start times), which the API's top (ps columns as text)
// does not carry.
func (c *Client) Top(ctx context.Context, ref string) ([]engine.Process, error) {
	var procs []engine.Process
	if err := c.extCall(ctx, http.MethodGet, "/containers/"+url.PathEscape(ref)+"/processes", nil, "top (berth's process table) of "+ref, &procs); err != nil {
		return nil, err
	}
	return procs, nil
}

// HostStats is one sample of the far side's CPU counters and memory.
// From a far side without berth's endpoints it is the CPU count and
// memory of info, with the CPU counters zero (a CPU gauge reads idle).
func (c *Client) HostStats(ctx context.Context) (*engine.HostStats, error) {
	var hs engine.HostStats
	err := c.extCall(ctx, http.MethodGet, "/host/stats", nil, "host stats", &hs)
	if err == nil {
		return &hs, nil
	}
	if !errors.Is(err, engine.ErrNotImplemented) {
		return nil, err
	}
	r, err := c.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, c.fail("info", "", err)
	}
	return &engine.HostStats{Time: time.Now(), NCPU: r.Info.NCPU, MemTotal: uint64(r.Info.MemTotal)}, nil
}

// DiskUsage is the size of berth's data root on the far side.
func (c *Client) DiskUsage(ctx context.Context) (int64, error) {
	var du berthDiskUsage
	if err := c.extCall(ctx, http.MethodGet, "/host/disk", nil, "disk usage of the data root", &du); err != nil {
		return 0, err
	}
	return du.DataRootBytes, nil
}

// SignalProcess signals one process of a container by its host PID on
// the far side; the API's kill signals only the container's main
// process.
func (c *Client) SignalProcess(ctx context.Context, ref string, hostPID int, signal string) error {
	path := "/containers/" + url.PathEscape(ref) + "/processes/" + strconv.Itoa(hostPID) + "/signal"
	return c.extCall(ctx, http.MethodPost, path, url.Values{"signal": {signal}}, "signal process "+strconv.Itoa(hostPID)+" of "+ref, nil)
}

// DiskUsage is `system df`'s detail, which berth reads from its own store
// (shared layers, build cache records) beyond what the API's df carries.
func (r remoteImages) DiskUsage() (*images.DiskUsage, error) {
	var du images.DiskUsage
	if err := r.c.extCall(context.Background(), http.MethodGet, "/images/disk", nil, "disk usage (system df)", &du); err != nil {
		return nil, err
	}
	return &du, nil
}

// SystemCPUUsage is the far side's whole CPU time (host.CPUClock).
func (c *Client) SystemCPUUsage(ctx context.Context) (uint64, int, error) {
	var cu berthCPUUsage
	if err := c.extCall(ctx, http.MethodGet, "/host/cpu", nil, "system CPU usage", &cu); err != nil {
		return 0, 0, err
	}
	return cu.UsageNanos, cu.CPUs, nil
}

// Hangup tells a running exec process on the far side that its terminal
// is gone (SIGHUP, as closing a terminal window sends; a shell then
// exits), through berth's signal endpoint with the host PID the exec's
// inspect reports: the TUI closes a remote shell pane as a local one.
// The session's own context may already be done (a closed pane cancels
// it first), so the hangup has its own deadline.
func (s *execSession) Hangup() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 30*time.Second)
	defer cancel()
	r, err := s.c.api.ExecInspect(ctx, s.id, client.ExecInspectOptions{})
	if err != nil {
		return s.c.fail("hang up the exec in container", s.ref, err)
	}
	if !r.Running || r.PID == 0 {
		return nil
	}
	return s.c.SignalProcess(ctx, s.ref, r.PID, "HUP")
}
