package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/moby/moby/api/types/image"

	"berth/engine"
	"berth/host"
	"berth/images"
)

// imageRoutes are the image endpoints. An image's name may hold slashes
// ("127.0.0.1:5000/team/app:1"), so the endpoints under /images/{name}
// share one wildcard pattern per method and are told apart by the path's
// last element.
func (s *Server) imageRoutes() []route {
	return []route{
		{"GET /images/json", s.listImages},
		{"GET /images/get", s.saveImages},
		{"GET /images/{name...}", s.imageGet},
		{"POST /images/create", s.createImage},
		{"POST /images/load", s.loadImages},
		{"POST /images/prune", s.pruneImages},
		{"POST /images/{name...}", s.imagePost},
		{"DELETE /images/{name...}", s.removeImage},
		{"POST /build", s.build},
		{"POST /build/prune", s.pruneBuildCache},
	}
}

// imageGet is GET /images/{name}/json, /history and /get.
func (s *Server) imageGet(w http.ResponseWriter, r *http.Request) error {
	name, action := imageAction(r)
	switch action {
	case "json":
		return s.inspectImage(w, r, name)
	case "history":
		return s.imageHistory(w, r, name)
	case "get":
		return s.saveImage(w, r, name)
	}
	return notFoundf("page not found")
}

// imagePost is POST /images/{name}/push and /tag.
func (s *Server) imagePost(w http.ResponseWriter, r *http.Request) error {
	name, action := imageAction(r)
	switch action {
	case "push":
		return s.pushImage(w, r, name)
	case "tag":
		return s.tagImage(w, r, name)
	}
	return notFoundf("page not found")
}

// imageAction splits "{name}/{action}" at its last slash.
func imageAction(r *http.Request) (name, action string) {
	p := r.PathValue("name")
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return p, ""
	}
	return p[:i], p[i+1:]
}

// imageSummary is the list's entry: the Moby type, plus what API clients
// before 1.44 (docker 20.10's SIZE column) read.
type imageSummary struct {
	image.Summary
	VirtualSize *int64 `json:"VirtualSize,omitempty"`
}

// listImages is GET /images/json: all, filters; digests changes nothing
// (RepoDigests are always there), nor shared-size (no size is shared).
func (s *Server) listImages(w http.ResponseWriter, r *http.Request) error {
	conds, err := queryFilters(r)
	if err != nil {
		return err
	}
	f, err := host.ParseImageFilters(conds)
	if err != nil {
		return kindError{err, errInvalidArgument}
	}
	store := s.host.Images()
	inv, err := store.Inventory()
	if err != nil {
		return err
	}
	list, err := host.ListImages(inv.Images, f, queryBool(r, "all"), store)
	if err != nil {
		return err
	}
	old := versionBefore(r.Context(), "1.44")
	out := make([]imageSummary, 0, len(list))
	for _, img := range list {
		sum := imageSummary{Summary: image.Summary{
			ID:          "sha256:" + img.ID,
			ParentID:    img.Parent,
			RepoTags:    orEmpty(img.RepoTags),
			RepoDigests: orEmpty(img.RepoDigests),
			Created:     img.Created.Unix(),
			Size:        img.Size,
			SharedSize:  -1,
			Containers:  -1,
			Labels:      img.Config.Labels,
		}}
		if old {
			size := img.Size
			sum.VirtualSize = &size
		}
		out = append(out, sum)
	}
	return writeJSON(w, http.StatusOK, out)
}

// imageInspect is an image's inspect body: the Moby type, plus what API
// clients before 1.44 read.
type imageInspect struct {
	image.InspectResponse
	Parent        *string `json:"Parent,omitempty"`
	DockerVersion *string `json:"DockerVersion,omitempty"`
	VirtualSize   *int64  `json:"VirtualSize,omitempty"`
}

// inspectImage is GET /images/{name}/json.
func (s *Server) inspectImage(w http.ResponseWriter, r *http.Request, name string) error {
	img, err := s.host.Images().Lookup(name)
	if err != nil {
		return noSuchImage(name, err)
	}
	out := imageInspect{InspectResponse: newImageInspect(img)}
	if versionBefore(r.Context(), "1.44") {
		parent, empty, size := img.Parent, "", img.Size
		out.Parent, out.DockerVersion, out.VirtualSize = &parent, &empty, &size
	}
	return writeJSON(w, http.StatusOK, out)
}

// noSuchImage is dockerd's "No such image: NAME" for a lookup that found
// nothing; other errors pass as they are.
func noSuchImage(name string, err error) error {
	if errors.Is(err, images.ErrNotFound) {
		return notFoundf("No such image: %s", name)
	}
	return err
}

// imageHistory is GET /images/{name}/history.
func (s *Server) imageHistory(w http.ResponseWriter, r *http.Request, name string) error {
	store := s.host.Images()
	steps, err := store.History(name)
	if err != nil {
		return noSuchImage(name, err)
	}
	out := make([]image.HistoryResponseItem, 0, len(steps))
	for _, h := range steps {
		item := image.HistoryResponseItem{
			ID: "<missing>", Created: h.Created.Unix(), CreatedBy: h.CreatedBy,
			Comment: h.Comment, Size: h.Size, Tags: []string{},
		}
		if h.ID != "" {
			item.ID = "sha256:" + strings.TrimPrefix(h.ID, "sha256:")
			if img, err := store.Lookup(h.ID); err == nil {
				item.Tags = orEmpty(img.RepoTags)
			}
		}
		out = append(out, item)
	}
	return writeJSON(w, http.StatusOK, out)
}

// tagImage is POST /images/{name}/tag?repo=&tag=.
func (s *Server) tagImage(w http.ResponseWriter, r *http.Request, name string) error {
	q := r.URL.Query()
	repo, tag := q.Get("repo"), q.Get("tag")
	if repo == "" {
		return invalidf("repository name must have at least one component")
	}
	ref := repo
	if tag != "" {
		ref += ":" + tag
	}
	if _, err := images.ParseReference(ref); err != nil {
		return invalidf("invalid reference format: %s: %v", ref, err)
	}
	if err := s.host.Images().Tag(name, ref); err != nil {
		return noSuchImage(name, err)
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

// removeImage is DELETE /images/{name}?force=&noprune= (berth keeps no
// untagged parents, so noprune changes nothing).
func (s *Server) removeImage(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	inUse, err := s.imageUsers(r.Context())
	if err != nil {
		return err
	}
	deleted, err := s.host.Images().Remove(name, images.RemoveOptions{Force: queryBool(r, "force"), InUse: inUse})
	if err != nil {
		return noSuchImage(name, err)
	}
	return writeJSON(w, http.StatusOK, deleteResponses(deleted))
}

func deleteResponses(deleted []images.Deleted) []image.DeleteResponse {
	out := make([]image.DeleteResponse, 0, len(deleted))
	for _, d := range deleted {
		out = append(out, image.DeleteResponse{Untagged: d.Untagged, Deleted: d.Deleted})
	}
	return out
}

// imageUsers reports which container (short ID) uses an image, for
// remove and prune.
func (s *Server) imageUsers(ctx context.Context) (func(string) (string, bool), error) {
	list, err := s.host.List(ctx, engine.ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	users := map[string]string{}
	for _, c := range list {
		users[strings.TrimPrefix(c.Image, "sha256:")] = c.ShortID()
	}
	return func(imageID string) (string, bool) {
		c, ok := users[strings.TrimPrefix(imageID, "sha256:")]
		return c, ok
	}, nil
}
