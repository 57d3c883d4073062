package testenv

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildBerth builds the berth command (pkg, a package path or directory
// as go build takes it) into dir/berth and returns that path.
//
// The file tests and benchmarks run is written by a copy in 128 KiB
// blocks, as `make install` and a package's unpacking write it, not the
// linker's output: the page cache holds what the linker wrote in large
// folios, which the kernel maps whole, so a process of the linker's
// output counts megabytes of code it never runs as resident (see
// package exepages), which no installed berth does.
func BuildBerth(pkg, dir string) (string, error) {
	built := filepath.Join(dir, ".berth-linked")
	if out, err := exec.Command("go", "build", "-o", built, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w: %s", pkg, err, out)
	}
	bin := filepath.Join(dir, "berth")
	if err := copyFile(bin, built); err != nil {
		return "", fmt.Errorf("install %s: %w", bin, err)
	}
	if err := os.Remove(built); err != nil {
		return "", fmt.Errorf("remove the linker's output: %w", err)
	}
	return bin, nil
}

// copyFile writes src's bytes to a new executable dst with write(2)s of
// 128 KiB (no copy_file_range: plain writes, as install(1) makes).
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // read only: nothing to lose
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(struct{ io.Writer }{out}, struct{ io.Reader }{in}, make([]byte, 128<<10))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
