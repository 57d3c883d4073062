package images

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// sourceRoot is where COPY and ADD read from: the build context (with its
// .dockerignore) or the merged filesystem of an earlier stage or image.
// Every path is resolved inside the root, symlinks included, so a source
// can never name a file outside it.
type sourceRoot struct {
	dir    string
	ignore *patternmatcher.PatternMatcher // nil: nothing ignored
	what   string                         // "build context", "stage builder", …
}

// newContextRoot opens a build context directory and its .dockerignore.
func newContextRoot(dir string) (*sourceRoot, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("build context %s is not a directory", dir)
	}
	root := &sourceRoot{dir: abs, what: "build context"}
	f, err := os.Open(filepath.Join(abs, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return root, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	if root.ignore, err = patternmatcher.New(patterns); err != nil {
		return nil, fmt.Errorf("parse .dockerignore: %w", err)
	}
	return root, nil
}

// ignored reports whether the context-relative path rel is excluded.
func (r *sourceRoot) ignored(rel string) bool {
	if r.ignore == nil || rel == "." || rel == "" {
		return false
	}
	m, err := r.ignore.MatchesOrParentMatches(rel)
	return err == nil && m
}

// source is one resolved COPY/ADD source.
type source struct {
	rel  string // path inside the root, slash-separated; "." for the root
	host string // resolved host path
	fi   fs.FileInfo
}

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// resolve expands one source argument (which may hold wildcards) into the
// files it names.
func (r *sourceRoot) resolve(arg string) ([]source, error) {
	clean := entryPath(arg)
	if clean == "" {
		clean = "."
	}
	if !hasGlob(clean) {
		src, err := r.lookup(clean)
		if err != nil {
			return nil, err
		}
		return []source{src}, nil
	}
	var out []source
	err := filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r.dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if r.ignored(rel) {
			if d.IsDir() && !r.ignore.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		if ok, _ := path.Match(clean, rel); ok {
			src, err := r.lookup(rel)
			if err != nil {
				return err
			}
			out = append(out, src)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no source files were specified: %q matches nothing in the %s", arg, r.what)
	}
	return out, nil
}

// lookup resolves one path inside the root, following symlinks only
// within it.
func (r *sourceRoot) lookup(rel string) (source, error) {
	if r.ignored(rel) {
		return source{}, fmt.Errorf("%q not found: excluded by .dockerignore", rel)
	}
	host, err := securejoin.SecureJoin(r.dir, rel)
	if err != nil {
		return source{}, err
	}
	fi, err := os.Stat(host)
	if err != nil {
		return source{}, fmt.Errorf("%q not found in the %s", rel, r.what)
	}
	return source{rel: rel, host: host, fi: fi}, nil
}

// copySpec is what a COPY or ADD writes.
type copySpec struct {
	dest      string // absolute path in the image
	destIsDir bool
	uid, gid  int   // owner of everything copied (0:0 unless --chown)
	chown     bool  // --chown given: also applies to extracted archives
	chmod     int64 // 0: keep
	extract   bool  // ADD: unpack local tar archives
	parents   []parentDir
}

// parentDir is a directory above the destination, with the metadata it
// has in the image (or the default for a new one).
type parentDir struct {
	name     string
	mode     int64
	uid, gid int
	mtime    time.Time
}

// copyWriter writes the layer of a COPY/ADD and hashes its inputs (names,
// modes, owners, link targets and contents, not times) for the cache key.
type copyWriter struct {
	tw   *tar.Writer
	hash hash.Hash
	spec *copySpec
	buf  []byte
}

func newCopyWriter(w io.Writer, spec *copySpec) *copyWriter {
	return &copyWriter{tw: tar.NewWriter(w), hash: sha256.New(), spec: spec, buf: make([]byte, 128<<10)}
}

func (c *copyWriter) inputs() string { return hex.EncodeToString(c.hash.Sum(nil)) }

// header writes one entry's header; fromArchive entries keep their owner
// unless --chown was given.
func (c *copyWriter) header(hdr *tar.Header, fromArchive bool) error {
	hdr.Format = tar.FormatPAX
	// Layer entries are relative to the root, as every tool expects.
	hdr.Name = strings.TrimPrefix(hdr.Name, "/")
	if hdr.Typeflag == tar.TypeLink {
		hdr.Linkname = strings.TrimPrefix(hdr.Linkname, "/")
	}
	if !fromArchive || c.spec.chown {
		hdr.Uid, hdr.Gid = c.spec.uid, c.spec.gid
	}
	if c.spec.chmod != 0 && hdr.Typeflag != tar.TypeSymlink {
		hdr.Mode = c.spec.chmod
	}
	hdr.Uname, hdr.Gname = "", ""
	fmt.Fprintf(c.hash, "%s|%c|%o|%d|%d|%s|%d\n", hdr.Name, hdr.Typeflag, hdr.Mode, hdr.Uid, hdr.Gid, hdr.Linkname, hdr.Size)
	return c.tw.WriteHeader(hdr)
}

// parents writes the directories above the destination.
func (c *copyWriter) parents() error {
	for _, p := range c.spec.parents {
		hdr := &tar.Header{Name: p.name + "/", Typeflag: tar.TypeDir, Mode: p.mode, Uid: p.uid, Gid: p.gid, ModTime: p.mtime, Format: tar.FormatPAX}
		fmt.Fprintf(c.hash, "%s|parent\n", p.name)
		if err := c.tw.WriteHeader(hdr); err != nil {
			return err
		}
	}
	return nil
}

// file writes the file at host as name, without following a final symlink.
func (c *copyWriter) file(host, name string) error {
	fi, err := os.Lstat(host)
	if err != nil {
		return err
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(host); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return fmt.Errorf("%s: %w", host, err)
	}
	hdr.Name = name
	if fi.IsDir() {
		hdr.Name = name + "/"
	}
	if err := c.header(hdr, false); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.Open(host)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	_, err = io.CopyBuffer(io.MultiWriter(c.tw, c.hash), io.LimitReader(f, hdr.Size), c.buf)
	return err
}

// content writes data as the regular file name (COPY heredocs).
func (c *copyWriter) content(name string, data []byte, mode int64) error {
	hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(data)), ModTime: time.Unix(0, 0)}
	if err := c.header(hdr, false); err != nil {
		return err
	}
	_, err := io.MultiWriter(c.tw, c.hash).Write(data)
	return err
}

