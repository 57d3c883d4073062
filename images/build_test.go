package images

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fakeRunner stands in for the engine: it mounts the step's rootfs itself
// and applies a scripted change. Scripts are lines of
// "write PATH CONTENT…", "fill PATH BYTES", "mv FROM TO", "rm PATH", "echo TEXT…" and "fail".
type fakeRunner struct {
	mu    sync.Mutex
	steps []RunStep
}

func (f *fakeRunner) Run(ctx context.Context, step RunStep) error {
	f.mu.Lock()
	f.steps = append(f.steps, step)
	f.mu.Unlock()
	root, err := os.MkdirTemp("", "fake-runner-")
	if err != nil {
		return err
	}
	defer os.Remove(root)
	for _, m := range step.Mounts {
		if err := mountDescribed(m, root); err != nil {
			return fmt.Errorf("fake runner: mount: %w", err)
		}
		defer unix.Unmount(root, unix.MNT_DETACH)
	}
	var lines []string
	if len(step.Args) >= 3 && step.Args[0] == "/bin/sh" {
		lines = strings.Split(step.Args[len(step.Args)-1], "\n")
	} else {
		lines = []string{strings.Join(step.Args, " ")}
	}
	for _, line := range lines {
		w := strings.Fields(line)
		if len(w) == 0 {
			continue
		}
		switch w[0] {
		case "write":
			p := filepath.Join(root, w[1])
			os.MkdirAll(filepath.Dir(p), 0o755)
			content := os.Expand(strings.Join(w[2:], " "), func(k string) string { v, _ := envGetter(step.Env).Get(k); return v })
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return err
			}
		case "mv": // busybox mv copies when rename(2) says EXDEV
			if out, err := exec.Command("/bin/busybox", "mv", filepath.Join(root, w[1]), filepath.Join(root, w[2])).CombinedOutput(); err != nil {
				return fmt.Errorf("mv: %v: %s", err, out)
			}
		case "fill": // fill PATH BYTES: a file of BYTES zeros
			n, err := strconv.Atoi(w[2])
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(root, w[1]), make([]byte, n), 0o644); err != nil {
				return err
			}
		case "rm":
			if err := os.RemoveAll(filepath.Join(root, w[1])); err != nil {
				return err
			}
		case "echo":
			fmt.Fprintln(step.Stdout, strings.Join(w[1:], " "))
		case "fail":
			return errors.New("exit status 3")
		default:
			return fmt.Errorf("fake runner: unknown command %q", w[0])
		}
	}
	return nil
}

func (f *fakeRunner) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.steps)
}

// writeContext lays out a build context.
func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// buildStore is a store holding the busybox image.
func buildStore(t *testing.T, driver string) *Store {
	t.Helper()
	s := openStore(t, driver)
	if _, err := s.Import(bytes.NewReader(busyboxTar(t)), "busybox", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// imageFiles mounts an image's rootfs for the rest of the test.
func imageFiles(t *testing.T, s *Store, ref string) string {
	t.Helper()
	id := "c" + randomHex(8)
	mounts, err := s.CreateRootfs(id, ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.RemoveRootfs(id) })
	root, _ := mountRootfs(t, mounts)
	return root
}

func readIn(t *testing.T, root, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, p))
	if err != nil {
		t.Errorf("read %s: %v", p, err)
	}
	return string(data)
}

const fullDockerfile = `# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM ${BASE} AS base
ARG VERSION=1
ENV APP_VERSION=$VERSION \
    PATH=/usr/local/bin:/bin
LABEL org.test=yes "with space"="a b"
MAINTAINER someone
WORKDIR /app
COPY --chown=nobody:nogroup hello.txt ./
COPY dir/ /app/dir/
COPY *.md /docs/
ADD archive.tar /opt/
ADD plain.txt /opt/plain.txt
RUN write /app/built $APP_VERSION
RUN ["write", "/app/exec", "form"]
RUN <<EOF
write /app/heredoc yes
EOF
COPY <<EOF /app/config.ini
version=$APP_VERSION
EOF
USER nobody
EXPOSE 8080/tcp 53/udp
VOLUME /data
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s CMD true
SHELL ["/bin/sh", "-ec"]
ONBUILD RUN echo child
ENTRYPOINT ["/bin/sh"]
CMD ["-c", "cat /app/built"]
`

