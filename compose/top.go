package compose

import (
	"context"
	"fmt"
	"strings"

	"berth/host"
)

// Processes are one container's processes as `compose top` lists them.
type Processes struct {
	Name    string // the container's name
	Service string
	Number  string // its number in the service, "" for `compose run`'s
	Titles  []string
	Rows    [][]string
}

// Top is the processes of project name's running containers (of
// services, or all, `compose run` ones included), in name order.
func Top(ctx context.Context, h host.Host, name string, services []string) ([]Processes, error) {
	containers, err := Containers(ctx, h, name, services, false, true)
	if err != nil {
		return nil, err
	}
	var out []Processes
	for _, c := range containers {
		cname := strings.TrimPrefix(c.Name, "/")
		top, err := h.TopPS(ctx, c.ID, nil)
		if err != nil {
			return nil, fmt.Errorf("top %s: %w", cname, err)
		}
		out = append(out, Processes{
			Name: cname, Service: c.Config.Labels[LabelService], Number: c.Config.Labels[LabelNumber],
			Titles: top.Titles, Rows: top.Processes,
		})
	}
	return out, nil
}