// tree writes the contents of the directory src under dest, skipping
// ignored entries. The directory itself is not copied: dest is one of the
// parents.
func (c *copyWriter) tree(root *sourceRoot, src source, dest string) error {
	return filepath.WalkDir(src.host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		sub, _ := filepath.Rel(src.host, p)
		sub = filepath.ToSlash(sub)
		if sub == "." {
			return nil
		}
		if root.ignored(path.Join(src.rel, sub)) {
			if d.IsDir() && !root.ignore.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		return c.file(p, path.Join(dest, sub))
	})
}

// archive writes the entries of a local tar archive under dest (ADD).
func (c *copyWriter) archive(host, dest string) error {
	f, err := os.Open(host)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	r, err := decompress(f)
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read archive %s: %w", filepath.Base(host), err)
		}
		rel := entryPath(hdr.Name)
		if rel == "" {
			continue
		}
		hdr.Name = path.Join(dest, rel)
		if hdr.Typeflag == tar.TypeDir {
			hdr.Name += "/"
		}
		if hdr.Typeflag == tar.TypeLink {
			hdr.Linkname = path.Join(dest, entryPath(hdr.Linkname))
		}
		if err := c.header(hdr, true); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := io.CopyBuffer(io.MultiWriter(c.tw, c.hash), tr, c.buf); err != nil {
				return err
			}
		}
	}
}

func (c *copyWriter) close() error { return c.tw.Close() }

// isTarArchive reports whether the file is a tar archive, plain or
// compressed, as ADD extracts.
func isTarArchive(host string) bool {
	f, err := os.Open(host)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	r, err := decompress(f)
	if err != nil {
		return false
	}
	defer func() { _ = r.Close() }()
	_, err = tar.NewReader(r).Next()
	return err == nil
}
