package runopts

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"berth/config"
	"berth/engine"
)

// Parse is `berth run`'s option parsing for a face without a command
// line of its own (the full-screen program's run form): flagArgs are run
// flags only, as the CLI takes them ("-m", "1GiB", "--publish=80"), and
// image and command are the words that follow them on a command line.
// The checks and messages are the CLI's; an argument that is not a flag
// is refused, since image and command have places of their own.
func Parse(flagArgs []string, image string, command []string, cfg *config.Config, host HostFiles) (*Flags, engine.CreateOptions, []string, error) {
	flags := pflag.NewFlagSet("run", pflag.ContinueOnError)
	flags.SetOutput(io.Discard) // the error is returned, not printed
	f := &Flags{}
	f.Register(flags, true)
	if err := flags.Parse(flagArgs); err != nil {
		return nil, engine.CreateOptions{}, nil, err
	}
	if flags.NArg() > 0 {
		return nil, engine.CreateOptions{}, nil, fmt.Errorf("unexpected argument %q among the options: flags only", flags.Arg(0))
	}
	opts, warnings, err := f.CreateOptions(flags, image, command, cfg, host)
	if err != nil {
		return nil, engine.CreateOptions{}, nil, err
	}
	return f, opts, warnings, nil
}
