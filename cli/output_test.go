package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"

	"berth/engine"
	"berth/host"
	"berth/images"
)

func TestStatsGolden(t *testing.T) {
	fixture := func() *fakeEngine {
		cs := psFixture()
		web, sleepy := cs[0], cs[1]
		t0 := testNow
		return &fakeEngine{
			containers: cs,
			stats: map[string][]*engine.Stats{
				web.ID: {
					{Time: t0, CPUUsage: time.Second, MemoryUsage: 3 << 20, MemoryLimit: 1 << 30, PidsCurrent: 2, BlockRead: 4_300_000, BlockWrite: 12_000},
					{Time: t0.Add(time.Second), CPUUsage: time.Second + 250*time.Millisecond, MemoryUsage: 3<<20 + 512<<10, MemoryLimit: 1 << 30, PidsCurrent: 2, BlockRead: 4_300_000, BlockWrite: 16_384, NetRx: 1_500, NetTx: 2_048_000},
				},
				sleepy.ID: {
					{Time: t0, CPUUsage: 0, MemoryUsage: 400 << 10, MemoryLimit: 24 << 30, PidsCurrent: 1},
				},
			},
		}
	}
	tests := []struct {
		name string
		args []string
	}{
		{"stats", []string{"stats", "--no-stream"}},
		{"stats_json", []string{"stats", "--no-stream", "--format", "json"}},
		{"stats_named", []string{"stats", "--no-stream", "web", "job"}},
		{"stats_all_no_trunc", []string{"stats", "--no-stream", "-a", "--no-trunc", "--format", `table {{.Container}}\t{{.Name}}\t{{.MemPerc}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, testSystem(fixture()), tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d stderr %q", r.code, r.stderr)
			}
			golden(t, tt.name, r.stdout)
		})
	}
}

func TestStatsStreamRedraws(t *testing.T) {
	web := psFixture()[0]
	eng := &fakeEngine{containers: []*engine.Container{web}, stats: map[string][]*engine.Stats{web.ID: {{Time: testNow}}}}
	sys := testSystem(eng)
	// A stream ends when the engine stops answering: make List fail after
	// three frames by removing the container.
	frames := 0
	var stdout strings.Builder
	w := writerFunc(func(p []byte) (int, error) {
		frames++
		if frames == 3 {
			eng.containers = nil
		}
		return stdout.Write(p)
	})
	a := newApp(strings.NewReader(""), w, io.Discard, sys)
	cfg := t.TempDir() + "/c.json"
	writeTestFile(t, cfg, "{}")
	run([]string{"--config", cfg, "--root", t.TempDir(), "stats", "web"}, a)
	if got := strings.Count(stdout.String(), clearScreen); got != 3 {
		t.Errorf("%d frames drawn, want 3:\n%q", got, stdout.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestTopGolden(t *testing.T) {
	web := psFixture()[0]
	eng := &fakeEngine{containers: []*engine.Container{web}, top: engine.TopResult{
		Titles: []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"},
		Processes: [][]string{
			{"root", "41234", "41200", "0", "17:55", "?", "00:00:03", "sh -c while :; do echo tick; sleep 1; done"},
			{"nobody", "41301", "41234", "0", "Nov28", "pts/0", "00:00:00", "sleep 1"},
		},
	}}
	r := runCLI(t, testSystem(eng), "top", "web")
	if r.code != 0 {
		t.Fatalf("code %d stderr %q", r.code, r.stderr)
	}
	golden(t, "top", r.stdout)
	if eng.psArgs != nil {
		t.Errorf("top web passed ps options %q, want none (the engine's -ef)", eng.psArgs)
	}
}

// TestTopPassesPsOptions: what follows CONTAINER goes to ps as docker
// passes it, flags included.
func TestTopPassesPsOptions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"web", "-o", "pid,comm"}, "-o|pid,comm"},
		{[]string{"web", "aux"}, "aux"},
		{[]string{"web", "-ef"}, "-ef"},
		{[]string{"web", "-o pid,comm"}, "-o|pid,comm"},
	} {
		eng := &fakeEngine{containers: psFixture()}
		if r := runCLI(t, testSystem(eng), append([]string{"top"}, tt.args...)...); r.code != 0 || strings.Join(eng.psArgs, "|") != tt.want {
			t.Errorf("top %q: code %d err %q, ps args %q, want %q", tt.args, r.code, r.stderr, eng.psArgs, tt.want)
		}
	}
	if r := runCLI(t, testSystem(&fakeEngine{}), "top", "nope"); r.code != 1 {
		t.Errorf("top of a missing container: code %d", r.code)
	}
}

func TestLogs(t *testing.T) {
	web := psFixture()[0]
	ts := time.Date(2026, 11, 29, 17, 59, 1, 5000, time.UTC)
	eng := &fakeEngine{containers: []*engine.Container{web}, logs: []engine.LogEntry{
		{Stream: "stdout", Time: ts, Line: []byte("tick\n")},
		{Stream: "stderr", Time: ts.Add(time.Second), Line: []byte("oops\n")},
		{Stream: "stdout", Time: ts.Add(2 * time.Second), Line: []byte("no newline")},
	}}
	r := runCLI(t, testSystem(eng), "logs", "web")
	if r.stdout != "tick\nno newline" || r.stderr != "oops\n" || r.code != 0 {
		t.Errorf("logs: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if o := eng.logsOpts; o.Tail != -1 || !o.Stdout || !o.Stderr || o.Follow || !o.Since.IsZero() {
		t.Errorf("default logs options %+v", o)
	}
	r = runCLI(t, testSystem(eng), "logs", "-t", "--tail", "5", "-f", "--since", "10s", "--until", "2026-11-29T17:59:30Z", "web")
	if r.stdout != "2026-11-29T17:59:01.000005000Z tick\n2026-11-29T17:59:03.000005000Z no newline" || r.stderr != "2026-11-29T17:59:02.000005000Z oops\n" {
		t.Errorf("logs -t: out %q err %q", r.stdout, r.stderr)
	}
	o := eng.logsOpts
	if o.Tail != 5 || !o.Follow || !o.Since.Equal(testNow.Add(-10*time.Second)) || !o.Until.Equal(time.Date(2026, 11, 29, 17, 59, 30, 0, time.UTC)) {
		t.Errorf("logs options %+v", o)
	}
	if r := runCLI(t, testSystem(eng), "logs", "--since", "yesterday", "web"); r.code != 125 || !strings.Contains(r.stderr, `invalid value for "since"`) {
		t.Errorf("bad --since: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, testSystem(eng), "logs", "missing"); r.code != 1 || !strings.Contains(r.stderr, "no such container: missing") {
		t.Errorf("missing container: code %d err %q", r.code, r.stderr)
	}
}

func TestParseTail(t *testing.T) {
	for in, want := range map[string]int{"": -1, "all": -1, "0": 0, "5": 5, "-3": -1} {
		if got, err := parseTail(in); err != nil || got != want {
			t.Errorf("parseTail(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := parseTail("five"); err == nil {
		t.Error("parseTail accepted five")
	}
}

func TestInspect(t *testing.T) {
	cs := psFixture()
	cs[0].State.Pid = 41234
	eng := &fakeEngine{containers: cs}
	store := &fakeImages{imgs: imagesFixture()}
	sys := withImages(testSystem(eng), store)

	r := runCLI(t, sys, "inspect", "web")
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 {
		t.Fatalf("inspect output %q: %v", r.stdout, err)
	}
	if got[0]["Id"] != cs[0].ID || got[0]["Name"] != "/web" || !strings.HasPrefix(r.stdout, "[\n    {\n        \"Id\"") {
		t.Errorf("inspect web = %s", r.stdout)
	}
	r = runCLI(t, sys, "inspect", "-f", "{{.State.Status}} {{.State.Pid}} {{.Name}} {{json .Config.Labels}}", "web")
	if r.stdout != "running 41234 /web {\"app\":\"demo\",\"tier\":\"front\"}\n" {
		t.Errorf("inspect -f = %q (err %q)", r.stdout, r.stderr)
	}
	r = runCLI(t, sys, "inspect", "web", "missing", "busybox")
	if r.code != 1 || !strings.Contains(r.stderr, "Error: No such object: missing") {
		t.Errorf("inspect with a missing object: code %d err %q", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 || got[1]["Id"] != "sha256:"+imagesFixture()[0].ID {
		t.Errorf("inspect web missing busybox = %s (%v)", r.stdout, err)
	}
	if rootfs, _ := got[1]["RootFS"].(map[string]any); rootfs["Type"] != "layers" {
		t.Errorf("image RootFS = %v", got[1]["RootFS"])
	}
	r = runCLI(t, sys, "inspect", "--type", "container", "busybox")
	if r.code != 1 || r.stdout != "[]\n" {
		t.Errorf("inspect --type container of an image: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, sys, "inspect", "--type", "volume", "web")
	if r.code != 1 || r.stdout != "[]\n" {
		t.Errorf("inspect --type volume of a container: code %d out %q", r.code, r.stdout)
	}
	r = runCLI(t, sys, "inspect", "--type", "network", "web")
	if r.code != 125 {
		t.Errorf("inspect --type network: code %d", r.code)
	}
}

func TestInfo(t *testing.T) {
	eng := &fakeEngine{info: engine.Info{
		Containers: 3, ContainersRunning: 1, ContainersPaused: 1, ContainersStopped: 1, Images: 2,
		StorageDriver: "overlay2", CgroupVersion: "1", CgroupDriver: "cgroupfs", KernelVersion: "6.18.0",
		OperatingSystem: "Debian GNU/Linux 12 (bookworm)", NCPU: 2, MemTotal: 24 << 30,
		SecurityOptions: []string{"name=seccomp,profile=builtin"},
	}}
	dir := t.TempDir()
	cfgFile := dir + "/config.json"
	writeTestFile(t, cfgFile, `{"log-opts": {"max-size": "10m", "max-file": "3"}, "registry-mirrors": ["https://mirror.local"], "cgroup-parent": "machine"}`)
	var stdout, stderr strings.Builder
	code := run([]string{"--config", cfgFile, "--root", "/srv/berth", "--run-root", "/run/b", "info"}, newApp(strings.NewReader(""), &stdout, &stderr, testSystem(eng)))
	if code != 0 {
		t.Fatalf("code %d err %q", code, stderr.String())
	}
	golden(t, "info", strings.ReplaceAll(stdout.String(), cfgFile, "CONFIG"))
}

func TestVersion(t *testing.T) {
	r := runCLI(t, testSystem(nil), "version", "--format", "json")
	var v map[string]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v["Client"]["Version"] != host.Version || v["Server"]["Os"] != "linux" || v["Server"]["ApiVersion"] != apiVersion {
		t.Errorf("version json = %q (%v)", r.stdout, err)
	}
	if r := runCLI(t, testSystem(nil), "--version"); r.stdout != "berth version "+host.Version+"\n" {
		t.Errorf("--version = %q", r.stdout)
	}
}

func TestParseFormat(t *testing.T) {
	rows := []any{map[string]string{"A": "x", "B": "yy"}, map[string]string{"A": "longer value", "B": "z"}}
	headers := map[string]string{"A": "COL A", "B": "COL B"}
	tests := []struct {
		format string
		want   string
	}{
		{"", "COL A          COL B\nx              yy\nlonger value   z\n"},
		{"table", "COL A          COL B\nx              yy\nlonger value   z\n"},
		{`table {{.B}}\t{{.A}}`, "COL B     COL A\nyy        x\nz         longer value\n"},
		{"{{.A}}={{.B}}", "x=yy\nlonger value=z\n"},
		{"json", "{\"A\":\"x\",\"B\":\"yy\"}\n{\"A\":\"longer value\",\"B\":\"z\"}\n"},
		{`{{.A}}\n`, "x\n\nlonger value\n\n"},
		{"{{lower (title .A)}}|{{upper .B}}", "x|YY\nlonger value|Z\n"},
	}
	for _, tt := range tests {
		out, err := parseFormat(tt.format, "table {{.A}}\t{{.B}}")
		if err != nil {
			t.Fatalf("parseFormat(%q): %v", tt.format, err)
		}
		var sb strings.Builder
		if err := out.write(&sb, headers, rows); err != nil {
			t.Fatalf("write(%q): %v", tt.format, err)
		}
		if sb.String() != tt.want {
			t.Errorf("format %q:\n%q\nwant\n%q", tt.format, sb.String(), tt.want)
		}
	}
	if _, err := parseFormat("{{.A", ""); err == nil || !strings.Contains(err.Error(), "template parsing error") {
		t.Errorf("bad template error = %v", err)
	}
}

func TestHumanUnits(t *testing.T) {
	sizes := map[int64]string{0: "0B", 999: "999B", 1000: "1kB", 4_261_000: "4.26MB", 1_234_567_890: "1.23GB", 72_900_000: "72.9MB"}
	for n, want := range sizes {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
	mem := map[uint64]string{0: "0B", 512 << 10: "512KiB", 3<<20 + 512<<10: "3.5MiB", 24 << 30: "24GiB", 1536: "1.5KiB"}
	for n, want := range mem {
		if got := bytesSize(n); got != want {
			t.Errorf("bytesSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// fakeImages is an in-memory host.Images.
type fakeImages struct {
	imgs       []*images.Image
	damaged    []images.DamagedImage
	removed    []string
	tagged     []string
	imports    []images.ImportOptions
	saved      []string
	loadedFrom string
	pruned     []images.PruneOptions
	history    []images.History
	layerFiles *images.LayerAnalysis
	usage      images.DiskUsage
	pulls      []images.PullOptions
	pushes     []string
	builds     []images.BuildOptions
}

func (f *fakeImages) Inventory() (*images.Inventory, error) {
	imgs, err := f.List()
	if err != nil {
		return nil, err
	}
	return &images.Inventory{Images: imgs, Damaged: f.damaged}, nil
}

func (f *fakeImages) History(ref string) ([]images.History, error) {
	if _, err := f.Lookup(ref); err != nil {
		return nil, err
	}
	return f.history, nil
}

func (f *fakeImages) LayerFiles(ref string) (*images.LayerAnalysis, error) {
	if _, err := f.Lookup(ref); err != nil {
		return nil, err
	}
	return f.layerFiles, nil
}

func (f *fakeImages) Save(w io.Writer, refs []string, opts images.SaveOptions) error {
	for _, r := range refs {
		if _, err := f.Lookup(r); err != nil {
			return err
		}
	}
	f.saved = refs
	_, err := io.WriteString(w, "ARCHIVE:"+strings.Join(refs, ","))
	return err
}

func (f *fakeImages) Load(r io.Reader, opts images.LoadOptions) ([]images.Loaded, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	f.loadedFrom = string(data)
	return []images.Loaded{{ID: strings.Repeat("f", 64), Tags: []string{"app:1", "app:latest"}}, {ID: strings.Repeat("0", 64)}}, nil
}

func (f *fakeImages) LoadLayout(dir string, opts images.LoadOptions) ([]images.Loaded, error) {
	f.loadedFrom = "dir"
	return []images.Loaded{{ID: strings.Repeat("f", 64), Tags: []string{"oci:1"}}}, nil
}

func (f *fakeImages) Prune(opts images.PruneOptions) (*images.PruneReport, error) {
	f.pruned = append(f.pruned, opts)
	return &images.PruneReport{Deleted: []images.Deleted{{Untagged: "app:2"}, {Deleted: "sha256:abcd"}}, SpaceReclaimed: 1_234_567}, nil
}

func (f *fakeImages) PruneBuildCache() (int64, error) { return 1000, nil }

func (f *fakeImages) Build(ctx context.Context, opts images.BuildOptions) (*images.Image, error) {
	f.builds = append(f.builds, opts)
	fmt.Fprintln(opts.Output, "Step 1/1 : FROM busybox")
	if _, err := opts.Pull(ctx, "busybox"); err != nil {
		return nil, err
	}
	return &images.Image{ID: strings.Repeat("b", 64)}, nil
}

func (f *fakeImages) Pull(ctx context.Context, ref string, opts images.PullOptions) (*images.Image, error) {
	f.pulls = append(f.pulls, opts)
	if ref == "busybox" && opts.Progress != nil {
		opts.Progress(images.Progress{ID: "busybox-layer", Action: "Pull complete"})
	} else if opts.Progress != nil {
		for _, p := range []images.Progress{
			{ID: "a3ed95caeb02", Action: "Pulling fs layer"},
			{ID: "a3ed95caeb02", Action: "Downloading", Current: 100, Total: 1000},
			{ID: "a3ed95caeb02", Action: "Downloading", Current: 900, Total: 1000},
			{ID: "0123456789ab", Action: "Already exists"},
			{ID: "a3ed95caeb02", Action: "Pull complete"},
		} {
			opts.Progress(p)
		}
	}
	if ref == "nope" {
		return nil, fmt.Errorf("pull nope: %w", images.ErrNotFound)
	}
	img := &images.Image{ID: strings.Repeat("d", 64)}
	img.Manifest.Digest = digest.Digest("sha256:" + strings.Repeat("9", 64))
	return img, nil
}

func (f *fakeImages) Push(ctx context.Context, source, dest string, opts images.PushOptions) (string, error) {
	f.pushes = append(f.pushes, source+" "+dest)
	if opts.Progress != nil {
		opts.Progress(images.Progress{ID: "app:1", Action: "Pushing", Current: 10, Total: 20})
		opts.Progress(images.Progress{ID: "app:1", Action: "Pushed", Current: 20, Total: 20})
	}
	return "sha256:" + strings.Repeat("8", 64), nil
}

func (f *fakeImages) DiskUsage() (*images.DiskUsage, error) { return &f.usage, nil }

func (f *fakeImages) List() ([]*images.Image, error) { return f.imgs, nil }
func (f *fakeImages) RootfsSize(id string) (int64, error) {
	if strings.HasPrefix(id, "4f1c") {
		return 1200, nil
	}
	return 0, images.ErrNotFound
}
func (f *fakeImages) Lookup(ref string) (*images.Image, error) {
	for _, img := range f.imgs {
		if strings.HasPrefix(img.ID, ref) && len(ref) >= 3 {
			return img, nil
		}
		for _, t := range img.RepoTags {
			if t == ref || t == ref+":latest" {
				return img, nil
			}
		}
	}
	return nil, images.ErrNotFound
}
func (f *fakeImages) Tag(source, ref string) error {
	f.tagged = append(f.tagged, source+" "+ref)
	_, err := f.Lookup(source)
	return err
}
func (f *fakeImages) Remove(ref string, opts images.RemoveOptions) ([]images.Deleted, error) {
	img, err := f.Lookup(ref)
	if err != nil {
		return nil, err
	}
	if c, used := opts.InUse(img.ID); used && !opts.Force {
		return nil, images.ErrInUse
	} else if used {
		f.removed = append(f.removed, "forced:"+c)
	}
	f.removed = append(f.removed, ref)
	return []images.Deleted{{Untagged: ref + ":latest"}, {Deleted: "sha256:" + img.ID}}, nil
}
func (f *fakeImages) Import(r io.Reader, ref string, opts images.ImportOptions) (*images.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	f.imports = append(f.imports, opts)
	img := &images.Image{ID: strings.Repeat("e", 64), Size: int64(len(data))}
	if ref != "" {
		img.RepoTags = []string{ref}
	}
	return img, nil
}

func imagesFixture() []*images.Image {
	return []*images.Image{
		{ID: "9d5226e6ce3fb6aee2822206a5ef85f38c303d2b37bfc894b419fca2c0501269", RepoTags: []string{"busybox:latest", "registry.local:5000/team/app:1"},
			RepoDigests: []string{"registry.local:5000/team/app@sha256:0123456789012345678901234567890123456789012345678901234567890123"},
			Created:     testNow.Add(-10 * time.Minute), Size: 4_261_000, Layers: []string{"sha256:aaaa"}, OS: "linux", Arch: "amd64",
			Config: images.ImageConfig{Cmd: []string{"sh"}, Labels: map[string]string{"team": "core"}}},
		{ID: "1111111111112222222222223333333333334444444444445555555555556666", Created: testNow.Add(-15 * 24 * time.Hour), Size: 72_900_000},
		{ID: "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd", RepoTags: []string{"app:2"}, Created: testNow.Add(-3 * time.Hour), Size: 1_234_567_890},
	}
}

func TestImagesGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"images", []string{"images"}},
		{"images_quiet", []string{"images", "-q"}},
		{"images_no_trunc_digests", []string{"images", "--no-trunc", "--digests"}},
		{"images_json", []string{"images", "--format", "json"}},
		{"images_dangling", []string{"images", "-f", "dangling=true"}},
		{"images_not_dangling", []string{"images", "-f", "dangling=false", "--format", "{{.Repository}}:{{.Tag}}"}},
		{"images_reference", []string{"images", "busy*"}},
		{"images_label_since", []string{"images", "-f", "label=team", "-f", "since=1111111111"}},
		{"images_before", []string{"images", "-f", "before=app:2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := withImages(testSystem(&fakeEngine{}), &fakeImages{imgs: imagesFixture()})
			r := runCLI(t, sys, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d stderr %q", r.code, r.stderr)
			}
			golden(t, tt.name, r.stdout)
		})
	}
}

func TestImageCommands(t *testing.T) {
	cs := psFixture()
	cs[2].Image = "sha256:9d5226e6ce3fb6aee2822206a5ef85f38c303d2b37bfc894b419fca2c0501269"
	eng := &fakeEngine{containers: cs}
	store := &fakeImages{imgs: imagesFixture()}
	sys := withImages(testSystem(eng), store)

	r := runCLI(t, sys, "rmi", "busybox", "nope", "app:2")
	if r.code != 1 || r.stdout != "Untagged: app:2:latest\nDeleted: sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd\n" ||
		!strings.Contains(r.stderr, "Error: image is in use") || !strings.Contains(r.stderr, "Error: no such image") {
		t.Errorf("rmi: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, sys, "rmi", "-f", "busybox")
	if r.code != 0 || strings.Join(store.removed, ",") != "app:2,forced:0123456789ab,busybox" {
		t.Errorf("rmi -f: code %d err %q removed %q", r.code, r.stderr, store.removed)
	}
	r = runCLI(t, sys, "tag", "busybox", "mine:1")
	if r.code != 0 || store.tagged[0] != "busybox mine:1" {
		t.Errorf("tag: code %d err %q tagged %q", r.code, r.stderr, store.tagged)
	}

	file := t.TempDir() + "/rootfs.tar"
	writeTestFile(t, file, "not really a tar")
	r = runCLI(t, sys, "import", "-c", `CMD ["sh"]`, "--change", "ENV A=1", "-m", "hello", file, "mine:2")
	if r.code != 0 || r.stdout != "sha256:"+strings.Repeat("e", 64)+"\n" {
		t.Errorf("import: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if o := store.imports[0]; strings.Join(o.Changes, ";") != `CMD ["sh"];ENV A=1` || o.Message != "hello" {
		t.Errorf("import options %+v", o)
	}
	var stdout, stderr strings.Builder
	cfg := t.TempDir() + "/c.json"
	writeTestFile(t, cfg, "{}")
	code := run([]string{"--config", cfg, "import", "-"}, newApp(strings.NewReader("from stdin"), &stdout, &stderr, sys))
	if code != 0 || len(store.imports) != 2 {
		t.Errorf("import -: code %d err %q", code, stderr.String())
	}
	if r := runCLI(t, sys, "import", "https://example.com/rootfs.tar"); r.code != 125 || !strings.Contains(r.stderr, "importing from a URL") {
		t.Errorf("import URL: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "import", "/nonexistent.tar"); r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("import missing file: code %d err %q", r.code, r.stderr)
	}
}

// An image that cannot be read is left out of the listing (stdout stays
// parseable) and named on stderr with the command that removes it.
func TestImagesWarnsOfDamagedImage(t *testing.T) {
	store := &fakeImages{imgs: imagesFixture(), damaged: []images.DamagedImage{{
		ID: "0badbadbad00" + strings.Repeat("0", 52), Refs: []string{"broken:1"},
		Reason: "parse config of image 0badbadbad00…: unexpected end of JSON input"}}}
	res := runCLI(t, withImages(testSystem(&fakeEngine{}), store), "images", "-q")
	if res.code != 0 {
		t.Fatalf("images -q: exit %d: %s", res.code, res.stderr)
	}
	if strings.Contains(res.stdout, "0badbadbad00") || !strings.Contains(res.stdout, "abcdefabcdef") {
		t.Errorf("stdout lists %q, want the readable images only", res.stdout)
	}
	for _, want := range []string{"WARNING: image 0badbadbad00 (broken:1) is damaged", "unexpected end of JSON input", "berth rmi -f 0badbadbad00"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr %q lacks %q", res.stderr, want)
		}
	}
}
