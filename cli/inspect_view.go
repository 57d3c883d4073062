package cli

import (
	"time"

	"berth/engine"
	"berth/engine/network"
)

// The typed values `inspect -f` templates run on. The engine's and the
// image store's types have docker's field names already; these views
// change only what docker's typed API values have in another type, so
// that {{.Created}} prints as docker prints it (times are RFC 3339 strings
// in docker's types) and {{.NetworkSettings.IPAddress}} of a stopped
// container is "" instead of an error. Everything else is the engine's
// value, promoted through the embedded pointer.

// containerView is a container as inspect templates see it.
type containerView struct {
	*engine.Container
	Created         string
	State           stateView
	NetworkSettings *network.Settings
}

// stateView is a container's State with docker's string times.
type stateView struct {
	engine.State
	StartedAt  string
	FinishedAt string
}

func newContainerView(c *engine.Container) containerView {
	v := containerView{
		Container:       c,
		Created:         inspectTime(c.Created),
		State:           stateView{State: c.State, StartedAt: inspectTime(c.State.StartedAt), FinishedAt: inspectTime(c.State.FinishedAt)},
		NetworkSettings: c.NetworkSettings,
	}
	if v.NetworkSettings == nil {
		v.NetworkSettings = &network.Settings{}
	}
	return v
}

// imageView is an image as inspect templates see it.
type imageView struct {
	imageInspect
	Created string
}

func newImageView(ii imageInspect) imageView {
	return imageView{imageInspect: ii, Created: inspectTime(ii.Created)}
}

// inspectView is obj's typed value for templates.
func inspectView(obj any) any {
	switch o := obj.(type) {
	case *engine.Container:
		return newContainerView(o)
	case imageInspect:
		return newImageView(o)
	}
	return obj
}

// inspectTime is a time as docker's API types carry it.
func inspectTime(t time.Time) string { return t.Format(time.RFC3339Nano) }
