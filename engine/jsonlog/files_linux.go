package jsonlog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// logFile is one open file of a log: the live one or a rotated one.
type logFile struct {
	f   *os.File
	ino uint64
}

func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// openLogFile opens name for reading; a missing file is (nil, nil).
func openLogFile(name string) (*logFile, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open log %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("stat log %s: %w", name, err)
	}
	return &logFile{f: f, ino: inode(st)}, nil
}

func (l *logFile) size() (int64, error) {
	st, err := l.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat log %s: %w", l.f.Name(), err)
	}
	return st.Size(), nil
}

func (l *logFile) close() {
	if l != nil {
		_ = l.f.Close()
	}
}

// openChain opens the live log (nil when it does not exist yet) and the
// rotated files behind it, newest first. It stops at the first missing
// file, and at a file it already holds (a rotation happened meanwhile).
func openChain(path string) (cur *logFile, older []*logFile, err error) {
	cur, err = openLogFile(path)
	if err != nil {
		return nil, nil, err
	}
	seen := map[uint64]bool{}
	if cur != nil {
		seen[cur.ino] = true
	}
	for i := 1; ; i++ {
		lf, err := openLogFile(rotatedName(path, i))
		if err != nil {
			closeAll(cur, older)
			return nil, nil, err
		}
		if lf == nil {
			return cur, older, nil
		}
		if seen[lf.ino] {
			lf.close()
			return cur, older, nil
		}
		seen[lf.ino] = true
		older = append(older, lf)
	}
}

func closeAll(cur *logFile, older []*logFile) {
	cur.close()
	for _, lf := range older {
		lf.close()
	}
}

// statInode returns the inode path names now, or 0 if it does not exist.
func statInode(path string) (uint64, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("stat log %s: %w", path, err)
	}
	return inode(st), nil
}
