package host

import (
	"fmt"

	"berth/engine/network"
	filterArgs "berth/internal/filters"
)

// NetworkFilter turns a network list's filters into a predicate, by docker's
// rules: name and id as regular expressions, driver and scope exactly,
// every label, type custom or builtin, dangling (a network of the user's
// without containers, or every other); any one value of a key suffices.
func NetworkFilter(args filterArgs.Args) (func(*network.Network) bool, error) {
	if err := args.Validate("dangling", "driver", "id", "label", "name", "scope", "type"); err != nil {
		return nil, err
	}
	dangling, danglingSet, err := args.Bool("dangling")
	if err != nil {
		return nil, err
	}
	for _, v := range args["type"] {
		if v != "custom" && v != "builtin" {
			return nil, fmt.Errorf("invalid filter 'type=%s': use custom or builtin", v)
		}
	}
	return func(n *network.Network) bool {
		kind := "custom"
		if n.Predefined() {
			kind = "builtin"
		}
		// dangling: a network of the user's without containers.
		unused := !n.Predefined() && len(n.Containers) == 0
		return args.ExactMatch("driver", n.Driver) && args.Match("name", n.Name) && args.Match("id", n.ID) &&
			args.MatchKVList("label", n.Labels) && args.ExactMatch("scope", "local") && args.ExactMatch("type", kind) &&
			(!danglingSet || unused == dangling)
	}, nil
}
