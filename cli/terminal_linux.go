package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether f is an *os.File open on a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(file.Fd()), unix.TCGETS)
	return err == nil
}

// readPassword prints label and reads a line from the terminal with echo
// off, restoring the terminal's state on every path.
func readPassword(terminal io.Reader, w io.Writer, label string) (_ string, err error) {
	file, ok := terminal.(*os.File)
	if !ok {
		return "", errors.New("read password: not a terminal")
	}
	fd := int(file.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	noEcho := *old
	noEcho.Lflag &^= unix.ECHO
	noEcho.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho); err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	defer func() {
		if rerr := unix.IoctlSetTermios(fd, unix.TCSETS, old); rerr != nil && err == nil {
			err = fmt.Errorf("read password: restore the terminal: %w", rerr)
		}
	}()
	fmt.Fprint(w, label)
	line, err := bufio.NewReader(file).ReadString('\n')
	fmt.Fprintln(w)
	if err != nil && line == "" {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
