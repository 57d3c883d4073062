package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"berth/engine/network"
	"berth/internal/filters"
)

// listFilterKeys are the keys of docker's ps filters.
var listFilterKeys = []string{"ancestor", "before", "exited", "expose", "health", "id", "is-task",
	"isolation", "label", "name", "network", "publish", "since", "status", "volume"}

// healthStatuses are the values of the health filter: a healthcheck's
// states, and "none" for a container without one.
var healthStatuses = []string{"starting", "healthy", "unhealthy", "none"}

// ValidateListFilters checks ps filters as docker's daemon does before it
// lists anything: known keys, and values of the right form (a state, an
// exit code, a health status, a port range, a boolean). The references of
// before, since and ancestor are checked when they are looked up.
func ValidateListFilters(f filters.Args) error {
	if err := f.Validate(listFilterKeys...); err != nil {
		return err
	}
	for _, v := range f["exited"] {
		if _, err := strconv.Atoi(v); err != nil {
			return filters.InvalidFilter("exited", v)
		}
	}
	for _, v := range f["status"] {
		if !Status(v).Valid() {
			return filters.InvalidFilter("status", v)
		}
	}
	for _, v := range f["health"] {
		if !slices.Contains(healthStatuses, v) {
			return fmt.Errorf("Unrecognised filter value for health: %s", v) //nolint:staticcheck // docker's message, capital and British spelling included
		}
	}
	if _, _, err := f.Bool("is-task"); err != nil {
		return err
	}
	for _, key := range []string{"publish", "expose"} {
		if _, err := filters.Ports(key, f[key]); err != nil {
			return err
		}
	}
	return nil
}

// containerFilter is a set of ps filters with its references resolved:
// what match needs, and nothing it must look up.
type containerFilter struct {
	args   filters.Args
	exited []int
	// isTask is the is-task filter's value, when given: berth's
	// containers are never swarm tasks.
	isTask, hasIsTask bool
	// ancestors are the image IDs ("sha256:…") the ancestor filter
	// accepts: each image named and those built on it; nil without the
	// filter.
	ancestors       map[string]bool
	before, since   *Container
	publish, expose map[string]bool
	// ids are the containers the id filter names: each value a prefix of
	// exactly one container's ID; nil without the filter.
	ids map[string]bool
}

// newContainerFilter validates f and resolves its references: before and
// since name containers (an error when missing, as docker's), ancestor
// names images (one that is missing matches nothing).
func (e *Engine) newContainerFilter(f filters.Args) (*containerFilter, error) {
	cf, err := parseContainerFilter(f)
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"before", "since"} {
		for _, v := range f[key] {
			rec, err := e.get(v)
			if err != nil {
				return nil, err
			}
			if key == "before" {
				cf.before = &rec.Container
			} else {
				cf.since = &rec.Container
			}
		}
	}
	if f.Contains("id") {
		all, err := e.store.ids()
		if err != nil {
			return nil, err
		}
		cf.ids = uniquePrefixIDs(f["id"], all)
	}
	if f.Contains("ancestor") {
		var err error
		if cf.ancestors, err = e.imagesFrom(f["ancestor"]); err != nil {
			return nil, err
		}
	}
	return cf, nil
}

// parseContainerFilter validates f and parses its values; the references
// (before, since, ancestor) are left to newContainerFilter.
func parseContainerFilter(f filters.Args) (*containerFilter, error) {
	if err := ValidateListFilters(f); err != nil {
		return nil, err
	}
	cf := &containerFilter{args: f}
	for _, v := range f["exited"] {
		n, _ := strconv.Atoi(v) // validated above
		cf.exited = append(cf.exited, n)
	}
	cf.isTask, cf.hasIsTask, _ = f.Bool("is-task")
	cf.publish, _ = filters.Ports("publish", f["publish"])
	cf.expose, _ = filters.Ports("expose", f["expose"])
	return cf, nil
}

// imagesFrom is the IDs of the images refs name and of every image built
// on one of them (its layers start with theirs), as docker's ancestor
// filter follows an image's children.
func (e *Engine) imagesFrom(refs []string) (map[string]bool, error) {
	all, err := e.images.List()
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, ref := range refs {
		img, err := e.images.Lookup(ref)
		if err != nil {
			continue // docker ignores an ancestor it cannot find
		}
		ids["sha256:"+img.ID] = true
		if len(img.Layers) == 0 {
			continue
		}
		for _, other := range all {
			if len(other.Layers) >= len(img.Layers) && slices.Equal(other.Layers[:len(img.Layers)], img.Layers) {
				ids["sha256:"+other.ID] = true
			}
		}
	}
	return ids, nil
}

