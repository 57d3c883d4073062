package images

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// What a build reads before its first step: a context that may come as
// an archive (`tar -c . | berth build -`), and a Dockerfile checked whole,
// as docker's builder does, so that a typo on the last line stops the
// build before the first step runs.

// ArchiveHeaderSize is how many bytes of a stream IsArchive wants to see:
// two tar blocks, as docker's CLI peeks.
const ArchiveHeaderSize = 1024

// IsArchive reports whether a stream that starts with head is an archive
// (a tar, or a gzip, zstd, xz or bzip2 stream) rather than a Dockerfile:
// docker's rule for `build -`.
func IsArchive(head []byte) bool {
	if detectCompression(head) != uncompressed {
		return true
	}
	_, err := tar.NewReader(bytes.NewReader(head)).Next()
	return err == nil
}

// instructions are the Dockerfile instructions the builder knows, docker's.
var instructions = map[string]bool{
	"add": true, "arg": true, "cmd": true, "copy": true, "entrypoint": true, "env": true,
	"expose": true, "from": true, "healthcheck": true, "label": true, "maintainer": true,
	"onbuild": true, "run": true, "shell": true, "stopsignal": true, "user": true,
	"volume": true, "workdir": true,
}

// checkInstructions refuses a Dockerfile with an instruction the builder
// does not know, naming it as written and its line, as docker's "dockerfile
// parse error line 3: unknown instruction: FOO".
func checkInstructions(ast *parser.Node) error {
	for _, n := range ast.Children {
		if !instructions[instruction(n)] {
			word, _, _ := strings.Cut(strings.TrimSpace(n.Original), " ")
			if word == "" {
				word = strings.ToUpper(n.Value)
			}
			return fmt.Errorf("dockerfile parse error line %d: unknown instruction: %s", n.StartLine, word)
		}
	}
	return nil
}

// defaultPathEnv gives env docker's default PATH when it has none, as
// docker's builder does to every stage's base config.
func defaultPathEnv(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			return env
		}
	}
	return append(env, "PATH="+defaultPath)
}

// defaultPath is docker's default PATH on Linux.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// unpackContext extracts a context archive (plain or compressed tar) into
// a directory under the store's tmp/ with the layer extractor, so no entry
// lands outside it. The caller removes the directory.
func (s *Store) unpackContext(r io.Reader) (string, error) {
	dir, err := s.mkdirTemp("context")
	if err != nil {
		return "", fmt.Errorf("unpack build context: %w", err)
	}
	dr, err := decompress(r)
	if err != nil {
		_ = os.RemoveAll(dir) // our own temporary directory
		return "", fmt.Errorf("unpack build context: %w", err)
	}
	defer func() { _ = dr.Close() }()
	if _, err := applyLayer(dir, dr, whiteoutDelete); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("unpack build context: %w", err)
	}
	return dir, nil
}

// dockerfileInContext is the Dockerfile name (default "Dockerfile") of an
// unpacked context archive, resolved inside it: a symlink in the archive
// cannot make the build read a file of the host.
func dockerfileInContext(dir, name string) (string, error) {
	if name == "" {
		name = "Dockerfile"
	}
	p, err := securejoin.SecureJoin(dir, name)
	if err != nil {
		return "", fmt.Errorf("read Dockerfile %s: %w", name, err)
	}
	return p, nil
}