func fullContext(t *testing.T) string {
	archive := makeTar(t, tarEntry{name: "pkg/", typ: tar.TypeDir}, tarEntry{name: "pkg/lib.so", body: "lib", uid: 42})
	return writeContext(t, map[string]string{
		"Dockerfile":    fullDockerfile,
		".dockerignore": "secret.md\n*.tmp\ndir/*.tmp\n",
		"hello.txt":     "hello",
		"dir/a":         "a",
		"dir/sub/b":     "b",
		"dir/junk.tmp":  "ignored",
		"README.md":     "readme",
		"secret.md":     "secret",
		"archive.tar":   string(archive),
		"plain.txt":     "plain",
	})
}

func TestBuildEveryInstruction(t *testing.T) {
	requireRoot(t)
	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		t.Run(driver, func(t *testing.T) {
			s := buildStore(t, driver)
			runner := &fakeRunner{}
			var out bytes.Buffer
			img, err := s.Build(context.Background(), BuildOptions{
				ContextDir: fullContext(t), Tags: []string{"app:1"}, Runner: runner, Output: &out,
				BuildArgs: map[string]string{"VERSION": "2", "UNUSED": "x"}, Labels: map[string]string{"extra": "1"},
			})
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			c := img.Config
			if !slices.Equal(img.RepoTags, []string{"app:1"}) || c.WorkingDir != "/app" || c.User != "nobody" || c.StopSignal != "SIGINT" {
				t.Errorf("image %v config %+v", img.RepoTags, c)
			}
			// PATH first: docker's default, given at FROM, then replaced in place.
			if !slices.Equal(c.Env, []string{"PATH=/usr/local/bin:/bin", "APP_VERSION=2"}) {
				t.Errorf("env = %v", c.Env)
			}
			if c.Labels["org.test"] != "yes" || c.Labels["with space"] != "a b" || c.Labels["extra"] != "1" {
				t.Errorf("labels = %v", c.Labels)
			}
			if _, ok := c.ExposedPorts["53/udp"]; !ok || len(c.ExposedPorts) != 2 {
				t.Errorf("ports = %v", c.ExposedPorts)
			}
			if _, ok := c.Volumes["/data"]; !ok {
				t.Errorf("volumes = %v", c.Volumes)
			}
			if c.Healthcheck == nil || c.Healthcheck.Interval != 5*time.Second || !slices.Equal(c.Healthcheck.Test, []string{"CMD-SHELL", "true"}) {
				t.Errorf("healthcheck = %+v", c.Healthcheck)
			}
			if !slices.Equal(c.Shell, []string{"/bin/sh", "-ec"}) || !slices.Equal(c.OnBuild, []string{"RUN echo child"}) {
				t.Errorf("shell %v onbuild %v", c.Shell, c.OnBuild)
			}
			if !slices.Equal(c.Entrypoint, []string{"/bin/sh"}) || !slices.Equal(c.Cmd, []string{"-c", "cat /app/built"}) {
				t.Errorf("entrypoint %v cmd %v", c.Entrypoint, c.Cmd)
			}
			if img.Author != "someone" {
				t.Errorf("author = %q", img.Author)
			}
			// busybox + WORKDIR mkdir + 4 COPY + 2 ADD + 3 RUN
			if len(img.Layers) != 11 {
				t.Errorf("%d layers, want 11", len(img.Layers))
			}
			var empty, full int
			for _, h := range img.History {
				if h.EmptyLayer {
					empty++
				} else {
					full++
				}
			}
			if full != len(img.Layers) {
				t.Errorf("history: %d layer steps, %d layers\n%+v", full, len(img.Layers), img.History)
			}
			if empty != 12 {
				t.Errorf("history: %d empty steps, want 12", empty)
			}
			if !strings.Contains(out.String(), "[Warning] One or more build-args [UNUSED] were not consumed") {
				t.Errorf("no unused build-arg warning:\n%s", out.String())
			}
			// The RUN steps saw the build's environment and working directory.
			for _, st := range runner.steps {
				if st.WorkingDir != "/app" || !slices.Contains(st.Env, "APP_VERSION=2") || !slices.Contains(st.Env, "VERSION=2") {
					t.Errorf("run step %v: workdir %q env %v", st.Args, st.WorkingDir, st.Env)
				}
			}
			if len(runner.steps) != 3 || !slices.Equal(runner.steps[1].Args, []string{"write", "/app/exec", "form"}) {
				t.Fatalf("run steps = %+v", runner.steps)
			}

			root := imageFiles(t, s, "app:1")
			busybox, _ := os.ReadFile("/bin/busybox")
			for p, want := range map[string]string{
				"app/hello.txt": "hello", "app/dir/a": "a", "app/dir/sub/b": "b", "docs/README.md": "readme",
				"opt/pkg/lib.so": "lib", "opt/plain.txt": "plain", "app/built": "2", "app/exec": "form",
				"app/heredoc": "yes", "app/config.ini": "version=2\n", "bin/busybox": string(busybox),
			} {
				if got := readIn(t, root, p); got != want {
					t.Errorf("%s = %.40q, want %.40q", p, got, want)
				}
			}
			for _, p := range []string{"docs/secret.md", "app/dir/junk.tmp", "app/Dockerfile"} {
				if _, err := os.Lstat(filepath.Join(root, p)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s should not be in the image: %v", p, err)
				}
			}
			var st unix.Stat_t
			if err := unix.Stat(filepath.Join(root, "app/hello.txt"), &st); err != nil || st.Uid != 65534 || st.Gid != 65534 {
				t.Errorf("hello.txt owner %d:%d, %v", st.Uid, st.Gid, err)
			}
			if err := unix.Stat(filepath.Join(root, "opt/pkg/lib.so"), &st); err != nil || st.Uid != 42 {
				t.Errorf("extracted lib.so owner %d, %v (archives keep their owners)", st.Uid, err)
			}
			if err := unix.Stat(filepath.Join(root, "app/dir/a"), &st); err != nil || st.Uid != 0 {
				t.Errorf("dir/a owner %d, %v", st.Uid, err)
			}
			hist, err := s.History("app:1")
			if err != nil || hist[0].CreatedBy != `CMD ["-c", "cat /app/built"]` || !hist[0].EmptyLayer {
				t.Errorf("history[0] = %+v, %v", hist[0], err)
			}
		})
	}
}

