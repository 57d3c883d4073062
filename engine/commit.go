package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"berth/images"
)

// Change is one path `berth diff` reports (see images.Change).
type Change = images.Change

// Diff lists what the container changed in its image's filesystem.
func (e *Engine) Diff(ctx context.Context, ref string) ([]Change, error) {
	c, err := e.get(ref)
	if err != nil {
		return nil, err
	}
	changes, err := e.images.ContainerChanges(c.ID)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", c.DisplayName(), err)
	}
	return changes, nil
}

// CommitOptions is `berth commit`.
type CommitOptions struct {
	Ref     string   // REPO[:TAG]; "" leaves the image dangling
	Changes []string // -c Dockerfile instructions
	Message string   // -m
	Author  string   // -a
	// Pause freezes a running container while its layer is read, so
	// that the image is one consistent moment of it (docker's default).
	Pause bool
}

// Commit makes an image of the container's writable layer over its
// image, with the container's configuration and opts' changes, and
// returns its ID ("sha256:…"; event commit).
func (e *Engine) Commit(ctx context.Context, ref string, opts CommitOptions) (string, error) {
	if err := checkCommitChanges(opts.Changes); err != nil {
		return "", err
	}
	c, err := e.get(ref)
	if err != nil {
		return "", err
	}
	if c.State.Status.hasProcess() {
		if opts.Pause && c.State.Status == StatusRunning {
			thaw, err := e.freeze(c)
			if err != nil {
				return "", err
			}
			defer thaw()
		}
	} else {
		// Locked, so that it does not start on the layer being read.
		var unlock func()
		if c, unlock, err = e.locked(c.ID); err != nil {
			return "", err
		}
		defer unlock()
	}
	img, err := e.images.CommitContainer(c.ID, images.CommitOptions{
		Ref:       opts.Ref,
		Config:    imageConfigOf(c.Config),
		Changes:   opts.Changes,
		Message:   opts.Message,
		Author:    opts.Author,
		CreatedBy: strings.Join(append([]string{c.Path}, c.Args...), " "),
	})
	if err != nil {
		return "", err
	}
	id := "sha256:" + img.ID
	e.event(c, "commit", map[string]string{"comment": opts.Message, "imageID": id, "imageRef": opts.Ref})
	return id, nil
}

// freeze pauses a running container without changing its recorded
// state, for a moment of berth's own; thaw undoes it.
func (e *Engine) freeze(c *record) (thaw func(), err error) {
	cg, err := e.cgroup(c)
	if err != nil {
		return nil, err
	}
	if err := cg.Freeze(); err != nil {
		return nil, fmt.Errorf("pause %s: %w", c.DisplayName(), errors.Join(err, cg.Thaw()))
	}
	return func() {
		if err := cg.Thaw(); err != nil {
			e.warnf("unpause %s after commit: %v", c.DisplayName(), err)
		}
	}, nil
}

// imageConfigOf is the image side of a container's configuration.
func imageConfigOf(cc ContainerConfig) images.ImageConfig {
	return images.ImageConfig{
		User:         cc.User,
		ExposedPorts: cc.ExposedPorts,
		Env:          cc.Env,
		Entrypoint:   cc.Entrypoint,
		Cmd:          cc.Cmd,
		Volumes:      cc.Volumes,
		WorkingDir:   cc.WorkingDir,
		Labels:       cc.Labels,
		StopSignal:   cc.StopSignal,
	}
}
