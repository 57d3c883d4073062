package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"

	"berth/host"
	"berth/images"
)

// Images is the far side's image store.
func (c *Client) Images() host.Images { return remoteImages{c} }

// remoteImages is host.Images over the API.
type remoteImages struct{ c *Client }

func (r remoteImages) List() ([]*images.Image, error) {
	res, err := r.c.api.ImageList(context.Background(), client.ImageListOptions{})
	if err != nil {
		return nil, r.c.fail("list images", "", err)
	}
	out := make([]*images.Image, 0, len(res.Items))
	for _, s := range res.Items {
		out = append(out, &images.Image{
			ID: strings.TrimPrefix(s.ID, "sha256:"), RepoTags: s.RepoTags, RepoDigests: s.RepoDigests,
			Created: time.Unix(s.Created, 0), Size: s.Size,
		})
	}
	return out, nil
}

// Inventory is the list; damaged images are the far side's to report.
func (r remoteImages) Inventory() (*images.Inventory, error) {
	imgs, err := r.List()
	if err != nil {
		return nil, err
	}
	return &images.Inventory{Images: imgs}, nil
}

func (r remoteImages) Lookup(ref string) (*images.Image, error) {
	res, err := r.c.api.ImageInspect(context.Background(), ref)
	if err != nil {
		return nil, r.c.fail("inspect image", ref, err)
	}
	i := res.InspectResponse
	img := &images.Image{
		ID: strings.TrimPrefix(i.ID, "sha256:"), RepoTags: i.RepoTags, RepoDigests: i.RepoDigests,
		Size: i.Size, OS: i.Os, Arch: i.Architecture, Author: i.Author,
	}
	if t, err := time.Parse(time.RFC3339Nano, i.Created); err == nil {
		img.Created = t
	}
	if i.RootFS.Layers != nil {
		img.Layers = i.RootFS.Layers
	}
	if i.Config != nil {
		if err := convert(i.Config, &img.Config); err != nil {
			return nil, fmt.Errorf("inspect image %s on %s: %w", ref, r.c.endpoint, err)
		}
	}
	return img, nil
}

func (r remoteImages) Tag(source, ref string) error {
	if _, err := r.c.api.ImageTag(context.Background(), client.ImageTagOptions{Source: source, Target: ref}); err != nil {
		return r.c.fail("tag image", source, err)
	}
	return nil
}

// Remove removes an image; the far side checks whether containers use it.
func (r remoteImages) Remove(ref string, opts images.RemoveOptions) ([]images.Deleted, error) {
	res, err := r.c.api.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{Force: opts.Force})
	if err != nil {
		return nil, r.c.fail("remove image", ref, err)
	}
	out := make([]images.Deleted, 0, len(res.Items))
	for _, d := range res.Items {
		out = append(out, images.Deleted{Untagged: d.Untagged, Deleted: d.Deleted})
	}
	return out, nil
}

func (r remoteImages) Import(src io.Reader, ref string, opts images.ImportOptions) (*images.Image, error) {
	res, err := r.c.api.ImageImport(context.Background(), client.ImageImportSource{Source: src, SourceName: "-"}, ref,
		client.ImageImportOptions{Changes: opts.Changes, Message: opts.Message})
	if err != nil {
		return nil, r.c.fail("import image", ref, err)
	}
	defer func() { _ = res.Close() }()
	id, err := lastStatusID(res)
	if err != nil {
		return nil, fmt.Errorf("import image on %s: %w", r.c.endpoint, err)
	}
	return r.Lookup(id)
}

// lastStatusID reads a JSON progress stream to its end and returns the
// last status line (the new image's ID, for import), or its error.
func lastStatusID(rd io.Reader) (string, error) {
	dec := json.NewDecoder(rd)
	var last string
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return strings.TrimSpace(last), nil
		} else if err != nil {
			return "", err
		}
		if m.Error != nil {
			return "", errors.New(m.Error.Message)
		}
		if m.Status != "" {
			last = m.Status
		}
	}
}

// RootfsSize is the size of a container's writable layer.
func (r remoteImages) RootfsSize(containerID string) (int64, error) {
	res, err := r.c.api.ContainerInspect(context.Background(), containerID, client.ContainerInspectOptions{Size: true})
	if err != nil {
		return 0, r.c.fail("size of container", containerID, err)
	}
	if res.Container.SizeRw == nil {
		return 0, nil
	}
	return *res.Container.SizeRw, nil
}

func (r remoteImages) History(ref string) ([]images.History, error) {
	res, err := r.c.api.ImageHistory(context.Background(), ref)
	if err != nil {
		return nil, r.c.fail("history of image", ref, err)
	}
	out := make([]images.History, 0, len(res.Items))
	for _, h := range res.Items {
		id := h.ID
		if id == "<missing>" {
			id = ""
		}
		out = append(out, images.History{ID: strings.TrimPrefix(id, "sha256:"), Created: time.Unix(h.Created, 0),
			CreatedBy: h.CreatedBy, Comment: h.Comment, Size: h.Size, EmptyLayer: h.Size == 0})
	}
	return out, nil
}

