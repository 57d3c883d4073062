package cli

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"berth/engine/events"
	"berth/host"
)

func (a *app) eventsCommand() *cobra.Command {
	var since, until, format string
	var filters []string
	cmd := newCommand("events [OPTIONS]", "Get real time events from the server", noArgs, nil)
	cmd.Short = "Get real time events of containers, images, networks and volumes"
	cmd.Long = "Print what happens to containers, images, networks and volumes (create,\n" +
		"start, die, exec_start, attach, tag, pull, connect…) as it happens, until ctrl-c. With --since,\n" +
		"recorded events come first; with --until, berth stops there.\n" +
		"Filters (docker's): container=NAME|ID, image=REFERENCE|ID, network=NAME|ID,\n" +
		"volume=NAME, label=KEY[=VALUE], type=container|image|network|volume, event=ACTION."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		out, err := parseFormat(format, "")
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		now := a.sys.now()
		var f events.Filter
		if f.Since, err = host.ParseTimestamp(since, now); err != nil {
			return usageError(cmd.CommandPath(), fmt.Errorf("invalid value for \"since\": %w", err))
		}
		if f.Until, err = host.ParseTimestamp(until, now); err != nil {
			return usageError(cmd.CommandPath(), fmt.Errorf("invalid value for \"until\": %w", err))
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		if err := parseEventFilters(filters, &f); err != nil {
			if errors.Is(err, errFilterFormat) {
				return usageError(cmd.CommandPath(), err)
			}
			return err
		}
		write := func(e events.Event) error {
			if format == "" {
				_, err := fmt.Fprintln(a.stdout, formatEvent(e))
				return err
			}
			return out.write(a.stdout, nil, []any{eventRow{e}})
		}
		if !f.Until.IsZero() && !f.Until.After(now) {
			list, err := eng.Events().Query(f)
			if err != nil {
				return err
			}
			for _, e := range list {
				if err := write(e); err != nil {
					return err
				}
			}
			return nil
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		ch, err := eng.Events().Follow(ctx, f)
		if err != nil {
			return err
		}
		for e := range ch {
			if err := write(e); err != nil {
				return err
			}
		}
		return nil
	}
	flags := cmd.Flags()
	flags.StringArrayVarP(&filters, "filter", "f", nil, "filter output based on conditions provided: container, event, image, label, network, type, volume")
	flags.StringVar(&since, "since", "", "show all events created since timestamp")
	flags.StringVar(&until, "until", "", "stream events until this timestamp")
	flags.StringVar(&format, "format", "", "format output: json or a Go template ({{.Action}}, {{.Actor.ID}}…)")
	return cmd
}

// errFilterFormat is a -f without "=", a flag error as docker's.
var errFilterFormat = errors.New("bad format of filter (expected name=value)")

// parseEventFilters fills f.Args from -f key=value, docker's keys and
// rules (events.MatchArgs). An unknown key is docker's daemon's error.
func parseEventFilters(values []string, f *events.Filter) error {
	for _, v := range values {
		key, value, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("%w: %s", errFilterFormat, v)
		}
		if !slices.Contains(events.FilterKeys, key) {
			return fmt.Errorf("invalid filter '%s'", key)
		}
		if f.Args == nil {
			f.Args = map[string][]string{}
		}
		f.Args[key] = append(f.Args[key], value)
	}
	return nil
}

// formatEvent is docker's event line:
// "2026-11-29T17:00:00.000000000Z container start 4f1c… (image=busybox, name=web)".
func formatEvent(e events.Event) string {
	attrs := map[string]string{}
	maps.Copy(attrs, e.Attributes)
	if e.Name != "" {
		attrs["name"] = e.Name
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		parts = append(parts, k+"="+attrs[k])
	}
	line := e.Time.Format(timestampFormat) + " " + e.Type + " " + e.Action + " " + e.ID
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	return line
}

// eventRow is an event as --format sees it, in docker's shape.
type eventRow struct{ e events.Event }

func (r eventRow) Type() string   { return r.e.Type }
func (r eventRow) Action() string { return r.e.Action }
func (r eventRow) Status() string { s, _, _ := r.legacy(); return s }
func (r eventRow) ID() string     { _, id, _ := r.legacy(); return id }
func (r eventRow) From() string   { _, _, from := r.legacy(); return from }
func (r eventRow) Scope() string  { return "local" }
func (r eventRow) Time() int64    { return r.e.Time.Unix() }
func (r eventRow) TimeNano() int64 {
	return r.e.Time.UnixNano()
}

// Actor is docker's {ID, Attributes}.
func (r eventRow) Actor() eventActor {
	attrs := map[string]string{}
	maps.Copy(attrs, r.e.Attributes)
	if r.e.Name != "" {
		attrs["name"] = r.e.Name
	}
	return eventActor{ID: r.e.ID, Attributes: attrs}
}

type eventActor struct {
	ID         string
	Attributes map[string]string
}

// MarshalJSON is {{json .}}, as docker's event JSON.
func (r eventRow) MarshalJSON() ([]byte, error) {
	type actor struct {
		ID         string            `json:"ID"`
		Attributes map[string]string `json:"Attributes"`
	}
	status, id, from := r.legacy()
	return marshalJSON(struct {
		Status   string `json:"status,omitempty"`
		ID       string `json:"id,omitempty"`
		From     string `json:"from,omitempty"`
		Type     string `json:"Type"`
		Action   string `json:"Action"`
		Actor    actor  `json:"Actor"`
		Scope    string `json:"scope"`
		Time     int64  `json:"time"`
		TimeNano int64  `json:"timeNano"`
	}{status, id, from, r.Type(), r.Action(), actor(r.Actor()), "local", r.Time(), r.TimeNano()})
}

// legacy are docker's deprecated top-level status, id and from: set for
// container events (from is the image attribute) and image events only.
func (r eventRow) legacy() (status, id, from string) {
	switch r.e.Type {
	case events.TypeContainer:
		return r.e.Action, r.e.ID, r.e.Attributes[events.AttrImage]
	case events.TypeImage:
		return r.e.Action, r.e.ID, ""
	}
	return "", "", ""
}
