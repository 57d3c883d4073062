package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"berth/host"
	"berth/images"
)

func (a *app) saveCommand() *cobra.Command {
	var output string
	cmd := newCommand("save [OPTIONS] IMAGE [IMAGE...]", "Save one or more images to a tar archive (streamed to STDOUT by default)", minArgs(1), nil)
	cmd.Long = "Save images to a tar archive in docker's format (docker load reads it; it is\n" +
		"also an OCI image layout). Images named by a tag keep it; by ID, none."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if output == "" && a.sys.isTerminal(a.stdout) {
			return usageError(cmd.CommandPath(), errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect"))
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		if output == "" {
			return store.Save(a.stdout, args, images.SaveOptions{})
		}
		return writeFileAtomic(output, func(w io.Writer) error {
			return store.Save(w, args, images.SaveOptions{})
		})
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to a file, instead of STDOUT")
	return cmd
}

// writeFileAtomic writes path through a temporary file beside it, so that
// a failed save leaves no partial archive.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp) // best effort; err is what failed
		return err
	}
	return nil
}

func (a *app) loadCommand() *cobra.Command {
	var input string
	var quiet bool
	cmd := newCommand("load [OPTIONS]", "Load an image from a tar archive or STDIN", noArgs, nil)
	cmd.Long = "Load images from a tar archive (plain or compressed) as docker save writes it,\n" +
		"or from an OCI image layout: a tar of one, or its directory with -i."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if input == "" && a.sys.isTerminal(a.stdin) {
			return usageError(cmd.CommandPath(), errors.New("requested load from stdin, but stdin is empty"))
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		loaded, err := loadImages(store, input, a.stdin)
		if err != nil {
			return err
		}
		for _, l := range loaded {
			if len(l.Tags) == 0 {
				fmt.Fprintln(a.stdout, "Loaded image ID: sha256:"+strings.TrimPrefix(l.ID, "sha256:"))
			}
			for _, t := range l.Tags {
				fmt.Fprintln(a.stdout, "Loaded image:", t)
			}
		}
		return nil
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "read from tar archive file (or OCI layout directory), instead of STDIN")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "suppress the load output (berth prints no progress)")
	return cmd
}

// loadImages loads from stdin, a tar archive, or an OCI layout directory.
func loadImages(store host.Images, input string, stdin io.Reader) ([]images.Loaded, error) {
	if input == "" {
		return store.Load(stdin, images.LoadOptions{})
	}
	if fi, err := os.Stat(input); err == nil && fi.IsDir() {
		return store.LoadLayout(input, images.LoadOptions{})
	}
	f, err := os.Open(input)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	return store.Load(f, images.LoadOptions{})
}
