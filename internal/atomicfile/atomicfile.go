// Package atomicfile replaces files so that a reader sees the old content
// or the new, never a mix, and a crash leaves one of them: every store of
// berth (containers, images, networks) writes its records through it.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile replaces path with data: a temporary file in the same
// directory, fsync, rename over path, fsync of the directory. Once it
// returns, a crash leaves the new content.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	if err := Replace(path, data, perm); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}

// Replace is WriteFile without the wait for the rename to reach the disk:
// a crash leaves the old content or the new, each whole. It is for a file
// whose previous content is as good after a crash as the new (what changed
// dies with the machine, as the leases of running containers do).
func Replace(path string, data []byte, perm os.FileMode) error {
	return replace(path, data, perm, true)
}

// ReplaceUnsynced is Replace without waiting for the data to reach the
// disk: after a crash the file may be the old content, the new, or the
// new cut short or empty. It is for a cache whose reader checks that it
// is whole and reads the source again when it is not.
func ReplaceUnsynced(path string, data []byte, perm os.FileMode) error {
	return replace(path, data, perm, false)
}

func replace(path string, data []byte, perm os.FileMode, sync bool) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp) // best effort; the write's error is the one to report
		return err
	}
	return nil
}
