package api

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"

	"berth/engine/archive"
	"berth/engine/containerinit"
)

// maxAccountFile bounds the /etc/passwd or /etc/group read from a
// container to resolve its user: the image is hostile.
const maxAccountFile = 1 << 20

// archiveOwner is who owns what PUT archive extracts, as dockerd decides
// it: without copyUIDGID, or for a container with no user configured,
// nil (every entry keeps the owner its tar header names); with it, the
// container's user resolved against the container's own /etc/passwd
// and /etc/group.
func (s *Server) archiveOwner(ctx context.Context, id string, copyUIDGID bool) (*archive.Owner, error) {
	if !copyUIDGID {
		return nil, nil
	}
	c, err := s.host.Inspect(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Config.User == "" {
		return nil, nil
	}
	passwd, group := s.accountFile(ctx, id, "/etc/passwd"), s.accountFile(ctx, id, "/etc/group")
	u, err := containerinit.ResolveUser(c.Config.User, bytes.NewReader(passwd), bytes.NewReader(group))
	if err != nil {
		return nil, invalidf("copyUIDGID: container %s: %v", id, err)
	}
	return &archive.Owner{UID: u.UID, GID: u.GID}, nil
}

// accountFile is the regular file p of the container, up to
// maxAccountFile bytes; empty when it is missing or unreadable, as exec
// reads them (a user given by number needs neither).
func (s *Server) accountFile(ctx context.Context, id, p string) []byte {
	var buf bytes.Buffer
	if err := s.host.ArchivePath(ctx, id, p, archive.WriteOptions{Follow: true}, &capWriter{w: &buf, left: maxAccountFile + 4096}); err != nil {
		return nil
	}
	tr := tar.NewReader(&buf)
	hdr, err := tr.Next()
	if err != nil || hdr.Typeflag != tar.TypeReg {
		return nil
	}
	content, err := io.ReadAll(io.LimitReader(tr, maxAccountFile))
	if err != nil {
		return nil
	}
	return content
}

// errTooLarge stops a capWriter's writer.
var errTooLarge = errors.New("larger than the limit")

// capWriter passes at most left bytes to w, then fails.
type capWriter struct {
	w    io.Writer
	left int
}

func (c *capWriter) Write(p []byte) (int, error) {
	if len(p) > c.left {
		return 0, errTooLarge
	}
	c.left -= len(p)
	return c.w.Write(p)
}
