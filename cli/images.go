package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/host"
	"berth/images"
	filterArgs "berth/internal/filters"
)

const imagesDefaultTable = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"

var imagesHeaders = map[string]string{
	"Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "Digest": "DIGEST",
	"CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE",
	"VirtualSize": "VIRTUAL SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
	"Containers": "CONTAINERS",
}

func (a *app) imagesCommand() *cobra.Command {
	var quiet, all, noTrunc, digests bool
	var filters []string
	var format string
	cmd := newCommand("images [OPTIONS] [REPOSITORY[:TAG]]", "List images", nil, nil)
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q requires at most 1 argument", cmd.CommandPath()))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conds, err := filterArgs.Parse(filters)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		f, err := host.ParseImageFilters(conds)
		if err != nil {
			return err // docker's daemon refuses these: exit 1
		}
		if len(args) == 1 {
			f.Reference = append(f.Reference, args[0])
		}
		switch {
		case quiet:
			format = "{{.ID}}"
		case digests && (format == "" || format == "table"):
			format = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
		}
		out, err := parseFormat(format, imagesDefaultTable)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		inv, err := store.Inventory()
		if err != nil {
			return err
		}
		warnDamagedImages(a.stderr, inv.Damaged)
		list, err := host.ListImages(inv.Images, f, all, store)
		if err != nil {
			return err
		}
		return out.write(a.stdout, imagesHeaders, imageRows(list, !noTrunc, a.sys.now()))
	}
	flags := cmd.Flags()
	flags.BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	flags.BoolVarP(&all, "all", "a", false, "show all images (by default untagged images that others were built from are hidden)")
	flags.BoolVar(&noTrunc, "no-trunc", false, "don't truncate output")
	flags.BoolVar(&digests, "digests", false, "show digests")
	flags.StringArrayVarP(&filters, "filter", "f", nil, "filter output based on conditions provided: dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE")
	flags.StringVar(&format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.Repository}}, {{.ID}}…)")
	return cmd
}

// warnDamagedImages names, on stderr, each image that cannot be read and
// so is not listed: stdout stays what scripts parse, and the user learns
// the ID to remove it by.
func warnDamagedImages(w io.Writer, damaged []images.DamagedImage) {
	for _, d := range damaged {
		name := ""
		if len(d.Refs) > 0 {
			name = " (" + strings.Join(d.Refs, ", ") + ")"
		}
		fmt.Fprintf(w, "WARNING: image %s%s is damaged and not listed: %s; remove it with: berth rmi -f %s\n",
			truncateID(d.ID), name, d.Reason, truncateID(d.ID))
	}
}

// imageRows turns images into rows, one per tag (one "<none>" row for a
// dangling image).
func imageRows(list []*images.Image, trunc bool, now time.Time) []any {
	var rows []any
	for _, img := range list {
		if img.Dangling() {
			rows = append(rows, imageRow{img: img, repo: "<none>", tag: "<none>", trunc: trunc, now: now})
			continue
		}
		for _, rt := range img.RepoTags {
			repo, tag := host.SplitRepoTag(rt)
			rows = append(rows, imageRow{img: img, repo: repo, tag: tag, trunc: trunc, now: now})
		}
	}
	return rows
}

// imageRow is one REPOSITORY:TAG of an image as images's placeholders see it.
type imageRow struct {
	img       *images.Image
	repo, tag string
	trunc     bool
	now       time.Time
}

func (r imageRow) Repository() string { return r.repo }
func (r imageRow) Tag() string        { return r.tag }

func (r imageRow) ID() string {
	if r.trunc {
		return truncateID(r.img.ID)
	}
	return "sha256:" + strings.TrimPrefix(r.img.ID, "sha256:")
}

func (r imageRow) Digest() string {
	for _, d := range r.img.RepoDigests {
		if repo, dg, ok := strings.Cut(d, "@"); ok && repo == r.repo {
			return dg
		}
	}
	return "<none>"
}

func (r imageRow) CreatedSince() string { return ago(r.now, r.img.Created) }
func (r imageRow) CreatedAt() string    { return r.img.Created.Format("2006-01-02 15:04:05 -0700 MST") }
func (r imageRow) Size() string         { return humanSize(r.img.Size) }
func (r imageRow) VirtualSize() string  { return humanSize(r.img.Size) }
func (r imageRow) SharedSize() string   { return "N/A" }
func (r imageRow) UniqueSize() string   { return "N/A" }
func (r imageRow) Containers() string   { return "N/A" }

// MarshalJSON is {{json .}} and --format json, as docker.
func (r imageRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"Repository": r.Repository(), "Tag": r.Tag(), "ID": r.ID(), "Digest": r.Digest(),
		"CreatedSince": r.CreatedSince(), "CreatedAt": r.CreatedAt(), "Size": r.Size(),
		"VirtualSize": r.VirtualSize(), "SharedSize": r.SharedSize(), "UniqueSize": r.UniqueSize(),
		"Containers": r.Containers(),
	})
}

