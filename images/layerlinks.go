package images

import (
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	digest "github.com/opencontainers/go-digest"
)

// Short layer links, as Docker's overlay2 keeps them. The kernel takes at
// most one page of mount data, and absolute diff directories fill it at
// about 34 layers. So every overlay2 layer also has a link
// layers/overlay2/l/<name> → ../<chain>/diff, with a 26-character name,
// and the root mount's options name the layers as l/<name> (and the
// container's directories as ../../containers/<id>/…), relative to
// layers/overlay2, which the mount is performed in (Mount.Dir). A page then
// holds about 130 layers, whatever the length of the data root's path.
//
// The name is derived from the chain ID (the base32 of its first 16
// bytes), so it needs no record of its own: the link is made when a
// container's rootfs is made, and removed with its layer.

// linksDir is the directory of the short links under an overlay2 layer
// directory; garbage collection and check pass it by.
const linksDir = "l"

var linkEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// linkName is the short link name of a layer.
func linkName(chain digest.Digest) (string, error) {
	if err := chain.Validate(); err != nil || chain.Algorithm() != digest.SHA256 {
		return "", fmt.Errorf("layer %q: not a sha256 chain ID", chain)
	}
	b, err := hex.DecodeString(chain.Encoded()[:32])
	if err != nil {
		return "", fmt.Errorf("layer %q: %w", chain, err)
	}
	return linkEncoding.EncodeToString(b), nil
}

// ensureLinks makes the short links of overlay2 layers; the caller holds
// the lock. A link that points elsewhere is replaced.
func (s *Store) ensureLinks(chains []digest.Digest) error {
	if s.driver != DriverOverlay2 || len(chains) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(s.driverDir(), linksDir), 0o700); err != nil {
		return fmt.Errorf("make layer links: %w", err)
	}
	for _, chain := range chains {
		name, err := linkName(chain)
		if err != nil {
			return err
		}
		path := filepath.Join(s.driverDir(), linksDir, name)
		target := filepath.Join("..", chain.Encoded(), "diff")
		err = os.Symlink(target, path)
		if errors.Is(err, fs.ErrExist) {
			if got, rerr := os.Readlink(path); rerr == nil && got == target {
				continue
			}
			if err = os.Remove(path); err == nil {
				err = os.Symlink(target, path)
			}
		}
		if err != nil {
			return fmt.Errorf("link layer %s: %w", chain.Encoded(), err)
		}
	}
	return nil
}

// removeLink removes the short link of an overlay2 layer being removed.
func removeLink(driverDir string, chain digest.Digest) error {
	name, err := linkName(chain)
	if err != nil {
		return err
	}
	err = os.Remove(filepath.Join(driverDir, linksDir, name))
	if ignoreNotExist(err) != nil {
		return fmt.Errorf("remove link of layer %s: %w", chain.Encoded(), err)
	}
	return nil
}
