// Package archive moves files in and out of a directory tree as tar
// streams, for `berth cp` and `berth export`, with the tree given as a
// descriptor of its root that nothing may leave: a container's root
// filesystem (a hostile container can plant symlinks such as /etc -> /
// and swap paths while a copy runs), or a host directory the user named.
//
// Every path from a user is resolved inside the root with openat2's
// RESOLVE_IN_ROOT (through github.com/cyphar/filepath-securejoin's
// pathrs-lite), so ".." and symlinks, absolute or not, stay inside it.
// Below that, the walk and the extraction work one component at a time
// relative to descriptors of their directories, never following a
// symlink: a component swapped for a symlink mid-copy is copied or
// replaced as the symlink it now is, never followed out.
//
// Start with Write (a tree to a tar stream), Extract (a tar stream into
// a directory) and StatPath (docker's PathStat of one path).
package archive

import (
	"errors"
	"os"
	"time"
)

// ErrNotFound is a path that does not exist inside the root.
var ErrNotFound = errors.New("no such file or directory")

// Stat is what docker's "stat path" tells of one path: the cp rules
// decide on it before any byte moves.
type Stat struct {
	Name       string      `json:"name"`
	Size       int64       `json:"size"`
	Mode       os.FileMode `json:"mode"`
	Mtime      time.Time   `json:"mtime"`
	LinkTarget string      `json:"linkTarget"` // a symlink's target as it is written
}

// WriteOptions shape Write's stream.
type WriteOptions struct {
	// Follow follows a symlink named by the path itself (cp -L); symlinks
	// in the directories above it are always followed, inside the root.
	Follow bool
	// Name is the name the path's own entry gets in the stream (entries
	// below a directory are Name/…); "" means the path's base name.
	Name string
	// OneFileSystem stops at mount points, keeping only the directory a
	// mount sits on (export: the container's own layers, not its
	// volumes). Without it the walk still never descends into the kernel's
	// own filesystems (/proc, /sys, devpts, mqueue, cgroup).
	OneFileSystem bool
	// OmitRoot leaves out the entry of the path itself, keeping what is
	// below it (export: docker's stream of a root filesystem has no "./").
	OmitRoot bool
	// Mounts are what to write in place of the entries at these paths
	// below the path (slash-separated, relative to it: "a/b"), whether
	// or not the walk finds an entry there, as mounts on them would show
	// (cp of a stopped container: its volumes). Write does not close them.
	Mounts map[string]*os.File
}

// Owner is a user and group ID.
type Owner struct{ UID, GID int }

// ExtractOptions shape Extract.
type ExtractOptions struct {
	// Owner, when set, owns every extracted entry; nil keeps the
	// stream's user and group IDs.
	Owner *Owner
}