func TestBuildMultiStageKeepsOnlyTheArtefact(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	df := `FROM busybox AS builder
RUN write /out/artifact built
RUN write /junk big
FROM builder AS unused
RUN fail
FROM scratch
COPY --from=builder /out/artifact /artifact
COPY --from=0 /out /out2
COPY --from=busybox /etc/passwd /passwd
CMD ["/artifact"]
`
	runner := &fakeRunner{}
	img, err := s.Build(context.Background(), BuildOptions{DockerfileText: []byte(df), Tags: []string{"multi"}, Runner: runner})
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Layers) != 3 || runner.count() != 2 {
		t.Fatalf("%d layers, %d runs; want 3 and 2 (the unused stage is skipped)", len(img.Layers), runner.count())
	}
	root := imageFiles(t, s, "multi")
	if got := strings.Join(entriesUnder(t, root), ","); got != withInit("artifact", "out2", "out2/artifact", "passwd") {
		t.Fatalf("final rootfs = %s", got)
	}
	// --target builds a named stage.
	img, err = s.Build(context.Background(), BuildOptions{DockerfileText: []byte(df), Target: "builder", Runner: runner})
	if err != nil || len(img.Layers) != 3 {
		t.Fatalf("target builder: %v, %v", img, err)
	}
}

func TestBuildCache(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	ctxDir := fullContext(t)
	runner := &fakeRunner{}
	build := func(noCache bool) (*Image, string) {
		var out bytes.Buffer
		img, err := s.Build(context.Background(), BuildOptions{ContextDir: ctxDir, Tags: []string{"app:1"}, Runner: runner, Output: &out, NoCache: noCache})
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		return img, out.String()
	}
	first, _ := build(false)
	runs := runner.count()
	second, out := build(false)
	if n := strings.Count(out, "--> CACHED"); n != 10 {
		t.Errorf("second build: %d CACHED, want 10 (every layer step)\n%s", n, out)
	}
	if runner.count() != runs {
		t.Errorf("cached build ran %d steps", runner.count()-runs)
	}
	if second.ID != first.ID {
		t.Errorf("cached build made %s, the first %s", second.ID, first.ID)
	}
	// A changed file invalidates its COPY and every step after it.
	if err := os.WriteFile(filepath.Join(ctxDir, "dir/a"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	third, out := build(false)
	if n := strings.Count(out, "--> CACHED"); n != 2 {
		t.Errorf("after a change: %d CACHED, want 2 (WORKDIR and the first COPY)\n%s", n, out)
	}
	if third.ID == first.ID {
		t.Error("changed context, same image")
	}
	if after, _ := s.Lookup(first.ID); after == nil || !after.Dangling() {
		t.Error("the retagged image should be left dangling")
	}
	runs = runner.count()
	_, out = build(true)
	if strings.Contains(out, "CACHED") || runner.count() != runs+3 {
		t.Errorf("--no-cache used the cache\n%s", out)
	}
	// Pruning images and the cache leaves nothing behind.
	if _, err := s.Prune(PruneOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PruneBuildCache(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{s.driverDir(), s.blobDir(), s.containersDir()} {
		if e := entriesUnder(t, dir); len(e) != 0 {
			t.Errorf("%s after pruning all: %v", dir, e)
		}
	}
}

// BenchmarkBuild builds a 5-step Dockerfile cold (no cache) and cached.
func BenchmarkBuild(b *testing.B) {
	requireRoot(b)
	df := "FROM busybox\nCOPY a /a\nRUN write /b b\nENV X=1\nCOPY dir /dir\nRUN write /c c\n"
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			s := openStore(b, "")
			if _, err := s.Import(bytes.NewReader(busyboxTar(b)), "busybox", ImportOptions{}); err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644)
			os.WriteFile(filepath.Join(dir, "a"), []byte("a"), 0o644)
			os.MkdirAll(filepath.Join(dir, "dir"), 0o755)
			os.WriteFile(filepath.Join(dir, "dir/f"), make([]byte, 1<<20), 0o644)
			opts := BuildOptions{ContextDir: dir, Runner: &fakeRunner{}, NoCache: !cached}
			if _, err := s.Build(context.Background(), opts); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Build(context.Background(), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestBuildContextNeverReadsOutside(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("secret"), 0o644)
	ctxDir := writeContext(t, map[string]string{"ok": "ok", "d/file": "f"})
	os.Symlink(outside, filepath.Join(ctxDir, "link-out"))
	os.Symlink(outside, filepath.Join(ctxDir, "d/link-out"))
	os.Symlink("../../../../../../../../..", filepath.Join(ctxDir, "up"))
	tests := []struct {
		df, want string
	}{
		{"FROM busybox\nCOPY ../secret /x\n", "not found"},
		{"FROM busybox\nCOPY " + outside + " /x\n", "not found"},
		{"FROM busybox\nCOPY link-out /x\n", "not found"},
		{"FROM busybox\nCOPY up" + outside + " /x\n", "not found"},
	}
	for _, tt := range tests {
		_, err := s.Build(context.Background(), BuildOptions{ContextDir: ctxDir, DockerfileText: []byte(tt.df)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.df, err, tt.want)
		}
	}
	// A symlink inside a copied directory is copied as a symlink, not read.
	img, err := s.Build(context.Background(), BuildOptions{ContextDir: ctxDir, DockerfileText: []byte("FROM busybox\nCOPY d /d\n"), Tags: []string{"d"}})
	if err != nil {
		t.Fatal(err)
	}
	root := imageFiles(t, s, img.ID)
	if target, err := os.Readlink(filepath.Join(root, "d/link-out")); err != nil || target != outside {
		t.Errorf("d/link-out -> %q, %v", target, err)
	}
}

func TestBuildErrors(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + closed.Addr().String() + "/file"
	closed.Close()
	tests := []struct {
		name, df, target, want string
	}{
		{name: "failing RUN", df: "FROM busybox\nRUN fail\n", want: "exit status 3"},
		{name: "no FROM", df: "RUN x\n", want: "before the first FROM"},
		{name: "unknown image", df: "FROM nothere:1\n", want: "nothere:1"},
		{name: "COPY without context", df: "FROM busybox\nCOPY a /a\n", want: "no build context"},
		{name: "ADD of an unreachable URL", df: "FROM busybox\nADD " + deadURL + " /f\n", want: "download failed"},
		{name: "unknown target", df: "FROM busybox\n", target: "nope", want: "target stage"},
		{name: "bad instruction", df: "FROM busybox\nFOO bar\n", want: "FOO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := BuildOptions{DockerfileText: []byte(tt.df), Runner: &fakeRunner{}, Tags: []string{"bad"}, Target: tt.target}
			_, err := s.Build(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if _, err := s.Lookup("bad"); !errors.Is(err, ErrNotFound) {
				t.Errorf("a failed build tagged an image: %v", err)
			}
			if e := entriesUnder(t, s.containersDir()); len(e) != 0 {
				t.Errorf("step containers left: %v", e)
			}
		})
	}
}

func TestBuildAddURLAndOnbuild(t *testing.T) {
	requireRoot(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "downloaded")
	}))
	defer srv.Close()
	s := buildStore(t, "")
	runner := &fakeRunner{}
	parent := "FROM busybox\nONBUILD RUN write /triggered yes\nADD " + srv.URL + "/data.txt /srv/\n"
	if _, err := s.Build(context.Background(), BuildOptions{DockerfileText: []byte(parent), Tags: []string{"parent"}, Runner: runner}); err != nil {
		t.Fatal(err)
	}
	img, err := s.Build(context.Background(), BuildOptions{DockerfileText: []byte("FROM parent\n"), Tags: []string{"child"}, Runner: runner})
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Config.OnBuild) != 0 {
		t.Errorf("child kept the triggers: %v", img.Config.OnBuild)
	}
	root := imageFiles(t, s, "child")
	if got := readIn(t, root, "srv/data.txt"); got != "downloaded" {
		t.Errorf("srv/data.txt = %q", got)
	}
	if got := readIn(t, root, "triggered"); got != "yes" {
		t.Errorf("ONBUILD trigger did not run: %q", got)
	}
}

