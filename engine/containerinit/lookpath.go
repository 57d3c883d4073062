package containerinit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// lookPath finds the command to exec as exec.LookPath does, but on the
// container's PATH rather than the init's. Its errors are *ExecError with
// docker's exit code and message.
func lookPath(file, pathEnv string) (string, error) {
	if strings.Contains(file, "/") {
		if err := checkExecutable(file); err != nil {
			return "", execFailure(file, err)
		}
		return file, nil
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", &ExecError{Code: ExitNotFound, Msg: fmt.Sprintf("exec: %q: executable file not found in $PATH", file)}
}

// checkExecutable reports whether p is a regular file with an execute bit.
func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return syscall.EISDIR
	}
	if fi.Mode()&0o111 == 0 {
		return fs.ErrPermission
	}
	return nil
}

// execFailure maps an error from finding or exec'ing the command to docker
// run's exit codes: 127 when something is missing, 126 when it cannot be
// executed, 125 otherwise.
func execFailure(file string, err error) *ExecError {
	code := ExitSetupFailed
	switch {
	case errors.Is(err, fs.ErrNotExist):
		code = ExitNotFound
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EISDIR),
		errors.Is(err, syscall.ENOEXEC), errors.Is(err, syscall.ETXTBSY):
		code = ExitNotExecutable
	}
	return &ExecError{Code: code, Msg: fmt.Sprintf("exec: %q: %v", file, err)}
}
