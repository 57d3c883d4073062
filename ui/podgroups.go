package ui

import (
	"cmp"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/host"
)

// Kubernetes pods on the containers screen: the containers `berth cri`
// made for a pod (host.PodOf reads which) are gathered under a heading
// row per pod, "namespace/name", as a compose project's are
// (composegroups.go), after the projects. The heading counts the pod's
// containers by state, folds with the same key, opens the interleaved
// log of the pod's containers (each line prefixed with the container's
// name in the pod) and copies the pod's sandbox ID. A pod's containers
// start and stop through kubelet (or crictl), which would undo what the
// program did behind its back: the project's start, stop, restart, up
// and down keys say so on a pod's heading.

// podRef names a pod among the pods of every host.
type podRef struct {
	host    int
	sandbox string
}

// podOf is the pod c is in; ok is false for a container of no pod.
func podOf(c *engine.Container) (host.Pod, bool) { return host.PodOf(c.Config.Labels) }

// splitPods takes the containers of pods out of rows: each pod's, and
// the rest in rows' order.
func splitPods(rows []*engine.Container, hostOf map[*engine.Container]int) (map[podRef][]*engine.Container, []*engine.Container) {
	pods := map[podRef][]*engine.Container{}
	var rest []*engine.Container
	for _, c := range rows {
		p, ok := podOf(c)
		if !ok {
			rest = append(rest, c)
			continue
		}
		ref := podRef{hostOf[c], p.SandboxID}
		pods[ref] = append(pods[ref], c)
	}
	return pods, rest
}

// podTree adds a heading for each pod in shown (by title, then host),
// its members counted in all, and under it (unless folded) its shown
// containers by their name in the pod.
func podTree(shown map[podRef][]*engine.Container, all []*engine.Container, hostOf map[*engine.Container]int, folded map[string]bool, add func(*engine.Container, treeRow)) {
	if len(shown) == 0 {
		return
	}
	members := map[podRef][]*engine.Container{}
	for _, c := range all {
		if p, ok := podOf(c); ok {
			ref := podRef{hostOf[c], p.SandboxID}
			members[ref] = append(members[ref], c)
		}
	}
	groups := make([]*composeGroup, 0, len(shown))
	for ref, cs := range shown {
		p, _ := podOf(cs[0])
		groups = append(groups, &composeGroup{key: podKey(ref), host: ref.host, pod: &p, members: byCreation(members[ref])})
	}
	slices.SortFunc(groups, func(a, b *composeGroup) int {
		return cmp.Or(cmp.Compare(a.title(), b.title()), cmp.Compare(a.host, b.host), cmp.Compare(a.pod.SandboxID, b.pod.SandboxID))
	})
	for _, g := range groups {
		add(nil, treeRow{group: g})
		if folded[g.key] {
			continue
		}
		list := slices.Clone(shown[podRef{g.host, g.pod.SandboxID}])
		slices.SortStableFunc(list, func(a, b *engine.Container) int {
			return cmp.Or(cmp.Compare(podContainerName(a), podContainerName(b)), a.Created.Compare(b.Created))
		})
		for _, c := range list {
			add(c, treeRow{depth: 1})
		}
	}
}

// podKey names a pod's heading among the headings of every host (a
// project's key never has an empty project).
func podKey(ref podRef) string { return fmt.Sprintf("%d//%s", ref.host, ref.sandbox) }

// podContainerName is c's name in its pod, its own name when its labels
// do not say.
func podContainerName(c *engine.Container) string {
	if name := host.PodContainerName(c.Config.Labels); name != "" {
		return name
	}
	return c.DisplayName()
}

// podAbout is the info line's words on a pod's heading.
func (g *composeGroup) podAbout() string {
	return fmt.Sprintf("pod %s: %s · sandbox %s", g.title(), plural(len(g.members), "container"), shortID(g.pod.SandboxID))
}

// podHay is what the filter matches of c for its pod: the pod's title
// and c's name in it ("" for a container of no pod).
func podHay(c *engine.Container) string {
	p, ok := podOf(c)
	if !ok {
		return ""
	}
	return " " + p.Title() + " " + podContainerName(c)
}

// podMembers is the containers of pod sandbox in list, oldest first.
func podMembers(list []*engine.Container, sandbox string) []*engine.Container {
	var out []*engine.Container
	for _, c := range list {
		if p, ok := podOf(c); ok && p.SandboxID == sandbox {
			out = append(out, c)
		}
	}
	return byCreation(out)
}

// podGroupKey runs a pod's heading's keys: its log, the fold; the
// project's actions name who runs a pod's containers.
func (m containersModel) podGroupKey(msg tea.KeyPressMsg, g *composeGroup) (containersModel, tea.Cmd) {
	k := &m.sh.keys.Containers
	sh := m.sh.on(g.host)
	switch {
	case matches(msg, k.Inspect):
		return m.fold(), nil
	case matches(msg, k.Logs):
		return m, openCmd(openMsg{to: stateLogs, project: g, sh: sh})
	case matches(msg, k.Start), matches(msg, k.Restart), matches(msg, k.Stop), matches(msg, k.Up), matches(msg, k.Down):
		return m, infoCmd("pod " + g.title() + sh.onHost() + " is kubelet's: its containers start and stop through its CRI (crictl stopp, kubectl)")
	}
	return m, nil
}

// newPodLogsModel is the logs screen of pod g's containers, each line
// prefixed with the container's name in the pod.
func newPodLogsModel(sh *shared, gen int, g *composeGroup) logsModel {
	m := newLogsModel(sh, gen, &engine.Container{})
	m.name = "pod " + g.title()
	sandbox := g.pod.SandboxID
	m.project = &logProject{
		members: func(list []*engine.Container) []*engine.Container { return podMembers(list, sandbox) },
		label: func(c *engine.Container) (string, string) {
			name := podContainerName(c)
			return name, name
		},
	}
	return m
}
