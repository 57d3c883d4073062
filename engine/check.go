package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"berth/cgroups"
	"berth/images"
)

// Check is `berth system check` (as `podman system check`): it scans the
// containers, names, networks, images and layers for damage and, with
// Repair, removes what is damaged. Nothing is quarantined: what cannot be
// read is of no use to berth, and its removal is what frees the resources
// (cgroups, addresses, names, layers) it holds. A damaged container may
// still run and hold a writable layer with data in it, so it is removed
// only with Force, as podman's --force; so is an image containers use,
// with those containers.

// CheckOptions is `berth system check`'s flags.
type CheckOptions struct {
	// Repair removes what is damaged, except containers and images in use.
	Repair bool
	// Force, with Repair, also removes damaged containers (killing what
	// still runs in them) and the containers of damaged images.
	Force bool
}

// Damage kinds beside the image store's (images.Damage*).
const (
	DamageContainer = "container" // a container record that cannot be read
	DamageName      = "name"      // a name reservation that is damaged or stale
	DamageNetwork   = "network"   // an endpoint of a container that is gone
	DamageCgroup    = "cgroup"    // the cgroup of a container that is gone
)

// Damage is one thing Check found broken, and what Repair did about it.
type Damage struct {
	Kind    string // DamageContainer, DamageName, DamageNetwork or an images.Damage* kind
	ID      string // container ID, name, image ID, chain ID, or reference
	Problem string
	// Repaired says what was done ("removed", "rebuilt"); Left says why
	// nothing was. Both empty without Repair.
	Repaired string
	Left     string

	container string // of a DamageNetwork or DamageCgroup: the container gone
}

// staleAfter is how old a name reservation without its container must be
// to be stale rather than a create between its two steps.
const staleAfter = time.Minute

// Check scans for damage and, with opts.Repair, repairs what it may.
func (e *Engine) Check(ctx context.Context, opts CheckOptions) ([]Damage, error) {
	found, err := e.scan()
	if err != nil {
		return nil, err
	}
	if !opts.Repair {
		return found, nil
	}
	for i := range found {
		e.repair(ctx, &found[i], opts.Force)
	}
	return found, nil
}

// scan finds the damage; it changes nothing.
func (e *Engine) scan() ([]Damage, error) {
	// Container layers are listed before containers: a create makes its
	// directory first and its layer second, so a layer seen before the
	// directories were listed, and absent from them, is an orphan.
	layers, err := e.images.ContainerLayers()
	if err != nil {
		return nil, err
	}
	ids, err := e.store.ids()
	if err != nil {
		return nil, err
	}
	var found []Damage
	for _, id := range ids {
		_, err := e.store.load(id)
		switch {
		case errors.Is(err, ErrDamaged):
			found = append(found, Damage{Kind: DamageContainer, ID: id, Problem: err.Error()})
		case errors.Is(err, ErrNotFound) && olderThan(e.store.dir(id), staleAfter):
			found = append(found, Damage{Kind: DamageContainer, ID: id, Problem: "a directory without a record"})
		}
	}
	names, err := e.checkNames()
	if err != nil {
		return nil, err
	}
	found = append(found, names...)
	nets, err := e.networks.List()
	if err != nil {
		return nil, err
	}
	for _, n := range nets {
		for cid := range n.Containers {
			if !slices.Contains(ids, cid) {
				found = append(found, Damage{Kind: DamageNetwork, ID: n.Name, container: cid,
					Problem: "an endpoint of container " + cid + ", which does not exist"})
			}
		}
	}
	imgs, err := e.images.Check()
	if err != nil {
		return nil, err
	}
	for _, d := range imgs {
		found = append(found, Damage{Kind: d.Kind, ID: d.ID, Problem: d.Problem})
	}
	for _, id := range layers {
		if isContainerID(id) && !slices.Contains(ids, id) {
			found = append(found, Damage{Kind: images.DamageContainerLayer, ID: id, Problem: "no container has it"})
		}
	}
	return append(found, e.checkCgroups(found)...), nil
}

// checkCgroups finds the cgroups (under the engine's cgroup parent) of the
// containers that the damage found says are gone: those whose name,
// endpoint or layer outlived them. Listing cgroups would need the cgroup
// package to know more than one group's paths; the IDs are enough.
func (e *Engine) checkCgroups(found []Damage) []Damage {
	var gone []string
	for _, d := range found {
		id := d.container
		switch d.Kind {
		case images.DamageContainerLayer:
			id = d.ID
		case DamageName:
			if owner, err := os.ReadFile(filepath.Join(e.store.names, d.ID)); err == nil {
				id = strings.TrimSpace(string(owner))
			}
		}
		if isContainerID(id) && !slices.Contains(gone, id) {
			if _, err := os.Stat(e.store.dir(id)); errors.Is(err, os.ErrNotExist) {
				gone = append(gone, id)
			}
		}
	}
	var cgs []Damage
	for _, id := range gone {
		cg, err := cgroups.New(e.opts.CgroupRoot, e.opts.CgroupParent, id)
		if err != nil {
			continue
		}
		if pids, err := cg.Procs(); err == nil {
			cgs = append(cgs, Damage{Kind: DamageCgroup, ID: cg.Path(), container: id,
				Problem: fmt.Sprintf("the cgroup of container %s, which does not exist, with %d processes", id, len(pids))})
		}
	}
	return cgs
}

