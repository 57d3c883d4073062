package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/moby/moby/api/types/container"

	"berth/engine/archive"
)

// The archive endpoints are what `docker cp` speaks: HEAD stats a path
// in the container (the X-Docker-Container-Path-Stat header), GET
// streams it as a tar with that header, PUT extracts a tar into a
// directory of the container. Every path is resolved inside the
// container's root by the engine.

// pathStatHeader carries a container.PathStat as base64 JSON.
const pathStatHeader = "X-Docker-Container-Path-Stat"

// archivePath is the request's path parameter, which every archive
// endpoint requires.
func archivePath(r *http.Request) (string, error) {
	p := r.URL.Query().Get("path")
	if p == "" {
		return "", invalidf("bad parameter: path cannot be empty")
	}
	return p, nil
}

// statContainer stats the path and sets the header that says it.
func (s *Server) statContainer(w http.ResponseWriter, r *http.Request, id, p string) (archive.Stat, error) {
	st, err := s.host.StatPath(r.Context(), id, p, false)
	if err != nil {
		return st, containerError(id, err)
	}
	data, err := json.Marshal(container.PathStat{Name: st.Name, Size: st.Size, Mode: st.Mode, Mtime: st.Mtime, LinkTarget: st.LinkTarget})
	if err != nil {
		return st, err
	}
	w.Header().Set(pathStatHeader, base64.StdEncoding.EncodeToString(data))
	return st, nil
}

func (s *Server) statContainerPath(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	if _, err := s.statContainer(w, r, id, p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getContainerArchive streams the path as a tar; an error before the
// first byte is answered as one, after it the stream is cut.
func (s *Server) getContainerArchive(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	if _, err := s.statContainer(w, r, id, p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-tar")
	if err := s.host.ArchivePath(r.Context(), id, p, archive.WriteOptions{}, w); err != nil {
		w.Header().Del(pathStatHeader)
		return containerError(id, err)
	}
	return nil
}

// putContainerArchive extracts the request's tar into the directory
// path, each entry owned as its header says unless copyUIDGID gives it
// to the container's user (archiveOwner; docker cp -a sets it; the
// docker CLI sends the local files' own owners, as dockerd keeps them).
// noOverwriteDirNonDir, which
// the docker CLI always sends, is the extraction's own rule: an entry
// never replaces a directory with a file or a file with a directory.
func (s *Server) putContainerArchive(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	owner, err := s.archiveOwner(r.Context(), id, queryBool(r, "copyUIDGID"))
	if err != nil {
		return containerError(id, err)
	}
	opts := archive.ExtractOptions{Owner: owner}
	if err := s.host.ExtractToDir(r.Context(), id, p, r.Body, opts); err != nil {
		return containerError(id, err)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
