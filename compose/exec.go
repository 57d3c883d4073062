package compose

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"berth/engine"
	"berth/host"
)

// ServiceContainer is the running container of service that `compose
// exec` and `compose port` act on: number index, or with index 0 the
// lowest number, `compose run` containers last.
func ServiceContainer(ctx context.Context, h host.Host, project, service string, index int) (*engine.Container, error) {
	list, err := Containers(ctx, h, project, []string{service}, false, true)
	if err != nil {
		return nil, err
	}
	if index > 0 {
		list = slices.DeleteFunc(list, func(c *engine.Container) bool {
			return isOneoff(c.Config.Labels) || number(c.Config.Labels) != index
		})
	}
	if len(list) == 0 {
		if index > 0 {
			return nil, fmt.Errorf("service %q is not running container #%d", service, index)
		}
		return nil, fmt.Errorf("service %q is not running", service)
	}
	slices.SortStableFunc(list, func(a, b *engine.Container) int {
		oa, ob := isOneoff(a.Config.Labels), isOneoff(b.Config.Labels)
		if oa != ob {
			if oa {
				return 1
			}
			return -1
		}
		return cmp.Compare(number(a.Config.Labels), number(b.Config.Labels))
	})
	return list[0], nil
}