// match reports whether c passes every filter, by docker's rules.
func (f *containerFilter) match(c *Container) bool {
	a := f.args
	switch {
	case !a.Match("name", c.Name) && !a.Match("name", strings.TrimPrefix(c.Name, "/")),
		f.ids != nil && !f.ids[c.ID],
		f.hasIsTask && f.isTask,
		!a.MatchKVList("label", c.Config.Labels),
		!a.Match("isolation", "default"),
		f.before != nil && !created(c).Before(created(f.before)),
		f.since != nil && !created(f.since).Before(created(c)),
		!f.matchExited(c),
		!a.Match("status", string(c.State.Status)),
		f.ancestors != nil && !f.ancestors[c.Image],
		!matchNetwork(a["network"], c),
		!f.matchPorts(c):
		return false
	}
	if a.Contains("health") || a.Contains("volume") {
		v := inspectFields(c)
		if !a.ExactMatch("health", v.health()) || !v.hasVolume(a["volume"]) {
			return false
		}
	}
	return true
}

// uniquePrefixIDs resolves the id filter's values as docker's daemon does
// (its ID index): a value names the one ID among all that starts with it,
// and a value that starts no ID, or several, names none.
func uniquePrefixIDs(values, all []string) map[string]bool {
	ids := map[string]bool{}
	for _, v := range values {
		var found []string
		for _, id := range all {
			if v != "" && strings.HasPrefix(id, v) {
				found = append(found, id)
			}
		}
		if len(found) == 1 {
			ids[found[0]] = true
		}
	}
	return ids
}

// created orders containers by creation, the ID breaking ties.
func created(c *Container) createdKey { return createdKey{c.Created.UnixNano(), c.ID} }

type createdKey struct {
	nanos int64
	id    string
}

func (k createdKey) Before(o createdKey) bool {
	return k.nanos < o.nanos || k.nanos == o.nanos && k.id < o.id
}

// matchExited is the exited filter: the container ran and exited with one
// of the codes.
func (f *containerFilter) matchExited(c *Container) bool {
	if len(f.exited) == 0 {
		return true
	}
	return !c.State.Running() && !c.State.StartedAt.IsZero() && slices.Contains(f.exited, c.State.ExitCode)
}

// matchNetwork is the network filter: the container is on a network of
// that name or whose ID starts with the value.
func matchNetwork(values []string, c *Container) bool {
	if len(values) == 0 {
		return true
	}
	names := network.NetworksFor(c.HostConfig.NetworkMode)
	if mode := c.HostConfig.NetworkMode; mode == network.NameHost || mode == network.NameNone {
		names = append(names, mode)
	}
	var ids []string
	if s := c.NetworkSettings; s != nil {
		for name, ep := range s.Networks {
			names = append(names, name)
			ids = append(ids, ep.NetworkID)
		}
	}
	for _, v := range values {
		if slices.Contains(names, v) || slices.ContainsFunc(ids, func(id string) bool { return id != "" && strings.HasPrefix(id, v) }) {
			return true
		}
	}
	return false
}

// matchPorts is the publish and expose filters: one of the container's
// ports is published on, or exposes, one of the ports named. Ports exist
// while the container runs, as docker's ps shows them.
func (f *containerFilter) matchPorts(c *Container) bool {
	if len(f.publish) == 0 && len(f.expose) == 0 {
		return true
	}
	if c.NetworkSettings == nil {
		return false
	}
	for port, bindings := range c.NetworkSettings.Ports {
		num, proto, _ := strings.Cut(port, "/")
		if proto == "" {
			proto = "tcp"
		}
		if f.expose[num+"/"+proto] {
			return true
		}
		for _, b := range bindings {
			if f.publish[b.HostPort+"/"+proto] {
				return true
			}
		}
	}
	return false
}

// filterFields are the parts of a container's inspect JSON the health and
// volume filters read, by the names docker's filters use:
// .State.Health.Status and .Mounts' Name, Source and Destination.
type filterFields struct {
	State struct {
		Health *struct{ Status string }
	}
	Mounts []struct{ Name, Source, Destination string }
}

// inspectFields reads c's filterFields from its JSON form; a container
// that cannot be encoded has none.
func inspectFields(c *Container) filterFields {
	var v filterFields
	if data, err := json.Marshal(c); err == nil {
		_ = json.Unmarshal(data, &v) // the same types, encoded a moment ago
	}
	return v
}

// health is the container's health status, "none" without a healthcheck.
func (v filterFields) health() string {
	if v.State.Health == nil || v.State.Health.Status == "" {
		return "none"
	}
	return v.State.Health.Status
}

// hasVolume is the volume filter: one of the values is a mount's
// destination, or its volume name (its source for a bind).
func (v filterFields) hasVolume(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, m := range v.Mounts {
		name := m.Name
		if name == "" {
			name = m.Source
		}
		if slices.Contains(values, m.Destination) || slices.Contains(values, name) {
			return true
		}
	}
	return false
}
