package images

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// Reading an image's filesystem without mounting it: build needs to know
// whether a destination exists, where symlinks lead and who a user is.

// maxSymlinkHops bounds symlink resolution, as the kernel's ELOOP does.
const maxSymlinkHops = 40

// resolveInChain resolves symlinks in the absolute path p as the image's
// root filesystem would, never leaving the root. A missing component ends
// resolution: the rest is taken as is.
func (s *Store) resolveInChain(chains []digest.Digest, p string) (string, error) {
	parts := strings.Split(entryPath(p), "/")
	resolved := "/"
	hops := 0
	for i := 0; i < len(parts); i++ {
		if parts[i] == "" {
			continue
		}
		next := path.Join(resolved, parts[i])
		host, fi, err := s.statInChain(chains, next)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return "", fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", err
		}
		if !path.IsAbs(target) {
			target = path.Join(resolved, target)
		}
		rest := append(strings.Split(entryPath(target), "/"), parts[i+1:]...)
		parts, i, resolved = rest, -1, "/"
	}
	return resolved, nil
}

// readInChain reads a small file of the image's filesystem.
func (s *Store) readInChain(chains []digest.Digest, p string) ([]byte, error) {
	resolved, err := s.resolveInChain(chains, p)
	if err != nil {
		return nil, err
	}
	host, _, err := s.statInChain(chains, resolved)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(host)
}

// lookupOwner resolves --chown's user[:group] with the image's /etc/passwd
// and /etc/group. A user without a group uses the same number as its gid.
func (s *Store) lookupOwner(chains []digest.Digest, spec string) (uid, gid int, err error) {
	user, group, hasGroup := strings.Cut(spec, ":")
	if uid, err = s.lookupID(chains, "/etc/passwd", user); err != nil {
		return 0, 0, fmt.Errorf("--chown=%s: %w", spec, err)
	}
	if !hasGroup {
		return uid, uid, nil
	}
	if gid, err = s.lookupID(chains, "/etc/group", group); err != nil {
		return 0, 0, fmt.Errorf("--chown=%s: %w", spec, err)
	}
	return uid, gid, nil
}

// lookupID finds a name's number in a passwd- or group-format file;
// numbers stand for themselves.
func (s *Store) lookupID(chains []digest.Digest, file, name string) (int, error) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		return n, nil
	}
	data, err := s.readInChain(chains, file)
	if err != nil {
		return 0, fmt.Errorf("no %s in the image to look up %q", file, name)
	}
	if id, ok := idFromDatabase(string(data), name); ok {
		return id, nil
	}
	return 0, fmt.Errorf("%q not found in %s", name, file)
}

// idFromDatabase finds name in passwd/group lines (name:x:id:…).
func idFromDatabase(data, name string) (int, bool) {
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) >= 3 && f[0] == name {
			if id, err := strconv.Atoi(f[2]); err == nil {
				return id, true
			}
		}
	}
	return 0, false
}

// modeSpecial turns Go's setuid/setgid/sticky bits into Unix mode bits.
func modeSpecial(m fs.FileMode) uint32 {
	var out uint32
	if m&fs.ModeSetuid != 0 {
		out |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		out |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		out |= unix.S_ISVTX
	}
	return out
}

// ownerOf reads a file's owner and mtime.
func ownerOf(host string) (uid, gid int, mtime time.Time) {
	var st unix.Stat_t
	if unix.Lstat(host, &st) != nil {
		return 0, 0, time.Unix(0, 0)
	}
	return int(st.Uid), int(st.Gid), timespecTime(st.Mtim)
}
