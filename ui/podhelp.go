package ui

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// podHelp is the help of a pod's heading (podgroups.go), listed as a
// compose project's is (composeHelp): the fold, the pod's log, the copy
// of its sandbox ID, and the project's actions, which on a pod only say
// that kubelet starts and stops its containers. It sits under the Change
// keys, where the containers screen's help has room at 30 lines.
func podHelp(k *keyMap) helpGroup {
	c, g := k.Containers, k.Global
	kubelets := slices.Concat(c.Start.Keys(), c.Restart.Keys(), c.Stop.Keys(), c.Up.Keys(), c.Down.Keys())
	return helpGroup{title: "Pod (on its row)", below: true, bindings: []key.Binding{
		bind("fold/unfold pod", c.Fold.Keys()...),
		bind("logs of the pod", c.Logs.Keys()...),
		bind("copy its sandbox ID", g.Copy.Keys()...),
		bind("kubelet starts/stops", kubelets...),
	}}
}
