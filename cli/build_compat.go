package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/pflag"

	"berth/images"
)

// buildCompatFlags are docker build's flags that berth takes as they are
// or nearly:
//
//   - --rm and --force-rm: berth never keeps a RUN step's container, failed
//     or not, so both are what berth does anyway.
//   - --network: RUN steps use the host's network by default ("default"
//     and "host" are the same in berth, see DESIGN.md); "none" gives them
//     loopback only. Other networks are refused.
//   - --cache-from: berth's build cache is local and keyed by each step and
//     the state before it, so a local image whose steps were built here is
//     reused already; images named here add nothing and are not pulled.
//   - --iidfile: the image ID ("sha256:…"), written once the build
//     succeeded, as docker does; an old file is removed first.
type buildCompatFlags struct {
	iidFile     string
	rm, forceRm bool
	network     string
	cacheFrom   []string
}

func (c *buildCompatFlags) register(flags *pflag.FlagSet) {
	flags.StringVar(&c.iidFile, "iidfile", "", "write the image ID to the file")
	flags.BoolVar(&c.rm, "rm", true, "remove intermediate containers after a successful build (berth always does)")
	flags.BoolVar(&c.forceRm, "force-rm", false, "always remove intermediate containers (berth always does)")
	flags.StringVar(&c.network, "network", "default", "networking mode for the RUN instructions: default or host (the host's network), none")
	flags.StringSliceVar(&c.cacheFrom, "cache-from", nil, "images to consider as cache sources (berth's local build cache is always used)")
}

// apply checks the flags and sets what they change in opts; it removes an
// old --iidfile, as docker does before it builds.
func (c *buildCompatFlags) apply(opts *images.BuildOptions) error {
	switch c.network {
	case "", "default", "host", "none":
		opts.Network = c.network
	default:
		return fmt.Errorf("network %s: berth builds with the host's network (default, host) or none", c.network)
	}
	if c.iidFile != "" {
		if err := os.Remove(c.iidFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing image ID file: %w", err)
		}
	}
	return nil
}

// writeIIDFile writes the built image's ID to --iidfile, without a
// newline, as docker does.
func (c *buildCompatFlags) writeIIDFile(id string) error {
	if c.iidFile == "" {
		return nil
	}
	if err := os.WriteFile(c.iidFile, []byte("sha256:"+id), 0o666); err != nil {
		return fmt.Errorf("write image ID file: %w", err)
	}
	return nil
}