func (a *app) importCommand() *cobra.Command {
	var changes []string
	var message, platform string
	cmd := newCommand("import [OPTIONS] file|- [REPOSITORY[:TAG]]", "Import the contents from a tarball to create a filesystem image", nil, nil)
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) < 1 || len(args) > 2 {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q requires at least 1 and at most 2 arguments", cmd.CommandPath()))
		}
		return nil
	}
	cmd.Long = "Import the contents from a tarball (plain, gzip, zstd, xz or bzip2) to create a\n" +
		"filesystem image; - reads it from standard input. --change applies Dockerfile\n" +
		"instructions: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME,\n" +
		"WORKDIR, STOPSIGNAL."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		src := args[0]
		if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
			return usageError(cmd.CommandPath(), fmt.Errorf("importing from a URL (%s) is not supported: download the file and import it", src))
		}
		if platform != "" && platform != "linux/"+runtime.GOARCH && platform != "linux" {
			return usageError(cmd.CommandPath(), fmt.Errorf("--platform %s: berth imports for this machine's platform only (linux/%s)", platform, runtime.GOARCH))
		}
		ref := ""
		if len(args) == 2 {
			ref = args[1]
		}
		r := a.stdin
		if src != "-" {
			f, err := os.Open(src)
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }() // read-only
			r = f
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		img, err := store.Import(r, ref, images.ImportOptions{Changes: changes, Message: message})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(a.stdout, "sha256:"+strings.TrimPrefix(img.ID, "sha256:"))
		return err
	}
	flags := cmd.Flags()
	flags.StringArrayVarP(&changes, "change", "c", nil, "apply Dockerfile instruction to the created image")
	flags.StringVarP(&message, "message", "m", "", "set commit message for imported image")
	flags.StringVar(&platform, "platform", "", "set platform (only this machine's)")
	return cmd
}

func (a *app) tagCommand() *cobra.Command {
	return newCommand("tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", exactArgs(2),
		func(cmd *cobra.Command, args []string) error {
			store, err := a.images()
			if err != nil {
				return err
			}
			return store.Tag(args[0], args[1])
		})
}

func (a *app) rmiCommand() *cobra.Command {
	var force, noPrune bool
	cmd := newCommand("rmi [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", minArgs(1), nil)
	cmd.Long = "Remove one or more images. An image a container uses (running or not) is\n" +
		"refused unless -f."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		store, err := a.images()
		if err != nil {
			return err
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		failed := false
		for _, ref := range args {
			deleted, err := host.RemoveImage(cmd.Context(), eng, store, ref, force)
			if err != nil {
				fmt.Fprintf(a.stderr, "Error: %v\n", err)
				failed = true
				continue
			}
			for _, d := range deleted {
				if d.Untagged != "" {
					fmt.Fprintln(a.stdout, "Untagged:", d.Untagged)
				}
				if d.Deleted != "" {
					fmt.Fprintln(a.stdout, "Deleted:", d.Deleted)
				}
			}
		}
		if failed {
			return errSomeFailed
		}
		return nil
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force removal of the image")
	cmd.Flags().BoolVar(&noPrune, "no-prune", false, "accepted for docker compatibility: berth keeps no untagged parents")
	return cmd
}

// imageInspect is `berth inspect` of an image, in docker's shape.
type imageInspect struct {
	ID            string             `json:"Id"`
	RepoTags      []string           `json:"RepoTags"`
	RepoDigests   []string           `json:"RepoDigests"`
	Parent        string             `json:"Parent"`
	Comment       string             `json:"Comment"`
	Created       time.Time          `json:"Created"`
	DockerVersion string             `json:"DockerVersion"`
	Author        string             `json:"Author"`
	Config        images.ImageConfig `json:"Config"`
	Architecture  string             `json:"Architecture"`
	Os            string             `json:"Os"`
	Size          int64              `json:"Size"`
	RootFS        imageInspectRootFS `json:"RootFS"`
}

type imageInspectRootFS struct {
	Type   string   `json:"Type"`
	Layers []string `json:"Layers"`
}

func newImageInspect(img *images.Image) imageInspect {
	ii := imageInspect{
		ID:           "sha256:" + strings.TrimPrefix(img.ID, "sha256:"),
		RepoTags:     nonNil(img.RepoTags),
		RepoDigests:  nonNil(img.RepoDigests),
		Created:      img.Created,
		Author:       img.Author,
		Config:       img.Config,
		Architecture: img.Arch,
		Os:           img.OS,
		Size:         img.Size,
		RootFS:       imageInspectRootFS{Type: "layers", Layers: nonNil(img.Layers)},
		Parent:       img.Parent,
	}
	if n := len(img.History); n > 0 {
		ii.Comment = img.History[n-1].Comment
	}
	return ii
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
