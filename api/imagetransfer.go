package api

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"berth/images"
)

// createImage is POST /images/create: a pull (fromImage, tag, platform),
// or an import of the body (fromSrc=-, repo, tag, changes, message).
func (s *Server) createImage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if platform := q.Get("platform"); platform != "" && platform != "linux/"+runtime.GOARCH {
		return invalidf("platform %s: berth pulls this machine's platform only (linux/%s)", platform, runtime.GOARCH)
	}
	switch {
	case q.Get("fromImage") != "":
		return s.pullImage(w, r)
	case q.Get("fromSrc") == "-":
		return s.importImage(w, r)
	case q.Get("fromSrc") != "":
		return invalidf("fromSrc %q: berth imports the request body only (fromSrc=-)", q.Get("fromSrc"))
	}
	return invalidf("fromImage or fromSrc=- is required")
}

// withTag adds the tag parameter to a name: a digest with "@", a tag
// with ":".
func withTag(name, tag string) string {
	switch {
	case tag == "":
		return name
	case strings.HasPrefix(tag, "sha256:"):
		return name + "@" + tag
	}
	return name + ":" + tag
}

// namesTagOrDigest reports whether a reference names its tag or digest.
func namesTagOrDigest(ref string) bool {
	return strings.Contains(ref, "@") || strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":")
}

// pullImage streams a pull's progress as dockerd does: "Pulling from",
// one line per layer and action, the digest and the status.
func (s *Server) pullImage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ref := withTag(q.Get("fromImage"), q.Get("tag"))
	if !namesTagOrDigest(ref) {
		return invalidf("pull %s: berth pulls one tag; name it (all tags are not supported)", ref)
	}
	named, err := images.ParseReference(ref)
	if err != nil {
		return kindError{err, errInvalidArgument}
	}
	regOpts, err := pushPullRegistry(r, s.registry)
	if err != nil {
		return err
	}
	store := s.host.Images()
	var before string
	if img, err := store.Lookup(ref); err == nil {
		before = img.ID
	}
	out := newJSONStream(w)
	tagOrDigest := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(named.String(), named.Name()), ":"), "@")
	lead := sync.OnceFunc(func() { out.status(tagOrDigest, "Pulling from "+reference.Path(named)) })
	img, err := store.Pull(r.Context(), ref, images.PullOptions{Registry: regOpts, Progress: func(p images.Progress) {
		lead()
		out.progress(p)
	}})
	if err != nil {
		return out.finish(registryError(err))
	}
	lead()
	out.status("", "Digest: "+img.Manifest.Digest.String())
	familiar := reference.FamiliarString(named)
	if img.ID == before {
		out.status("", "Status: Image is up to date for "+familiar)
	} else {
		out.status("", "Status: Downloaded newer image for "+familiar)
	}
	return out.finish(nil)
}

// registryError gives a registry's "not found" (an unknown repository,
// tag or manifest) dockerd's 404, which docker-py turns into NotFound.
func registryError(err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return kindError{err, errNotFound}
	}
	return err
}

// importImage makes an image of the body, a root filesystem tarball.
func (s *Server) importImage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ref := ""
	if repo := q.Get("repo"); repo != "" {
		ref = withTag(repo, q.Get("tag"))
		if _, err := images.ParseReference(ref); err != nil {
			return kindError{err, errInvalidArgument}
		}
	}
	img, err := s.host.Images().Import(r.Body, ref, images.ImportOptions{Changes: q["changes"], Message: q.Get("message")})
	if err != nil {
		return err
	}
	out := newJSONStream(w)
	out.status("", "sha256:"+img.ID)
	return out.finish(nil)
}

// pushImage is POST /images/{name}/push?tag=: the progress of the upload,
// then "TAG: digest: …".
func (s *Server) pushImage(w http.ResponseWriter, r *http.Request, name string) error {
	ref := withTag(name, r.URL.Query().Get("tag"))
	named, err := images.ParseReference(ref)
	if err != nil {
		return kindError{err, errInvalidArgument}
	}
	if _, err := s.host.Images().Lookup(ref); err != nil {
		return noSuchImage(ref, err)
	}
	regOpts, err := pushPullRegistry(r, s.registry)
	if err != nil {
		return err
	}
	out := newJSONStream(w)
	lead := sync.OnceFunc(func() { out.status("", "The push refers to repository ["+named.Name()+"]") })
	digest, err := s.host.Images().Push(r.Context(), ref, "", images.PushOptions{Registry: regOpts, Progress: func(p images.Progress) {
		lead()
		out.progress(p)
	}})
	if err != nil {
		return out.finish(err)
	}
	lead()
	tag := "latest"
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	out.status("", fmt.Sprintf("%s: digest: %s", tag, digest))
	return out.finish(nil)
}

// loadImages is POST /images/load: the body is a `docker save` archive
// (or an OCI layout's tar); the answer names what was loaded.
func (s *Server) loadImages(w http.ResponseWriter, r *http.Request) error {
	loaded, err := s.host.Images().Load(r.Body, images.LoadOptions{})
	if err != nil {
		return err
	}
	out := newJSONStream(w)
	for _, l := range loaded {
		if len(l.Tags) == 0 {
			out.send(streamText("Loaded image ID: sha256:" + strings.TrimPrefix(l.ID, "sha256:") + "\n"))
		}
		for _, t := range l.Tags {
			out.send(streamText("Loaded image: " + t + "\n"))
		}
	}
	if len(loaded) == 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	}
	return out.finish(nil)
}

// saveImages is GET /images/get?names=…: one archive of several images.
func (s *Server) saveImages(w http.ResponseWriter, r *http.Request) error {
	names := r.URL.Query()["names"]
	if len(names) == 0 {
		return invalidf("names is required: the images to save")
	}
	return s.save(w, names)
}

// saveImage is GET /images/{name}/get.
func (s *Server) saveImage(w http.ResponseWriter, _ *http.Request, name string) error {
	return s.save(w, []string{name})
}

// save writes the archive after checking every name, so that a missing
// image is a 404 rather than a cut stream.
func (s *Server) save(w http.ResponseWriter, names []string) error {
	store := s.host.Images()
	for _, n := range names {
		if _, err := store.Lookup(n); err != nil {
			return noSuchImage(n, err)
		}
	}
	w.Header().Set("Content-Type", "application/x-tar")
	return store.Save(w, names, images.SaveOptions{})
}
