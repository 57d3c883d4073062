package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	mevents "github.com/moby/moby/api/types/events"
	mnetwork "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/engine/events"
	"berth/engine/network"
	"berth/engine/volumes"
	"berth/host"
	"berth/images"
)

// BuildRunner is for builds on this machine; a build on the far side
// runs its steps there.
func (c *Client) BuildRunner() images.Runner { return remoteRunner{c} }

type remoteRunner struct{ c *Client }

func (r remoteRunner) Run(ctx context.Context, step images.RunStep) error {
	return r.c.notImplemented("a build step run from this machine")
}

// Networks is the far side's networks.
func (c *Client) Networks() host.Networks { return remoteNetworks{c} }

type remoteNetworks struct{ c *Client }

func (r remoteNetworks) List() ([]*network.Network, error) {
	res, err := r.c.api.NetworkList(context.Background(), client.NetworkListOptions{})
	if err != nil {
		return nil, r.c.fail("list networks", "", err)
	}
	out := make([]*network.Network, 0, len(res.Items))
	for _, s := range res.Items {
		var n network.Network
		if err := convert(s, &n); err != nil {
			return nil, fmt.Errorf("list networks on %s: %w", r.c.endpoint, err)
		}
		out = append(out, &n)
	}
	return out, nil
}

func (r remoteNetworks) Inspect(ref string) (*network.Network, error) {
	res, err := r.c.api.NetworkInspect(context.Background(), ref, client.NetworkInspectOptions{})
	if err != nil {
		return nil, r.c.fail("inspect network", ref, err)
	}
	var n network.Network
	if err := convert(res.Raw, &n); err != nil {
		return nil, fmt.Errorf("inspect network %s on %s: %w", ref, r.c.endpoint, err)
	}
	return &n, nil
}

// Create makes a bridge network; the far side names its Linux bridge
// (com.docker.network.bridge.name when opts.Bridge is set).
func (r remoteNetworks) Create(opts network.CreateOptions) (*network.Network, error) {
	req := client.NetworkCreateOptions{Driver: "bridge", Internal: opts.Internal, Labels: opts.Labels}
	if opts.Bridge != "" {
		req.Options = map[string]string{"com.docker.network.bridge.name": opts.Bridge}
	}
	if opts.Subnet != "" {
		var ipam mnetwork.IPAM
		if err := convert(map[string]any{"Config": []map[string]string{{"Subnet": opts.Subnet, "Gateway": opts.Gateway}}}, &ipam); err != nil {
			return nil, fmt.Errorf("create network %s: %w", opts.Name, err)
		}
		req.IPAM = &ipam
	}
	res, err := r.c.api.NetworkCreate(context.Background(), opts.Name, req)
	if err != nil {
		return nil, r.c.fail("create network", opts.Name, err)
	}
	return r.Inspect(res.ID)
}

func (r remoteNetworks) Remove(ref string) error {
	if _, err := r.c.api.NetworkRemove(context.Background(), ref, client.NetworkRemoveOptions{}); err != nil {
		return r.c.fail("remove network", ref, err)
	}
	return nil
}

func (r remoteNetworks) Prune() ([]string, error) {
	res, err := r.c.api.NetworkPrune(context.Background(), client.NetworkPruneOptions{})
	if err != nil {
		return nil, r.c.fail("prune networks", "", err)
	}
	return res.Report.NetworksDeleted, nil
}

// Volumes is the far side's volumes.
func (c *Client) Volumes() host.Volumes { return remoteVolumes{c} }

type remoteVolumes struct{ c *Client }

func (r remoteVolumes) Create(ctx context.Context, opts volumes.CreateOptions) (*engine.Volume, error) {
	res, err := r.c.api.VolumeCreate(ctx, client.VolumeCreateOptions{Name: opts.Name, Driver: opts.Driver, DriverOpts: opts.Options, Labels: opts.Labels})
	if err != nil {
		return nil, r.c.fail("create volume", opts.Name, err)
	}
	var v engine.Volume
	if err := convert(res.Volume, &v); err != nil {
		return nil, fmt.Errorf("create volume %s on %s: %w", opts.Name, r.c.endpoint, err)
	}
	return &v, nil
}

func (r remoteVolumes) Inspect(ctx context.Context, name string) (*engine.Volume, error) {
	res, err := r.c.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return nil, r.c.fail("inspect volume", name, err)
	}
	var v engine.Volume
	if err := convert(res.Volume, &v); err != nil {
		return nil, fmt.Errorf("inspect volume %s on %s: %w", name, r.c.endpoint, err)
	}
	return &v, nil
}

