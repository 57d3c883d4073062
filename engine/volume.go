package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"berth/engine/events"
	"berth/engine/volumes"
)

// Volume is one volume as `volume inspect` prints it.
type Volume = volumes.Volume

// ErrVolumeNotFound and ErrVolumeInUse are the volume service's errors.
var (
	ErrVolumeNotFound = volumes.ErrNotFound
	ErrVolumeInUse    = volumes.ErrInUse
)

// VolumeService is `berth volume`: the volume store plus what only the
// engine knows, which containers use each volume.
type VolumeService struct{ e *Engine }

// Volumes is the engine's volume service.
func (e *Engine) Volumes() *VolumeService { return &VolumeService{e: e} }

// Create makes a volume (`volume create`), or returns the one of that
// name already there.
func (s *VolumeService) Create(ctx context.Context, opts volumes.CreateOptions) (*Volume, error) {
	v, created, err := s.e.volumes.Create(opts)
	if err != nil {
		return nil, err
	}
	if created {
		s.e.volumeEvent("create", v.Name, nil)
	}
	return v, nil
}

// Inspect returns the volume name.
func (s *VolumeService) Inspect(ctx context.Context, name string) (*Volume, error) {
	return s.e.volumes.Get(name)
}

// List returns every volume, by name.
func (s *VolumeService) List(ctx context.Context) ([]*Volume, error) {
	return s.e.volumes.List()
}

// Users maps each volume that containers mount to their IDs.
func (s *VolumeService) Users(ctx context.Context) (map[string][]string, error) {
	all, err := s.e.List(ctx, ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, c := range all {
		for _, m := range c.Mounts {
			if m.Type == "volume" && !slices.Contains(users[m.Name], c.ID) {
				users[m.Name] = append(users[m.Name], c.ID)
			}
		}
	}
	return users, nil
}

// Remove deletes the volume name, refused while any container (running
// or not) uses it, with docker's message; force only makes a missing
// volume no error.
func (s *VolumeService) Remove(ctx context.Context, name string, force bool) error {
	err := s.e.volumes.Lock(func() error {
		users, err := s.Users(ctx)
		if err != nil {
			return err
		}
		if ids := users[name]; len(ids) > 0 {
			return fmt.Errorf("remove %s: %w - [%s]", name, ErrVolumeInUse, strings.Join(ids, ", "))
		}
		return s.e.volumes.RemoveLocked(name)
	})
	if errors.Is(err, ErrVolumeNotFound) {
		if force {
			return nil
		}
		return fmt.Errorf("get %s: %w", name, ErrVolumeNotFound)
	}
	if err == nil {
		s.e.volumeEvent("destroy", name, nil)
	}
	return err
}

// PruneOptions narrow `volume prune`: All takes named volumes too (by
// default only anonymous ones go, as Docker 23 and later); Keep says
// which of the unused ones a --filter spares.
type PruneOptions struct {
	All  bool
	Keep func(*Volume) bool
}

// Prune removes the volumes no container uses and returns their names
// and the space their content took.
func (s *VolumeService) Prune(ctx context.Context, opts PruneOptions) (removed []string, reclaimed int64, err error) {
	err = s.e.volumes.Lock(func() error {
		users, err := s.Users(ctx)
		if err != nil {
			return err
		}
		list, err := s.e.volumes.List()
		if err != nil {
			return err
		}
		for _, v := range list {
			if len(users[v.Name]) > 0 || (!opts.All && !v.Anonymous()) || (opts.Keep != nil && opts.Keep(v)) {
				continue
			}
			size, _ := volumes.Size(v) // a size it cannot read counts as nothing freed
			if err := s.e.volumes.RemoveLocked(v.Name); err != nil {
				return err
			}
			removed = append(removed, v.Name)
			reclaimed += size
		}
		return nil
	})
	for _, name := range removed {
		s.e.volumeEvent("destroy", name, nil)
	}
	if err == nil {
		s.e.volumeEvent("prune", "", map[string]string{"reclaimed": strconv.FormatInt(reclaimed, 10)})
	}
	return removed, reclaimed, err
}

// removeAnonymousVolumes removes the anonymous volumes of c, a container
// just removed with rm -v or --rm, that no other container uses; named
// ones stay, as docker. What it cannot remove it warns about: the
// container is gone either way.
func (e *Engine) removeAnonymousVolumes(c *record) {
	var names []string
	for _, m := range c.containerMounts() {
		if m.Type == "volume" && !slices.Contains(names, m.Volume) {
			names = append(names, m.Volume)
		}
	}
	if len(names) == 0 {
		return
	}
	err := e.volumes.Lock(func() error {
		users, err := e.Volumes().Users(context.Background())
		if err != nil {
			return err
		}
		for _, name := range names {
			v, err := e.volumes.Get(name)
			if err != nil || !v.Anonymous() || len(users[name]) > 0 {
				continue
			}
			if err := e.volumes.RemoveLocked(name); err != nil {
				e.warnf("remove volume %s of %s: %v", name, c.DisplayName(), err)
				continue
			}
			e.volumeEvent("destroy", name, nil)
		}
		return nil
	})
	if err != nil {
		e.warnf("remove the volumes of %s: %v", c.DisplayName(), err)
	}
}

// volumeUnmountEvents records the "unmount" of each volume of c, which
// has stopped.
func (e *Engine) volumeUnmountEvents(c *record) {
	for _, m := range c.containerMounts() {
		if m.Type == "volume" {
			e.volumeEvent("unmount", m.Volume, map[string]string{"container": c.ID})
		}
	}
}

// volumeEvent records what happened to a volume, with docker's keys:
// type "volume", the volume's name as the actor's ID, its driver.
func (e *Engine) volumeEvent(action, name string, attrs map[string]string) {
	if attrs == nil {
		attrs = map[string]string{}
	}
	if name != "" {
		attrs["driver"] = volumes.LocalDriver
	}
	err := e.events.Append(events.Event{Time: time.Now().UTC(), Type: "volume", Action: action, ID: name, Attributes: attrs})
	if err != nil {
		e.warnf("record the %s event of volume %s: %v", action, name, err)
	}
}