// LayerFiles reads the image's layers from the far side's export stream
// (GET /images/{name}/get, as `docker save`): the Docker API has no
// call for a layer's files, and the export carries every layer's tar.
func (r remoteImages) LayerFiles(ref string) (*images.LayerAnalysis, error) {
	res, err := r.c.api.ImageSave(context.Background(), []string{ref})
	if err != nil {
		return nil, r.c.fail("layer files of image", ref, err)
	}
	defer func() { _ = res.Close() }()
	a, err := images.ArchiveLayerFiles(res)
	if err != nil {
		return nil, fmt.Errorf("layer files of image %s on %s: %w", ref, r.c.endpoint, err)
	}
	return a, nil
}

func (r remoteImages) Save(w io.Writer, refs []string, opts images.SaveOptions) error {
	res, err := r.c.api.ImageSave(context.Background(), refs)
	if err != nil {
		return r.c.fail("save images", strings.Join(refs, " "), err)
	}
	defer func() { _ = res.Close() }()
	if _, err := io.Copy(w, res); err != nil {
		return fmt.Errorf("save images from %s: %w", r.c.endpoint, err)
	}
	return nil
}

func (r remoteImages) Load(src io.Reader, opts images.LoadOptions) ([]images.Loaded, error) {
	res, err := r.c.api.ImageLoad(context.Background(), src, client.ImageLoadWithQuiet(true))
	if err != nil {
		return nil, r.c.fail("load images", "", err)
	}
	defer func() { _ = res.Close() }()
	dec := json.NewDecoder(res)
	var out []images.Loaded
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("load images on %s: %w", r.c.endpoint, err)
		}
		if m.Error != nil {
			return nil, fmt.Errorf("load images on %s: %s", r.c.endpoint, m.Error.Message)
		}
		if tag, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), "Loaded image: "); ok {
			out = append(out, images.Loaded{Tags: []string{tag}})
		} else if id, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), "Loaded image ID: "); ok {
			out = append(out, images.Loaded{ID: strings.TrimPrefix(id, "sha256:")})
		}
	}
}

// LoadLayout loads an OCI layout directory of this machine: the API
// takes only archives.
func (r remoteImages) LoadLayout(dir string, opts images.LoadOptions) ([]images.Loaded, error) {
	return nil, r.c.notImplemented("load of the layout directory " + dir)
}

// Prune removes unused images; the far side decides which are in use.
func (r remoteImages) Prune(opts images.PruneOptions) (*images.PruneReport, error) {
	f := client.Filters{}
	if opts.All {
		f.Add("dangling", "false")
	}
	res, err := r.c.api.ImagePrune(context.Background(), client.ImagePruneOptions{Filters: f})
	if err != nil {
		return nil, r.c.fail("prune images", "", err)
	}
	rep := &images.PruneReport{SpaceReclaimed: int64(res.Report.SpaceReclaimed)}
	for _, d := range res.Report.ImagesDeleted {
		rep.Deleted = append(rep.Deleted, images.Deleted{Untagged: d.Untagged, Deleted: d.Deleted})
	}
	return rep, nil
}

func (r remoteImages) PruneBuildCache() (int64, error) {
	res, err := r.c.api.BuildCachePrune(context.Background(), client.BuildCachePruneOptions{})
	if err != nil {
		return 0, r.c.fail("prune build cache", "", err)
	}
	return int64(res.Report.SpaceReclaimed), nil
}

// Pull pulls on the far side, with the far side's registry settings.
func (r remoteImages) Pull(ctx context.Context, ref string, opts images.PullOptions) (*images.Image, error) {
	res, err := r.c.api.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return nil, r.c.fail("pull", ref, err)
	}
	defer func() { _ = res.Close() }()
	if _, err := lastStatusID(res); err != nil {
		return nil, fmt.Errorf("pull %s on %s: %w", ref, r.c.endpoint, err)
	}
	return r.Lookup(ref)
}

// Push tags source as dest when they differ, then pushes dest from the
// far side; it returns the pushed manifest's digest.
func (r remoteImages) Push(ctx context.Context, source, dest string, opts images.PushOptions) (string, error) {
	if source != dest && dest != "" {
		if err := r.Tag(source, dest); err != nil {
			return "", err
		}
	}
	res, err := r.c.api.ImagePush(ctx, dest, client.ImagePushOptions{RegistryAuth: "e30="})
	if err != nil {
		return "", r.c.fail("push", dest, err)
	}
	defer func() { _ = res.Close() }()
	dec := json.NewDecoder(res)
	var digest string
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return digest, nil
		} else if err != nil {
			return "", fmt.Errorf("push %s on %s: %w", dest, r.c.endpoint, err)
		}
		if m.Error != nil {
			return "", fmt.Errorf("push %s on %s: %s", dest, r.c.endpoint, m.Error.Message)
		}
		if i := strings.Index(m.Status, "digest: "); i >= 0 {
			digest, _, _ = strings.Cut(m.Status[i+len("digest: "):], " ")
		}
	}
}