// TestBuildRunDiff checks that what a RUN step deletes, renames and
// replaces comes out right in the next image, through overlay whiteouts
// and opaque directories or the vfs tree diff.
func TestBuildRunDiff(t *testing.T) {
	requireRoot(t)
	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		t.Run(driver, func(t *testing.T) {
			s := openStore(t, driver)
			commitLayers(t, s, "base", makeTar(t,
				tarEntry{name: "keep/", typ: tar.TypeDir},
				tarEntry{name: "keep/a", body: "a"},
				tarEntry{name: "old/", typ: tar.TypeDir},
				tarEntry{name: "old/f", body: "f"},
				tarEntry{name: "gone", body: "g"},
				tarEntry{name: "redo/", typ: tar.TypeDir},
				tarEntry{name: "redo/stale", body: "s"},
			))
			df := "FROM base\nRUN <<EOF\nrm /gone\nmv /old /new\nrm /redo\nwrite /redo/fresh yes\nwrite /keep/b b\nEOF\n"
			img, err := s.Build(context.Background(), BuildOptions{DockerfileText: []byte(df), Runner: &fakeRunner{}})
			if err != nil {
				t.Fatal(err)
			}
			root := imageFiles(t, s, img.ID)
			if got := strings.Join(entriesUnder(t, root), ","); got != withInit("keep", "keep/a", "keep/b", "new", "new/f", "redo", "redo/fresh") {
				t.Fatalf("rootfs after RUN = %s", got)
			}
			// The layer itself is in OCI form: whiteouts as .wh. entries.
			var out bytes.Buffer
			if err := s.Save(&out, []string{img.ID}, SaveOptions{}); err != nil {
				t.Fatal(err)
			}
			files := readArchive(t, out.Bytes())
			last := img.Layers[len(img.Layers)-1]
			var names []string
			tr := tar.NewReader(bytes.NewReader(files["blobs/sha256/"+strings.TrimPrefix(last, "sha256:")]))
			for {
				hdr, err := tr.Next()
				if err != nil {
					break
				}
				names = append(names, hdr.Name)
			}
			wants := []string{".wh.gone", ".wh.old", "redo/fresh", "new/f", "keep/b"}
			if driver == DriverOverlay2 {
				wants = append(wants, "redo/.wh..wh..opq") // overlay made the recreated dir opaque
			} else {
				wants = append(wants, "redo/.wh.stale") // the tree diff names what went
			}
			for _, want := range wants {
				if !slices.Contains(names, want) {
					t.Errorf("layer lacks %s: %v", want, names)
				}
			}
		})
	}
}