// checkNames finds reservations that hold no ID, name a container that
// does not exist, or name one whose record has another name (a rename cut
// short).
func (e *Engine) checkNames() ([]Damage, error) {
	ents, err := os.ReadDir(e.store.names)
	if err != nil {
		return nil, fmt.Errorf("check names: %w", err)
	}
	var found []Damage
	for _, ent := range ents {
		name := ent.Name()
		if strings.HasPrefix(name, ".") {
			continue // the lock, a reservation being written
		}
		p := filepath.Join(e.store.names, name)
		owner, err := os.ReadFile(p)
		if err != nil {
			found = append(found, Damage{Kind: DamageName, ID: name, Problem: err.Error()})
			continue
		}
		id := strings.TrimSpace(string(owner))
		if !isContainerID(id) {
			found = append(found, Damage{Kind: DamageName, ID: name, Problem: fmt.Sprintf("holds %q, not a container ID", owner)})
			continue
		}
		c, err := e.store.load(id)
		switch {
		case errors.Is(err, ErrNotFound) && olderThan(p, staleAfter):
			if _, serr := os.Stat(e.store.dir(id)); errors.Is(serr, os.ErrNotExist) {
				found = append(found, Damage{Kind: DamageName, ID: name, Problem: "names container " + id + ", which does not exist"})
			}
		case err == nil && c.Name != "/"+name && olderThan(p, staleAfter):
			found = append(found, Damage{Kind: DamageName, ID: name, Problem: "names container " + id + ", which is called " + c.DisplayName()})
		}
	}
	return found, nil
}

func olderThan(path string, d time.Duration) bool {
	fi, err := os.Stat(path)
	return err == nil && time.Since(fi.ModTime()) > d
}

// repair does what --repair does for d.
func (e *Engine) repair(ctx context.Context, d *Damage, force bool) {
	var err error
	switch d.Kind {
	case DamageContainer:
		if !force {
			d.Left = "a container may still run and hold data: remove it with rm -f, or repair with --force"
			return
		}
		err = e.removeDamaged(ctx, d.ID, true)
	case DamageName:
		err = e.store.reclaimStaleName(d.ID, staleAfter)
	case images.DamageContainerLayer:
		if _, serr := os.Stat(e.store.dir(d.ID)); serr == nil {
			d.Left = "container " + d.ID[:min(12, len(d.ID))] + " has it, with its data: remove the container to free it"
			return
		}
		err = e.images.Repair(images.Damage{Kind: d.Kind, ID: d.ID, Problem: d.Problem})
	case DamageNetwork:
		err = e.networks.Release(d.container)
	case DamageCgroup:
		cg, cerr := cgroups.New(e.opts.CgroupRoot, e.opts.CgroupParent, d.container)
		if cerr != nil {
			err = cerr
			break
		}
		if pids, perr := cg.Procs(); perr == nil && len(pids) > 0 && !force {
			d.Left = "processes still run in it: repair with --force to kill them"
			return
		}
		err = cg.Destroy()
	case images.DamageImage:
		users, uerr := e.imageUsers(d.ID)
		if uerr != nil {
			err = uerr
			break
		}
		if len(users) > 0 && !force {
			d.Left = "used by container " + strings.Join(users, ", ") + ": repair with --force to remove them too"
			return
		}
		for _, u := range users {
			if err = e.Remove(ctx, u, RemoveOptions{Force: true}); err != nil {
				break
			}
		}
		if err == nil {
			err = e.images.Repair(images.Damage{Kind: d.Kind, ID: d.ID, Problem: d.Problem})
		}
	default:
		err = e.images.Repair(images.Damage{Kind: d.Kind, ID: d.ID, Problem: d.Problem})
	}
	if err != nil {
		d.Left = "repair failed: " + err.Error()
		return
	}
	switch {
	case d.Kind == DamageName:
		d.Repaired = "repaired"
	case d.Kind == images.DamageReferences && d.ID == "repositories.json":
		d.Repaired = "rebuilt from the image records"
	default:
		d.Repaired = "removed"
	}
}

// imageUsers lists the containers (dead ones too) made from an image.
func (e *Engine) imageUsers(imageID string) ([]string, error) {
	list, err := e.List(context.Background(), ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	var users []string
	for _, c := range list {
		if c.Image == "sha256:"+imageID {
			users = append(users, c.ShortID())
		}
	}
	return users, nil
}
