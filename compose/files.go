package compose

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"strconv"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine/archive"
	"berth/host"
)

// Where secrets and configs land in a container, as Docker Compose puts
// them: a secret at /run/secrets/NAME, a config at /NAME, unless target
// says otherwise.
const secretsDir = "/run/secrets"

// fileRef is one secret or config of a service: where it comes from and
// where it goes.
type fileRef struct {
	kind   string // "secret" or "config"
	name   string
	target string
	obj    types.FileObjectConfig
	uid    string
	gid    string
	mode   *types.FileMode
}

// fileRefs are service s's secrets and configs, each resolved against
// the project's top-level definitions.
func fileRefs(p *types.Project, s types.ServiceConfig) ([]fileRef, error) {
	var refs []fileRef
	for _, r := range s.Secrets {
		obj, ok := p.Secrets[r.Source]
		if !ok {
			return nil, fmt.Errorf("secret %q is not declared in the top-level secrets", r.Source)
		}
		refs = append(refs, fileRef{"secret", r.Source, targetOf(secretsDir, r.Source, r.Target), types.FileObjectConfig(obj), r.UID, r.GID, r.Mode})
	}
	for _, r := range s.Configs {
		obj, ok := p.Configs[r.Source]
		if !ok {
			return nil, fmt.Errorf("config %q is not declared in the top-level configs", r.Source)
		}
		refs = append(refs, fileRef{"config", r.Source, targetOf("/", r.Source, r.Target), types.FileObjectConfig(obj), r.UID, r.GID, r.Mode})
	}
	for _, r := range refs {
		if r.obj.External {
			return nil, fmt.Errorf("%s %q: external %ss are swarm's: not supported by berth", r.kind, r.name, r.kind)
		}
	}
	return refs, nil
}

// targetOf is where NAME lands: target when given (relative to dir),
// else dir/NAME.
func targetOf(dir, name, target string) string {
	switch {
	case target == "":
		return path.Join(dir, name)
	case path.IsAbs(target):
		return target
	default:
		return path.Join(dir, target)
	}
}

// fileBinds are the read-only binds of the service's secrets and
// configs that are files on the host: they are mounted, as Docker
// Compose mounts them, so they work on a read-only root too.
func fileBinds(p *types.Project, s types.ServiceConfig) ([]string, error) {
	refs, err := fileRefs(p, s)
	if err != nil {
		return nil, err
	}
	var binds []string
	for _, r := range refs {
		if r.obj.File != "" {
			binds = append(binds, r.obj.File+":"+r.target+":ro")
		}
	}
	return binds, nil
}

// copyFiles writes service s's secrets and configs that are not files
// (from the environment or given inline) into container id before it
// starts, with their uid, gid and mode (0444 unless given).
func copyFiles(ctx context.Context, h host.Host, p *types.Project, s types.ServiceConfig, id string) error {
	refs, err := fileRefs(p, s)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if r.obj.File != "" {
			continue
		}
		content := r.obj.Content
		if r.obj.Environment != "" {
			v, ok := p.Environment[r.obj.Environment]
			if !ok {
				v, ok = os.LookupEnv(r.obj.Environment)
			}
			if !ok {
				return fmt.Errorf("%s %q: environment variable %s is not set", r.kind, r.name, r.obj.Environment)
			}
			content = v
		}
		tarball, err := fileTar(r, []byte(content))
		if err != nil {
			return err
		}
		if err := h.ExtractToDir(ctx, id, "/", tarball, archive.ExtractOptions{}); err != nil {
			return fmt.Errorf("%s %q: write %s: %w", r.kind, r.name, r.target, err)
		}
	}
	return nil
}

// fileTar is a tar stream of r's file at its target (relative to /),
// with its parent directories.
func fileTar(r fileRef, content []byte) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mode := int64(0o444)
	if r.mode != nil {
		mode = int64(*r.mode)
	}
	uid, gid := 0, 0
	var err error
	if r.uid != "" {
		if uid, err = strconv.Atoi(r.uid); err != nil {
			return nil, fmt.Errorf("%s %q: uid %q: a number", r.kind, r.name, r.uid)
		}
	}
	if r.gid != "" {
		if gid, err = strconv.Atoi(r.gid); err != nil {
			return nil, fmt.Errorf("%s %q: gid %q: a number", r.kind, r.name, r.gid)
		}
	}
	now := time.Now()
	rel := r.target[1:]
	var dirs []string
	for d := path.Dir(rel); d != "." && d != "/"; d = path.Dir(d) {
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: now}); err != nil {
			return nil, err
		}
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: rel, Mode: mode, Size: int64(len(content)), Uid: uid, Gid: gid, ModTime: now}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(content); err != nil {
		return nil, err
	}
	return &buf, tw.Close()
}