func TestBuildCopyDestinations(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	ctxDir := writeContext(t, map[string]string{"d/f": "f", "d/sub/g": "g", "one": "1"})
	if err := os.Chmod(filepath.Join(ctxDir, "d"), 0o700); err != nil {
		t.Fatal(err)
	}
	df := "FROM busybox\nCOPY d /\nCOPY d /newdir\nCOPY one /tmp\nCOPY one /renamed\nCOPY one /made/\n"
	img, err := s.Build(context.Background(), BuildOptions{ContextDir: ctxDir, DockerfileText: []byte(df)})
	if err != nil {
		t.Fatal(err)
	}
	root := imageFiles(t, s, img.ID)
	for p, want := range map[string]string{"f": "f", "sub/g": "g", "newdir/f": "f", "newdir/sub/g": "g", "tmp/one": "1", "renamed": "1", "made/one": "1"} {
		if got := readIn(t, root, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	// The source directory's mode does not leak onto / or the new dir.
	for _, p := range []string{".", "newdir", "made"} {
		if fi, err := os.Stat(filepath.Join(root, p)); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("/%s mode = %v, %v; want 0755", p, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(root, "tmp")); fi.Mode()&os.ModeSticky == 0 {
		t.Errorf("/tmp lost its sticky bit: %v", fi.Mode())
	}
	// Layer entries are relative names.
	var out bytes.Buffer
	if err := s.Save(&out, []string{img.ID}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	files := readArchive(t, out.Bytes())
	for _, l := range img.Layers[1:] {
		tr := tar.NewReader(bytes.NewReader(files["blobs/sha256/"+strings.TrimPrefix(l, "sha256:")]))
		for {
			hdr, err := tr.Next()
			if err != nil {
				break
			}
			if strings.HasPrefix(hdr.Name, "/") {
				t.Errorf("absolute entry %q in layer %s", hdr.Name, l)
			}
		}
	}
}

func TestBuildDirectivesAndContinuations(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	df := "# syntax=docker/dockerfile:1\n# escape=`\nFROM --platform=linux/amd64 busybox\n# a comment\nENV A=1 `\n    B=2\nRUN write /x `\n  $A$B\n"
	var out bytes.Buffer
	img, err := s.Build(context.Background(), BuildOptions{DockerfileText: []byte(df), Runner: &fakeRunner{}, Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "[Warning] FROM --platform=linux/amd64 is ignored") {
		t.Errorf("no --platform warning:\n%s", out.String())
	}
	if !slices.Equal(img.Config.Env, []string{"PATH=" + defaultPath, "A=1", "B=2"}) {
		t.Errorf("env = %v", img.Config.Env)
	}
	root := imageFiles(t, s, img.ID)
	if got := readIn(t, root, "x"); got != "12" {
		t.Errorf("x = %q", got)
	}
}
