package compose

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"berth/engine"
	"berth/host"
)

// Containers are project's containers (all, or only those running),
// of the given services (none: every service), `compose run`'s one-off
// containers only when oneoff is set; sorted by service and number.
func Containers(ctx context.Context, h host.Host, project string, services []string, all, oneoff bool) ([]*engine.Container, error) {
	list, err := h.List(ctx, engine.ListOptions{All: all, Filters: projectFilter(project)})
	if err != nil {
		return nil, fmt.Errorf("list containers of project %s: %w", project, err)
	}
	var out []*engine.Container
	for _, c := range list {
		labels := c.Config.Labels
		if isOneoff(labels) && !oneoff {
			continue
		}
		if len(services) > 0 && !slices.Contains(services, labels[LabelService]) {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *engine.Container) int {
		la, lb := a.Config.Labels, b.Config.Labels
		return cmp.Or(cmp.Compare(la[LabelService], lb[LabelService]),
			cmp.Compare(number(la), number(lb)),
			cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// Summary is one project as `compose ls` lists it.
type Summary struct {
	Name        string
	Status      string // "running(2), exited(1)"
	ConfigFiles string
}

// List is every project with a container on h (running ones only
// unless all), sorted by name.
func List(ctx context.Context, h host.Host, all bool) ([]Summary, error) {
	list, err := h.List(ctx, engine.ListOptions{All: true, Filters: map[string][]string{"label": {LabelProject}}})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	type project struct {
		states map[string]int
		files  string
	}
	projects := map[string]*project{}
	for _, c := range list {
		name := c.Config.Labels[LabelProject]
		p := projects[name]
		if p == nil {
			p = &project{states: map[string]int{}}
			projects[name] = p
		}
		p.states[string(c.State.Status)]++
		if files := c.Config.Labels[LabelConfigFiles]; files != "" {
			p.files = files
		}
	}
	var out []Summary
	for _, name := range slices.Sorted(maps.Keys(projects)) {
		p := projects[name]
		if !all && p.states[string(engine.StatusRunning)] == 0 {
			continue
		}
		var status []string
		for _, s := range slices.Sorted(maps.Keys(p.states)) {
			status = append(status, fmt.Sprintf("%s(%d)", s, p.states[s]))
		}
		out = append(out, Summary{Name: name, Status: strings.Join(status, ", "), ConfigFiles: p.files})
	}
	return out, nil
}
