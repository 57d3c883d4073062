package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"berth/compose"
	"berth/engine"
	"berth/host"
)

// Compose projects on the containers screen: the containers a compose
// file made (docker compose, berth compose, docker-compose 1.29 through
// berth's API: all label them alike) are gathered under a heading row
// per project, and under a heading per service when the service runs
// several replicas. A heading shows the project's health at a glance
// and takes the project's actions (composeactions.go); the fold key
// collapses it. Containers without the labels are listed as ever,
// after the projects.

// composeGroup is a heading row: a project, a service of one, or a
// Kubernetes pod (podgroups.go).
type composeGroup struct {
	key     string // names it among the headings of every host
	host    int
	project string
	service string // "" for the project's heading
	// members are every container of the project (or service) on its
	// host, whatever the filter shows, in creation order: its health
	// counts them all and its actions reach them all.
	members []*engine.Container
	// services counts the project's services (the project's heading).
	services int
	// pod is the pod's heading's pod, nil for a project's or service's.
	pod *host.Pod
}

// title is how the heading names itself: the project, or project's
// service.
func (g *composeGroup) title() string {
	if g.pod != nil {
		return g.pod.Title()
	}
	if g.service == "" {
		return g.project
	}
	return g.project + " " + g.service
}

// treeRow is what row i of the containers list is besides its
// container: a heading (group set, no container) or a container at a
// depth under the headings. The zero value is a container of no project.
type treeRow struct {
	group *composeGroup
	depth int
}

// composeProject is c's project and service; ok is false for a
// container no compose file made.
func composeProject(c *engine.Container) (project, service string, ok bool) {
	project, service = c.Config.Labels[compose.LabelProject], c.Config.Labels[compose.LabelService]
	return project, service, project != "" && service != ""
}

// replicaNumber is c's container-number label, 0 when it has none.
func replicaNumber(c *engine.Container) int {
	n, err := strconv.Atoi(c.Config.Labels[compose.LabelNumber])
	if err != nil {
		return 0
	}
	return n
}

// compareReplicas orders one project's containers: by service, then
// replica number, then name.
func compareReplicas(a, b *engine.Container) int {
	_, sa, _ := composeProject(a)
	_, sb, _ := composeProject(b)
	if r := cmp.Compare(sa, sb); r != 0 {
		return r
	}
	if r := cmp.Compare(replicaNumber(a), replicaNumber(b)); r != 0 {
		return r
	}
	return cmp.Compare(a.DisplayName(), b.DisplayName())
}

// headingKey names a project's (service "") or a service's heading among
// the headings of every host.
func headingKey(host int, project, service string) string {
	return strconv.Itoa(host) + "/" + project + "/" + service
}

// composeTree lays out rows (filtered and sorted): each project that
// has a row in it becomes a heading followed by its rows in service and
// replica order (a service with several containers under a heading of
// its own), projects by name; the pods follow (podTree), then the
// containers of no project or pod in rows' order. all is every
// container of every host, from which the headings count their members;
// hostOf says whose each is. A folded heading hides what is under it.
// With no project or pod among rows, rows come back as they were and
// tree is nil.
func composeTree(rows, all []*engine.Container, hostOf map[*engine.Container]int, folded map[string]bool) ([]*engine.Container, []treeRow) {
	type projectRef struct {
		host int
		name string
	}
	shown := map[projectRef][]*engine.Container{}
	var loose []*engine.Container
	for _, c := range rows {
		p, _, ok := composeProject(c)
		if !ok {
			loose = append(loose, c)
			continue
		}
		ref := projectRef{hostOf[c], p}
		shown[ref] = append(shown[ref], c)
	}
	pods, loose := splitPods(loose, hostOf)
	if len(shown) == 0 && len(pods) == 0 {
		return rows, nil
	}
	members := map[projectRef][]*engine.Container{}
	for _, c := range all {
		if p, _, ok := composeProject(c); ok {
			ref := projectRef{hostOf[c], p}
			members[ref] = append(members[ref], c)
		}
	}
	refs := make([]projectRef, 0, len(shown))
	for ref := range shown {
		refs = append(refs, ref)
	}
	slices.SortFunc(refs, func(a, b projectRef) int {
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.host, b.host))
	})
	var out []*engine.Container
	var tree []treeRow
	add := func(c *engine.Container, r treeRow) {
		out = append(out, c)
		tree = append(tree, r)
	}
	for _, ref := range refs {
		byService := map[string][]*engine.Container{}
		for _, c := range members[ref] {
			_, s, _ := composeProject(c)
			byService[s] = append(byService[s], c)
		}
		project := &composeGroup{key: headingKey(ref.host, ref.name, ""), host: ref.host, project: ref.name,
			members: byCreation(members[ref]), services: len(byService)}
		add(nil, treeRow{group: project})
		if folded[project.key] {
			continue
		}
		list := slices.Clone(shown[ref])
		slices.SortStableFunc(list, compareReplicas)
		for i := 0; i < len(list); {
			_, s, _ := composeProject(list[i])
			j := i
			for j < len(list) {
				if _, sj, _ := composeProject(list[j]); sj != s {
					break
				}
				j++
			}
			if len(byService[s]) < 2 {
				for _, c := range list[i:j] {
					add(c, treeRow{depth: 1})
				}
				i = j
				continue
			}
			service := &composeGroup{key: headingKey(ref.host, ref.name, s), host: ref.host, project: ref.name,
				service: s, members: byCreation(byService[s])}
			add(nil, treeRow{group: service, depth: 1})
			if !folded[service.key] {
				for _, c := range list[i:j] {
					add(c, treeRow{depth: 2})
				}
			}
			i = j
		}
	}
	podTree(pods, all, hostOf, folded, add)
	for _, c := range loose {
		add(c, treeRow{})
	}
	return out, tree
}

// byCreation is cs oldest first (the order compose started them).
func byCreation(cs []*engine.Container) []*engine.Container {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b *engine.Container) int {
		return cmp.Or(a.Created.Compare(b.Created), compareReplicas(a, b))
	})
	return out
}

// treeIndent is the NAME column's indent of a container at depth.
func treeIndent(depth int) string { return strings.Repeat(" ", depth) }

// composeHay is what the filter matches of c besides its name, image,
// status and ID: its project and service, or its pod (podHay); "" for
// a container of neither.
func composeHay(c *engine.Container) string {
	project, service, ok := composeProject(c)
	if !ok {
		return podHay(c)
	}
	return " " + project + " " + service
}