func (r remoteVolumes) List(ctx context.Context) ([]*engine.Volume, error) {
	res, err := r.c.api.VolumeList(ctx, client.VolumeListOptions{})
	if err != nil {
		return nil, r.c.fail("list volumes", "", err)
	}
	out := make([]*engine.Volume, 0, len(res.Items))
	for _, mv := range res.Items {
		var v engine.Volume
		if err := convert(mv, &v); err != nil {
			return nil, fmt.Errorf("list volumes on %s: %w", r.c.endpoint, err)
		}
		out = append(out, &v)
	}
	return out, nil
}

// Users maps each volume to the containers that mount it, from the
// containers' inspect documents.
func (r remoteVolumes) Users(ctx context.Context) (map[string][]string, error) {
	ctrs, err := r.c.List(ctx, engine.ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, ctr := range ctrs {
		for _, m := range ctr.Mounts {
			if m.Name != "" {
				users[m.Name] = append(users[m.Name], ctr.ID)
			}
		}
	}
	return users, nil
}

func (r remoteVolumes) Remove(ctx context.Context, name string, force bool) error {
	if _, err := r.c.api.VolumeRemove(ctx, name, client.VolumeRemoveOptions{Force: force}); err != nil {
		return r.c.fail("remove volume", name, err)
	}
	return nil
}

// Prune removes unused volumes; the far side decides which are unused, so
// opts.Keep (a caller's own filter) cannot be applied.
func (r remoteVolumes) Prune(ctx context.Context, opts engine.PruneOptions) ([]string, int64, error) {
	if opts.Keep != nil {
		return nil, 0, r.c.notImplemented("volume prune with a filter function")
	}
	res, err := r.c.api.VolumePrune(ctx, client.VolumePruneOptions{All: opts.All})
	if err != nil {
		return nil, 0, r.c.fail("prune volumes", "", err)
	}
	return res.Report.VolumesDeleted, int64(res.Report.SpaceReclaimed), nil
}

// Events is the far side's timeline.
func (c *Client) Events() host.Events { return remoteEvents{c} }

type remoteEvents struct{ c *Client }

// eventsRequest is f as the API's since, until and filters.
func eventsRequest(f events.Filter) client.EventsListOptions {
	req := client.EventsListOptions{Filters: client.Filters{}}
	if !f.Since.IsZero() {
		req.Since = unixNano(f.Since)
	}
	if !f.Until.IsZero() {
		req.Until = unixNano(f.Until)
	}
	if f.ID != "" {
		req.Filters.Add("container", f.ID)
	}
	if f.Name != "" {
		req.Filters.Add("container", f.Name)
	}
	req.Filters.Add("type", f.Types...)
	req.Filters.Add("event", f.Actions...)
	for k, vs := range req.Filters {
		if len(vs) == 0 {
			delete(req.Filters, k)
		}
	}
	return req
}

func unixNano(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + fmt.Sprintf("%09d", t.Nanosecond())
}

// fromMessage is an API event as the engine's.
func fromMessage(m mevents.Message) events.Event {
	e := events.Event{
		Time: time.Unix(0, m.TimeNano), Type: string(m.Type), Action: string(m.Action),
		ID: m.Actor.ID, Attributes: m.Actor.Attributes,
	}
	if n := m.Actor.Attributes["name"]; n != "" {
		e.Name = n
	}
	return e
}

// Query is the events so far (until now when f has no Until).
func (r remoteEvents) Query(f events.Filter) ([]events.Event, error) {
	if f.Until.IsZero() {
		f.Until = time.Now()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := r.c.api.Events(ctx, eventsRequest(f))
	var out []events.Event
	for {
		select {
		case m, ok := <-res.Messages:
			if !ok {
				return out, nil
			}
			out = append(out, fromMessage(m))
		case err := <-res.Err:
			if err == nil || errors.Is(err, io.EOF) || ctx.Err() != nil {
				return out, nil
			}
			return nil, r.c.fail("events", "", err)
		}
	}
}

// Follow streams events until ctx is done (or past f.Until).
func (r remoteEvents) Follow(ctx context.Context, f events.Filter) (<-chan events.Event, error) {
	res := r.c.api.Events(ctx, eventsRequest(f))
	out := make(chan events.Event)
	go func() {
		defer close(out)
		for {
			select {
			case m := <-res.Messages:
				select {
				case out <- fromMessage(m):
				case <-ctx.Done():
					return
				}
			case err := <-res.Err:
				// Follow has no error to give: a broken stream ends it as the
				// caller's ctx does, with the channel closed.
				_ = err
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
