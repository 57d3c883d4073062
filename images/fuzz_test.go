package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
)

// Fuzz targets for everything images reads from outside: layer tars,
// import tarballs, load archives and their JSON, --change instructions and
// Dockerfiles. `make test` runs each for a few seconds; `make fuzz
// FUZZTIME=5m` for longer. Crashers found are kept in testdata/fuzz.

// fuzzSandbox is a directory holding the place input is unpacked into and
// outside/, a sentinel directory whose one file nothing may change. The
// test runs in the sandbox, so an absolute symlink to
// /proc/self/cwd/outside points at the sentinel as the kernel sees it.
type fuzzSandbox struct{ dir, outside string }

const sentinelBody = "keep"

func newFuzzSandbox(t *testing.T) fuzzSandbox {
	dir := t.TempDir()
	s := fuzzSandbox{dir: dir, outside: filepath.Join(dir, "outside")}
	if err := os.Mkdir(s.outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.outside, "victim"), []byte(sentinelBody), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return s
}

// check fails unless the sandbox holds only outside/ and the names in
// inside, and outside/ only its untouched victim.
func (s fuzzSandbox) check(t *testing.T, inside ...string) {
	t.Helper()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "outside" && !slices.Contains(inside, e.Name()) {
			t.Errorf("wrote outside the root: %s", e.Name())
		}
	}
	if got := entriesUnder(t, s.outside); !reflect.DeepEqual(got, []string{"victim"}) {
		t.Errorf("outside/ changed: %v", got)
	}
	victim := filepath.Join(s.outside, "victim")
	fi, err := os.Lstat(victim)
	if err != nil {
		t.Fatalf("victim: %v", err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	data, _ := os.ReadFile(victim)
	if string(data) != sentinelBody || fi.Mode() != 0o644 || st.Nlink != 1 || st.Uid != uint32(os.Getuid()) {
		t.Errorf("victim changed: %q mode %v links %d uid %d", data, fi.Mode(), st.Nlink, st.Uid)
	}
}

// layerSeeds are realistic layers and the hostile entries the extractor
// must contain.
func layerSeeds(t testing.TB) [][]byte {
	const out = "/proc/self/cwd/outside"
	return [][]byte{
		makeTar(t,
			tarEntry{name: "./", typ: tar.TypeDir},
			tarEntry{name: "bin/", typ: tar.TypeDir},
			tarEntry{name: "bin/sh", mode: 0o755, body: "#!/bin/true\n"},
			tarEntry{name: "bin/ls", typ: tar.TypeSymlink, link: "sh"},
			tarEntry{name: "bin/cat", typ: tar.TypeLink, link: "bin/sh"},
			tarEntry{name: "etc/passwd", body: "root:x:0:0:root:/root:/bin/sh\n", uid: 0, gid: 0},
			tarEntry{name: "dev/null", typ: tar.TypeChar, major: 1, minor: 3, mode: 0o666},
			tarEntry{name: "run/fifo", typ: tar.TypeFifo},
			tarEntry{name: "bin/ping", mode: 0o4755, body: "x", xattrs: map[string]string{"security.capability": "\x01\x00\x00\x02"}},
			tarEntry{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		),
		makeTar(t,
			tarEntry{name: "etc/.wh.passwd", body: ""},
			tarEntry{name: "var/.wh..wh..opq", body: ""},
			tarEntry{name: "var/new", body: "new"},
		),
		makeTar(t, tarEntry{name: "../../outside/evil", body: "x"}),
		makeTar(t, tarEntry{name: "/proc/self/cwd/outside/evil", body: "x"}),
		makeTar(t, tarEntry{name: "l", typ: tar.TypeSymlink, link: out}, tarEntry{name: "l/evil", body: "x"}),
		makeTar(t, tarEntry{name: "l", typ: tar.TypeSymlink, link: "../outside"}, tarEntry{name: "l/victim", body: "x"}),
		makeTar(t, tarEntry{name: "f", typ: tar.TypeSymlink, link: out + "/victim"}, tarEntry{name: "f", body: "x"}),
		makeTar(t, tarEntry{name: "h", typ: tar.TypeLink, link: "../outside/victim"}),
		makeTar(t, tarEntry{name: "d", typ: tar.TypeSymlink, link: out}, tarEntry{name: "h", typ: tar.TypeLink, link: "d/victim"}),
		makeTar(t, tarEntry{name: "d", typ: tar.TypeSymlink, link: out}, tarEntry{name: "d/.wh.victim", body: ""}),
		makeTar(t, tarEntry{name: "d", typ: tar.TypeSymlink, link: out}, tarEntry{name: "d/.wh..wh..opq", body: ""}),
		makeTar(t, tarEntry{name: "d", typ: tar.TypeSymlink, link: out}, tarEntry{name: "d/null", typ: tar.TypeChar, major: 1, minor: 3}),
		makeTar(t, tarEntry{name: "loop", typ: tar.TypeBlock, major: 1<<12 + 7}),
		makeTar(t, tarEntry{name: "big", typ: tar.TypeChar, major: 1 << 40, minor: 1 << 33}),
		makeTar(t, tarEntry{name: "x", body: "x", xattrs: map[string]string{"trusted.overlay.opaque": "y"}}),
	}
}

func FuzzApplyLayer(f *testing.F) {
	requireRoot(f)
	for _, seed := range layerSeeds(f) {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, layer []byte, deleteMode bool) {
		sb := newFuzzSandbox(t)
		root := filepath.Join(sb.dir, "root")
		if err := os.Mkdir(root, 0o755); err != nil {
			t.Fatal(err)
		}
		mode := whiteoutOverlay
		if deleteMode {
			mode = whiteoutDelete
		}
		applyLayer(root, bytes.NewReader(layer), mode)
		sb.check(t, "root")
	})
}

// storeDirsEmpty fails unless nothing is left in the store's working and
// content directories: what bad input must leave behind.
func storeDirsEmpty(t *testing.T, s *Store) {
	t.Helper()
	for _, dir := range []string{s.tmpDir(), s.blobDir(), s.imagesDir(), s.driverDir()} {
		if e := entriesUnder(t, dir); len(e) != 0 {
			t.Errorf("%s not empty after a refused input: %v", dir, e)
		}
	}
}

func gzipped(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func FuzzImport(f *testing.F) {
	requireRoot(f)
	for _, seed := range layerSeeds(f) {
		f.Add(seed)
	}
	f.Add(gzipped(f, layerSeeds(f)[0]))
	f.Fuzz(func(t *testing.T, tarball []byte) {
		sb := newFuzzSandbox(t)
		s, err := Open(filepath.Join(sb.dir, "image"), Options{Driver: DriverVFS})
		if err != nil {
			t.Fatal(err)
		}
		img, err := s.Import(bytes.NewReader(tarball), "fuzz:latest", ImportOptions{})
		if err != nil {
			storeDirsEmpty(t, s)
		} else if got, err := s.Lookup("fuzz:latest"); err != nil || got.ID != img.ID {
			t.Errorf("imported %s, lookup gives %v, %v", img.ID, got, err)
		}
		if e := entriesUnder(t, s.tmpDir()); len(e) != 0 {
			t.Errorf("temporary files left: %v", e)
		}
		sb.check(t, "image")
	})
}

// savedArchive is a docker-archive of a small imported image, as save
// writes it.
func savedArchive(t testing.TB) []byte {
	s, err := Open(filepath.Join(t.TempDir(), "image"), Options{Driver: DriverVFS})
	if err != nil {
		t.Fatal(err)
	}
	layer := makeTar(t, tarEntry{name: "bin/", typ: tar.TypeDir}, tarEntry{name: "bin/sh", mode: 0o755, body: "#!/bin/true\n"})
	if _, err := s.Import(bytes.NewReader(layer), "seed:1", ImportOptions{Changes: []string{"CMD [\"/bin/sh\"]"}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Save(&buf, []string{"seed:1"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// loadAndCheck loads archive into a new store in a sandbox and checks the
// properties every load keeps: nothing outside the store, no temporary
// files, and images either committed whole (listed and returned) or not
// at all.
func loadAndCheck(t *testing.T, archive []byte) {
	sb := newFuzzSandbox(t)
	s, err := Open(filepath.Join(sb.dir, "image"), Options{Driver: DriverVFS})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := s.Load(bytes.NewReader(archive), LoadOptions{})
	list, lerr := s.List()
	if lerr != nil {
		t.Fatalf("list after load: %v", lerr)
	}
	ids := map[string]bool{}
	for _, l := range loaded {
		ids[l.ID] = true
	}
	if len(list) != len(ids) {
		t.Errorf("load returned %d images (%v), the store lists %d", len(ids), err, len(list))
	}
	if err != nil && len(loaded) == 0 {
		storeDirsEmpty(t, s)
	}
	if e := entriesUnder(t, s.tmpDir()); len(e) != 0 {
		t.Errorf("temporary files left: %v", e)
	}
	sb.check(t, "image")
}

func FuzzLoad(f *testing.F) {
	requireRoot(f)
	saved := savedArchive(f)
	f.Add(saved)
	f.Add(gzipped(f, saved))
	for _, seed := range layerSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, archive []byte) {
		loadAndCheck(t, archive)
	})
}

// Placeholders the JSON fuzz targets replace with the digests of the
// files the harness writes, so that mutated JSON still points at them.
const (
	placeholderLayer  = "@LAYER@"
	placeholderConfig = "@CONFIG@"
	placeholderDiffID = "@DIFFID@"
	placeholderManif  = "@MANIFEST@"
)

// archiveTar writes files as a tar, in order.
func archiveTar(t testing.TB, files ...[2]string) []byte {
	var entries []tarEntry
	for _, f := range files {
		entries = append(entries, tarEntry{name: f[0], body: f[1]})
	}
	return makeTar(t, entries...)
}

const seedConfig = `{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["@DIFFID@"]},"history":[{"created_by":"seed"}]}`

// FuzzLoadDockerManifest fuzzes a docker-archive's manifest.json and the
// image config it names, beside a valid layer.
func FuzzLoadDockerManifest(f *testing.F) {
	requireRoot(f)
	f.Add(`[{"Config":"config.json","RepoTags":["seed:1"],"Layers":["layer.tar"]}]`, seedConfig)
	f.Add(`[{"Config":"config.json","RepoTags":["seed:1","seed:2"],"Layers":["layer.tar"]},{"Config":"config.json","RepoTags":null,"Layers":["layer.tar"]}]`, seedConfig)
	f.Add(`[{"Config":"../../outside/victim","Layers":["layer.tar"]}]`, seedConfig)
	f.Add(`[{"Config":"config.json","Layers":["/proc/self/cwd/outside/victim"]}]`, seedConfig)
	f.Add(`[{"Config":"config.json","RepoTags":["UPPER:bad"],"Layers":["layer.tar"]}]`, seedConfig)
	f.Add(`[{"Config":"config.json","Layers":[]}]`, `{"rootfs":{"diff_ids":[]}}`)
	f.Add(`{}`, `[]`)
	layer := makeTar(f, tarEntry{name: "bin/sh", mode: 0o755, body: "#!/bin/true\n"})
	diffID := digest.FromBytes(layer).String()
	f.Fuzz(func(t *testing.T, manifest, config string) {
		config = strings.ReplaceAll(config, placeholderDiffID, diffID)
		loadAndCheck(t, archiveTar(t, [2]string{"layer.tar", string(layer)}, [2]string{"config.json", config}, [2]string{"manifest.json", manifest}))
	})
}

// FuzzLoadOCIIndex fuzzes an OCI layout's index.json and the manifest it
// names, beside a valid config and layer.
func FuzzLoadOCIIndex(f *testing.F) {
	requireRoot(f)
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"@CONFIG@","size":1},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"@LAYER@","size":1}]}`
	f.Add(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@MANIFEST@","size":1,"annotations":{"io.containerd.image.name":"docker.io/library/seed:1","org.opencontainers.image.ref.name":"1"}}]}`, manifest)
	f.Add(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"@MANIFEST@","size":1}]}`,
		`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@CONFIG@","size":1,"platform":{"os":"linux","architecture":"amd64"}}]}`)
	f.Add(`{"manifests":[{"digest":"sha256:../../../outside/victim"}]}`, manifest)
	f.Add(`{"manifests":[{"digest":"@MANIFEST@"},{"digest":"@MANIFEST@"}]}`, strings.ReplaceAll(manifest, placeholderLayer, "sha256:"+hex64('a')))
	layer := makeTar(f, tarEntry{name: "bin/sh", mode: 0o755, body: "#!/bin/true\n"})
	layerDigest := digest.FromBytes(layer)
	config := strings.ReplaceAll(seedConfig, placeholderDiffID, layerDigest.String())
	configDigest := digest.FromString(config)
	f.Fuzz(func(t *testing.T, index, manifest string) {
		manifest = strings.NewReplacer(placeholderConfig, configDigest.String(), placeholderLayer, layerDigest.String()).Replace(manifest)
		index = strings.ReplaceAll(index, placeholderManif, digest.FromString(manifest).String())
		blob := func(d digest.Digest) string { return "blobs/sha256/" + d.Encoded() }
		loadAndCheck(t, archiveTar(t,
			[2]string{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`},
			[2]string{blob(layerDigest), string(layer)},
			[2]string{blob(configDigest), config},
			[2]string{blob(digest.FromString(manifest)), manifest},
			[2]string{"index.json", index}))
	})
}

// FuzzApplyChanges fuzzes `import --change` instructions: a change either
// fails with ErrInvalidChange or leaves a config with a clean absolute
// working directory that survives a JSON round trip.
func FuzzApplyChanges(f *testing.F) {
	for _, seed := range []string{
		`CMD ["/bin/sh", "-c", "echo hi"]`, `CMD echo $HOME`, `ENTRYPOINT ["/init"]`,
		`ENV A=1 B="two words" C=${A:-x}`, `ENV OLD style value`, `EXPOSE 80 443/tcp 53/udp 8000-8002`,
		`LABEL org.example.a="x" b=y`, `ONBUILD RUN make`, `USER 1000:1000`, `VOLUME ["/data", "/logs"]`,
		`WORKDIR ../../rel/./dir`, `STOPSIGNAL SIGTERM`, `HEALTHCHECK --interval=5s CMD true`,
		`EXPOSE 0`, `EXPOSE 1-65535`, `ENV ${`, `FROM busybox`, "CMD \\\n  echo", `ONBUILD ONBUILD CMD x`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, change string) {
		var cfg ImageConfig
		if err := applyChanges(&cfg, []string{change}); err != nil {
			if !errors.Is(err, ErrInvalidChange) {
				t.Fatalf("applyChanges(%q) = %v, want ErrInvalidChange", change, err)
			}
			return
		}
		if cfg.WorkingDir != "" && (!filepath.IsAbs(cfg.WorkingDir) || filepath.Clean(cfg.WorkingDir) != cfg.WorkingDir) {
			t.Errorf("WORKDIR %q is not a clean absolute path", cfg.WorkingDir)
		}
		data, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var back ImageConfig
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("config %s does not parse back: %v", data, err)
		}
		// JSON stores invalid UTF-8 as U+FFFD, so only valid text must
		// come back as it was.
		if again, _ := json.Marshal(back); utf8.ValidString(change) && !bytes.Equal(data, again) {
			t.Errorf("config changed in a JSON round trip:\n%s\n%s", data, again)
		}
	})
}

// FuzzDockerfile fuzzes what build reads from a Dockerfile before it runs
// anything: the parse, the split into stages, the target's dependencies,
// and every config instruction of each stage.
func FuzzDockerfile(f *testing.F) {
	for _, seed := range []string{
		"FROM busybox\nRUN echo hi\nCMD [\"sh\"]\n",
		"ARG BASE=busybox\nFROM ${BASE} AS build\nWORKDIR /src\nCOPY . .\nRUN make\n\nFROM scratch\nCOPY --from=build /src/app /app\nENTRYPOINT [\"/app\"]\n",
		"# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox\nRUN echo `\n  continued\nLABEL a=b\n",
		"FROM busybox\nHEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD wget -q localhost\nONBUILD COPY . /app\nSHELL [\"/bin/ash\", \"-c\"]\nEXPOSE 8080/tcp\nENV X=1\nVOLUME /data\nUSER nobody\nSTOPSIGNAL 9\n",
		"FROM a AS one\nFROM one AS two\nFROM two\nCOPY --from=one / /\n",
		"RUN before from\n",
		"FROM busybox\nRUN <<EOF\necho heredoc\nEOF\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, dockerfile string) {
		b := &builder{global: map[string]string{}, usedArgs: map[string]bool{}, escape: '\\'}
		res, err := parser.Parse(strings.NewReader(dockerfile))
		if err != nil {
			return
		}
		b.escape = res.EscapeToken
		if err := b.split(res.AST); err != nil {
			return
		}
		if len(b.stages) == 0 {
			t.Fatal("split accepted a Dockerfile without stages")
		}
		needed := b.needed(len(b.stages) - 1)
		if !needed[len(b.stages)-1] {
			t.Error("the target stage is not needed")
		}
		for _, st := range b.stages {
			var cfg ImageConfig
			cs := newConfigState(&cfg, b.escape)
			for _, n := range st.commands {
				switch instruction(n) {
				case "run", "copy", "add", "arg", "maintainer":
					continue
				}
				cs.apply(n)
			}
		}
	})
}
