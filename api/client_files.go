package api

import (
	"context"
	"fmt"
	"io"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/engine/archive"
	"berth/images"
)

func (c *Client) StatPath(ctx context.Context, ref, p string, follow bool) (archive.Stat, error) {
	r, err := c.api.ContainerStatPath(ctx, ref, client.ContainerStatPathOptions{Path: p})
	if err != nil {
		return archive.Stat{}, c.fail("stat "+p+" in container", ref, err)
	}
	s := r.Stat
	return archive.Stat{Name: s.Name, Size: s.Size, Mode: s.Mode, Mtime: s.Mtime, LinkTarget: s.LinkTarget}, nil
}

// ArchivePath writes the tar stream of p (docker's GET archive). The API
// names the entry after the path and follows no final symlink: opts.Name
// and opts.Follow are the caller's to apply.
func (c *Client) ArchivePath(ctx context.Context, ref, p string, opts archive.WriteOptions, w io.Writer) error {
	r, err := c.api.CopyFromContainer(ctx, ref, client.CopyFromContainerOptions{SourcePath: p})
	if err != nil {
		return c.fail("copy "+p+" from container", ref, err)
	}
	defer func() { _ = r.Content.Close() }()
	if _, err := io.Copy(w, r.Content); err != nil {
		return fmt.Errorf("copy %s from container %s on %s: %w", p, ref, c.endpoint, err)
	}
	return nil
}

// ExtractToDir unpacks a tar stream into dir (docker's PUT archive); the
// far side keeps the stream's owners unless opts.Owner asks for the
// container's root, as cp -a does not.
func (c *Client) ExtractToDir(ctx context.Context, ref, dir string, r io.Reader, opts archive.ExtractOptions) error {
	if _, err := c.api.CopyToContainer(ctx, ref, client.CopyToContainerOptions{DestinationPath: dir, Content: r, CopyUIDGID: opts.Owner == nil}); err != nil {
		return c.fail("copy to "+dir+" in container", ref, err)
	}
	return nil
}

func (c *Client) Export(ctx context.Context, ref string, w io.Writer) error {
	r, err := c.api.ContainerExport(ctx, ref, client.ContainerExportOptions{})
	if err != nil {
		return c.fail("export container", ref, err)
	}
	defer func() { _ = r.Close() }()
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("export container %s on %s: %w", ref, c.endpoint, err)
	}
	return nil
}

func (c *Client) Diff(ctx context.Context, ref string) ([]engine.Change, error) {
	r, err := c.api.ContainerDiff(ctx, ref, client.ContainerDiffOptions{})
	if err != nil {
		return nil, c.fail("diff container", ref, err)
	}
	out := make([]engine.Change, 0, len(r.Changes))
	for _, ch := range r.Changes {
		out = append(out, images.Change{Path: ch.Path, Kind: int(ch.Kind)})
	}
	return out, nil
}

// Commit makes an image of the container on the far side.
func (c *Client) Commit(ctx context.Context, ref string, opts engine.CommitOptions) (string, error) {
	r, err := c.api.ContainerCommit(ctx, ref, client.ContainerCommitOptions{
		Reference: opts.Ref, Comment: opts.Message, Author: opts.Author, Changes: opts.Changes, NoPause: !opts.Pause,
	})
	if err != nil {
		return "", c.fail("commit container", ref, err)
	}
	return r.ID, nil
}

// Update changes a container's resources and restart policy. berth's own
// port changes (PublishAdd, PublishRemove) have no API request.
func (c *Client) Update(ctx context.Context, ref string, opts engine.UpdateOptions) error {
	if opts.PublishAdd != nil || opts.PublishRemove != nil {
		return c.notImplemented("update of the published ports of " + ref)
	}
	var res container.Resources
	set := func(dst *int64, src *int64) {
		if src != nil {
			*dst = *src
		}
	}
	set(&res.Memory, opts.Memory)
	set(&res.MemorySwap, opts.MemorySwap)
	set(&res.NanoCPUs, opts.NanoCPUs)
	set(&res.CPUShares, opts.CPUShares)
	set(&res.CPUPeriod, opts.CPUPeriod)
	set(&res.CPUQuota, opts.CPUQuota)
	set(&res.MemoryReservation, opts.MemoryReservation)
	if opts.CpusetCpus != nil {
		res.CpusetCpus = *opts.CpusetCpus
	}
	if opts.PidsLimit != nil {
		res.PidsLimit = opts.PidsLimit
	}
	req := client.ContainerUpdateOptions{Resources: &res}
	if opts.RestartPolicy != nil {
		var rp container.RestartPolicy
		if err := convert(opts.RestartPolicy, &rp); err != nil {
			return fmt.Errorf("update container %s: %w", ref, err)
		}
		req.RestartPolicy = &rp
	}
	if _, err := c.api.ContainerUpdate(ctx, ref, req); err != nil {
		return c.fail("update container", ref, err)
	}
	return nil
}
