package engine

import (
	"cmp"
	"fmt"
	"maps"
	"strings"
	"time"

	"berth/engine/events"
)

// Emit records an event in the durable timeline, as docker's daemon logs
// one: typ is events.TypeContainer, TypeImage, TypeNetwork or TypeVolume,
// action docker's action name, id the actor's ID (a volume's is its name),
// and attrs docker's attributes, events.AttrName among them (it is also
// kept as the event's Name). A failure to record is not a failure of the
// operation: it becomes a warning.
//
//	e.Emit(events.TypeVolume, events.ActionCreate, "data",
//		map[string]string{events.AttrName: "data", "driver": "local"})
func (e *Engine) Emit(typ, action, id string, attrs map[string]string) {
	if !emit(e.events, e.opts.Warn, typ, action, id, attrs) && typ == events.TypeContainer {
		dropListSnapshot(e.opts.Root)
	}
}

// emit is Emit for the stores the engine opens before it exists (the
// image store, the networks): warn (nil: nowhere) receives a failure,
// and false says there was one.
func emit(log *events.Log, warn func(string), typ, action, id string, attrs map[string]string) bool {
	ev := events.Event{Time: time.Now().UTC(), Type: typ, Action: action, ID: id,
		Name: attrs[events.AttrName], Attributes: attrs}
	if err := log.Append(ev); err != nil {
		if warn != nil {
			warn(fmt.Sprintf("record the %s %s event of %s: %v", typ, action, cmp.Or(ev.Name, id), err))
		}
		return false
	}
	return true
}

// EmitContainer records an event of the container ref with docker's
// container attributes (labels, image, name) beside attrs: what a helper
// outside the container's lifecycle (a healthcheck's health_status) uses.
func (e *Engine) EmitContainer(ref, action string, attrs map[string]string) error {
	c, err := e.get(ref)
	if err != nil {
		return err
	}
	e.event(c, action, attrs)
	return nil
}

// containerEventAttributes are a container event's attributes as docker
// gives them: the container's labels, then its image (as the user named
// it) and name, then the event's own attrs.
func containerEventAttributes(c *record, attrs map[string]string) map[string]string {
	out := map[string]string{}
	maps.Copy(out, c.Config.Labels)
	if c.Config.Image != "" {
		out[events.AttrImage] = c.Config.Image
	}
	out[events.AttrName] = c.DisplayName()
	maps.Copy(out, attrs)
	return out
}

// execCommandLine is an exec's command as docker's exec events show it:
// the program, a space, and its arguments joined by spaces (so a command
// without arguments ends in a space, as docker's does).
func execCommandLine(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0] + " " + strings.Join(args[1:], " ")
}
