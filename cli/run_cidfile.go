package cli

import (
	"errors"
	"fmt"
	"os"
)

// cidFile is --cidfile: made before the container, as docker's, so that
// an existing file refuses the run before anything exists; removed
// again when no ID was written.
type cidFile struct {
	path    string
	f       *os.File
	written bool
}

func openCIDFile(path string) (*cidFile, error) {
	if path == "" {
		return &cidFile{}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, errors.New("container ID file found, make sure the other container isn't running or delete " + path)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to create the container ID file: %w", err)
	}
	return &cidFile{path: path, f: f}, nil
}

func (c *cidFile) write(id string) error {
	if c.f == nil {
		return nil
	}
	if _, err := c.f.WriteString(id); err != nil {
		return fmt.Errorf("failed to write the container ID (%s) to file: %w", id, err)
	}
	c.written = true
	return nil
}

// close closes the file, removing it when no ID went in.
func (c *cidFile) close() error {
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	if !c.written {
		if rerr := os.Remove(c.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return fmt.Errorf("failed to remove the CID file: %w", rerr)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("failed to write the container ID file: %w", err)
	}
	return nil
}
