package images

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Progress reports long work: one layer or stream, bytes done and expected.
type Progress struct {
	ID      string // what the line is about: a short layer digest, or the operation
	Action  string // "Importing", "Extracting", "Downloading", "Pushing", "Loading", "Done", …
	Current int64  // bytes done
	Total   int64  // bytes expected; 0 when unknown
}

// ImportOptions configure Import.
type ImportOptions struct {
	// Changes are Dockerfile instructions applied to the config, as
	// `docker import --change`: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
	// ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL.
	Changes []string
	// Message is the history comment; "" records "Imported from tarball".
	Message string
	// Progress, when set, is called as the tarball is read.
	Progress func(Progress)
	// Size is the tarball's length when known (a file), as progress's Total.
	Size int64
}

// Import makes a one-layer image from a root filesystem tarball (plain,
// gzip, zstd, xz or bzip2), as `docker import`. ref may be "" for a
// dangling image. Bad input changes nothing in the store.
func (s *Store) Import(r io.Reader, ref string, opts ImportOptions) (*Image, error) {
	p := newPending()
	defer p.discard()
	if ref != "" {
		named, err := parseTagReference(ref)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		p.refs = append(p.refs, named.String())
	}
	var cfg ImageConfig
	if err := applyChanges(&cfg, opts.Changes); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	pr := &progressReader{r: r, report: opts.Progress, id: "import", action: "Importing", total: opts.Size}
	// The layer is stored uncompressed whatever the tarball's compression:
	// xz and bzip2 have no OCI media type.
	dr, err := decompress(pr)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer func() { _ = dr.Close() }()
	if err := s.stageImported(p, dr); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	created := time.Now().UTC()
	msg := opts.Message
	if msg == "" {
		msg = "Imported from tarball"
	}
	conf := newConfig(cfg, p.diffIDs, []v1.History{{Created: &created, Comment: msg}}, created)
	if p.config, err = json.Marshal(conf); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	id, err := s.commit(p)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	pr.done()
	s.tagEvents(p.refs, id)
	s.idEvent("import", id)
	return s.Lookup(id.String())
}

// progressReader reports bytes read, at most every 256 KiB, to report
// when it is not nil.
type progressReader struct {
	r       io.Reader
	report  func(Progress)
	id      string
	action  string
	total   int64
	n, last int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.report != nil && p.n-p.last >= 256<<10 {
		p.last = p.n
		p.report(Progress{ID: p.id, Action: p.action, Current: p.n, Total: p.total})
	}
	return n, err
}

// done reports the final count.
func (p *progressReader) done() {
	if p.report != nil {
		p.report(Progress{ID: p.id, Action: "Done", Current: p.n, Total: p.total})
	}
}

func goArch() string { return runtime.GOARCH }
