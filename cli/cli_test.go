package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"berth/config"
	"berth/engine"
	"berth/host"
)

// TestBadInputChangesNothing drives Main's real engine opener with temp
// roots: each bad command line exits 125 with a clear message and leaves no
// directory behind.
func TestBadInputChangesNothing(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--badflag", "busybox"}, "berth: unknown flag: --badflag.\nSee 'berth run --help'.\n"},
		{[]string{"run", "-m", "12q", "busybox"}, "berth: invalid argument \"12q\" for \"-m, --memory\" flag: invalid suffix: 'q'.\nSee 'berth run --help'.\n"},
		{[]string{"run", "--restart", "sometimes", "busybox"}, "berth: invalid restart policy \"sometimes\": unknown policy \"sometimes\"; use one of 'no', 'always', 'on-failure', or 'unless-stopped'.\nSee 'berth run --help'.\n"},
		{[]string{"run", "-v", "/srv:/data:bogus", "busybox"}, "invalid mode: bogus"},
		{[]string{"run", "--mount", "type=bind,src=/srv", "busybox"}, "target is required"},
		{[]string{"run", "--network", "none", "-p", "8080:80", "busybox"}, "conflicting options: port publishing (-p, -P) and --network none"},
		{[]string{"run", "--rm", "--restart", "always", "busybox"}, "conflicting options: cannot specify both --restart and --rm"},
		{[]string{"run", "-m", "1m", "busybox"}, "minimum memory limit allowed is 6MB"},
		{[]string{"run", "--add-host", "nocolon", "busybox"}, "invalid argument \"nocolon\" for \"--add-host\" flag: bad format for add-host: \"nocolon\""},
		{[]string{"run", "--pid", "sideways", "busybox"}, "--pid: invalid PID mode"},
		{[]string{"run"}, "\"berth run\" requires at least 1 argument.\nSee 'berth run --help'."},
		{[]string{"create", "--cpus", "x", "busybox"}, "failed to parse x as a rational number"},
		{[]string{"ps", "-f", "colour"}, "bad format of filter (expected name=value): colour"},
		{[]string{"--log-level", "loud", "ps"}, "invalid --log-level \"loud\""},
		{[]string{"frobnicate"}, "unknown command \"frobnicate\" for \"berth\""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			tmp := t.TempDir()
			root, runRoot := filepath.Join(tmp, "root"), filepath.Join(tmp, "run")
			var stdout, stderr strings.Builder
			sys := hostSystem()
			sys.getenv = func(string) string { return "" }
			cfg := filepath.Join(tmp, "config.json")
			if err := os.WriteFile(cfg, []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
			if os.Geteuid() != 0 {
				sys.geteuid = func() int { return 0 } // the checks under test come before any privileged work
			}
			args := append([]string{"--root", root, "--run-root", runRoot, "--config", cfg}, tt.args...)
			code := run(args, newApp(strings.NewReader(""), &stdout, &stderr, sys))
			if code != 125 {
				t.Errorf("exit code %d, want 125 (stderr %q)", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			for _, dir := range []string{root, runRoot} {
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("%s exists after a rejected command (stat: %v)", dir, err)
				}
			}
		})
	}
}

func TestNonRootIsRefused(t *testing.T) {
	sys := testSystem(&fakeEngine{})
	sys.geteuid = func() int { return 1000 }
	opened := false
	sys.open = func(c *config.Config) (host.Containers, host.Images, error) {
		opened = true
		return &fakeEngine{}, &fakeImages{}, nil
	}
	for _, args := range [][]string{{"ps"}, {"run", "busybox"}, {"info"}} {
		r := runCLI(t, sys, args...)
		if r.code != 125 || r.stderr != "berth: berth needs root (rootless is not supported yet).\n" {
			t.Errorf("%v as non-root: code %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if opened {
		t.Error("the engine was opened for a non-root user")
	}
	if r := runCLI(t, sys, "version"); r.code != 0 || !strings.Contains(r.stdout, "Version:") {
		t.Errorf("version as non-root: code %d, out %q, err %q", r.code, r.stdout, r.stderr)
	}
}

func TestMissingConfigFileIsAnError(t *testing.T) {
	r := runCLI(t, testSystem(&fakeEngine{}), "--config", "/nonexistent/berth.json", "ps")
	if r.code != 125 || !strings.Contains(r.stderr, "/nonexistent/berth.json") {
		t.Errorf("code %d, stderr %q", r.code, r.stderr)
	}
}

func TestRunAttachedExitsWithContainerCode(t *testing.T) {
	eng := &fakeEngine{runResult: engine.RunResult{ExitCode: 3}}
	r := runCLI(t, testSystem(eng), "run", "--rm", "--name", "web", "busybox", "sh", "-c", "exit 3")
	if r.code != 3 || r.stderr != "" {
		t.Fatalf("code %d stderr %q, want 3 and silence", r.code, r.stderr)
	}
	if len(eng.created) != 1 {
		t.Fatalf("created %d containers", len(eng.created))
	}
	got := eng.created[0]
	if got.Name != "web" || got.Config.Image != "busybox" || strings.Join(got.Config.Cmd, " ") != "sh -c exit 3" || !got.HostConfig.AutoRemove {
		t.Errorf("create options = %+v", got)
	}
	if !got.Config.AttachStdout || !got.Config.AttachStderr || got.Config.AttachStdin {
		t.Errorf("attach flags = %+v", got.Config)
	}
	if eng.attach.Stdin != nil || eng.attach.Terminal {
		t.Errorf("attach options without -i: %+v", eng.attach)
	}
}

func TestRunCommandNotFoundIs127(t *testing.T) {
	eng := &fakeEngine{runErr: &engine.ExitError{Code: 127, Err: errors.New("exec: \"nope\": executable file not found")}}
	if r := runCLI(t, testSystem(eng), "run", "busybox", "nope"); r.code != 127 {
		t.Errorf("code %d, want 127", r.code)
	}
}

func TestRunDetachedPrintsID(t *testing.T) {
	eng := &fakeEngine{}
	r := runCLI(t, testSystem(eng), "run", "-d", "busybox", "sleep", "1")
	if r.code != 0 || r.stdout != strings.Repeat("1", 64)+"\n" {
		t.Fatalf("code %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.Join(eng.calls, ";") != "start "+strings.Repeat("1", 64) {
		t.Errorf("calls = %q", eng.calls)
	}
	if eng.created[0].Config.AttachStdout {
		t.Error("a detached container is created attached")
	}
}

func TestRunInteractiveTTYNeedsTerminal(t *testing.T) {
	eng := &fakeEngine{}
	r := runCLI(t, testSystem(eng), "run", "-it", "busybox", "sh")
	if r.code != 125 || !strings.Contains(r.stderr, "the input device is not a TTY") || len(eng.created) != 0 {
		t.Errorf("code %d stderr %q created %d", r.code, r.stderr, len(eng.created))
	}
	sys := testSystem(eng)
	sys.isTerminal = func(any) bool { return true }
	if r := runCLI(t, sys, "run", "-it", "busybox", "sh"); r.code != 0 || !eng.attach.Terminal || eng.attach.Stdin == nil {
		t.Errorf("with a terminal: code %d attach %+v stderr %q", r.code, eng.attach, r.stderr)
	}
}

func TestRunWarnings(t *testing.T) {
	r := runCLI(t, testSystem(&fakeEngine{}), "run", "--network", "host", "-p", "80:80", "busybox")
	for _, want := range []string{"WARNING: Published ports are discarded when using host network mode"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
}

func newContainer(id, name string, status engine.Status) *engine.Container {
	c := &engine.Container{ID: id, Name: "/" + name}
	c.State.Status = status
	return c
}

func TestMultiObjectCommands(t *testing.T) {
	ids := []string{strings.Repeat("a", 64), strings.Repeat("b", 64)}
	tests := []struct {
		args      []string
		wantOut   string
		wantErr   string
		wantCode  int
		wantCalls string
	}{
		{[]string{"rm", "-f", "web", "missing", "db"}, "web\ndb\n", "Error: no such container: missing\n", 1,
			"rm force=true web;rm force=true missing;rm force=true db"},
		{[]string{"stop", "-t", "2", "web", "db"}, "web\ndb\n", "", 0, "stop web timeout=2s;stop db timeout=2s"},
		{[]string{"stop", "web"}, "web\n", "", 0, "stop web"},
		{[]string{"stop", "--timeout", "0", "web"}, "web\n", "", 0, "stop web timeout=0s"},
		{[]string{"restart", "--time", "3", "web"}, "web\n", "", 0, "restart web"},
		{[]string{"kill", "-s", "HUP", "web"}, "web\n", "", 0, "kill web HUP"},
		{[]string{"kill", "-s", "NOPE", "web"}, "", "invalid signal: NOPE", 1, ""},
		{[]string{"pause", "web"}, "web\n", "", 0, "pause web"},
		{[]string{"unpause", "aaaaaa"}, "aaaaaa\n", "", 0, "unpause aaaaaa"},
		{[]string{"start", "db"}, "db\n", "", 0, "start db"},
		{[]string{"restart", "db"}, "db\n", "", 0, "restart db"},
		{[]string{"rename", "web", "site"}, "", "", 0, "rename web site"},
		{[]string{"rename", "web"}, "", "\"berth rename\" requires exactly 2 arguments", 125, ""},
		{[]string{"wait", "web", "db"}, "0\n7\n", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			web := newContainer(ids[0], "web", engine.StatusRunning)
			db := newContainer(ids[1], "db", engine.StatusExited)
			db.State.ExitCode = 7
			eng := &fakeEngine{containers: []*engine.Container{web, db}}
			r := runCLI(t, testSystem(eng), tt.args...)
			if r.code != tt.wantCode || r.stdout != tt.wantOut || !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("code %d out %q err %q; want %d %q %q", r.code, r.stdout, r.stderr, tt.wantCode, tt.wantOut, tt.wantErr)
			}
			if got := strings.Join(eng.calls, ";"); got != tt.wantCalls {
				t.Errorf("calls %q, want %q", got, tt.wantCalls)
			}
		})
	}
}

func TestAttach(t *testing.T) {
	box := newContainer(strings.Repeat("c", 64), "box", engine.StatusRunning)
	box.Config.OpenStdin, box.Config.Tty = true, true
	eng := &fakeEngine{containers: []*engine.Container{box}, runResult: engine.RunResult{ExitCode: 4}}
	sys := testSystem(eng)
	sys.isTerminal = func(any) bool { return true }
	if r := runCLI(t, sys, "attach", "--detach-keys", "ctrl-x,x", "box"); r.code != 4 {
		t.Errorf("attach: code %d err %q", r.code, r.stderr)
	}
	if o := eng.attach; o.Stdin == nil || !o.Terminal || o.DetachKeys != "ctrl-x,x" {
		t.Errorf("attach options %+v", o)
	}
	eng.runResult = engine.RunResult{Detached: true}
	if r := runCLI(t, sys, "attach", "--no-stdin", "box"); r.code != 0 || eng.attach.Stdin != nil || eng.attach.Terminal {
		t.Errorf("attach --no-stdin: code %d options %+v", r.code, eng.attach)
	}
	if r := runCLI(t, sys, "attach", "--detach-keys", "meta-x", "box"); r.code != 125 {
		t.Errorf("bad detach keys: code %d", r.code)
	}
	if r := runCLI(t, sys, "attach", "nope"); r.code != 1 || !strings.Contains(r.stderr, "no such container") {
		t.Errorf("attach nope: code %d err %q", r.code, r.stderr)
	}
}

func TestManagementCommands(t *testing.T) {
	eng := &fakeEngine{containers: psFixture()}
	sys := withImages(testSystem(eng), &fakeImages{imgs: imagesFixture()})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"container", "ls", "--format", "{{.Names}}"}, "flaky\nweb\nsleepy\n"},
		{[]string{"container", "ps", "-q"}, "fedcba987654\n4f1c2d3e5a6b\na1b2c3d4e5f6\n"},
		{[]string{"container", "list", "-aq", "-n", "1"}, "00ff00ff00ff\n"},
		{[]string{"container", "inspect", "-f", "{{.Name}}", "web"}, "/web\n"},
		{[]string{"container", "stop", "web"}, "web\n"},
		{[]string{"image", "ls", "-q", "app"}, "abcdefabcdef\n"},
		{[]string{"image", "list", "--format", "{{.Repository}}", "-f", "dangling=true"}, "<none>\n"},
		{[]string{"image", "inspect", "-f", "{{.Id}}", "app:2"}, "sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd\n"},
	} {
		if r := runCLI(t, sys, tt.args...); r.code != 0 || r.stdout != tt.want {
			t.Errorf("berth %s: code %d out %q err %q, want %q", strings.Join(tt.args, " "), r.code, r.stdout, r.stderr, tt.want)
		}
	}
	if r := runCLI(t, sys, "container", "inspect", "busybox"); r.code != 1 {
		t.Errorf("container inspect of an image: code %d", r.code)
	}
}

func TestGroupCommands(t *testing.T) {
	sys := testSystem(&fakeEngine{})
	if r := runCLI(t, sys, "container", "bogus"); r.code != 125 || !strings.Contains(r.stderr, `unknown command "bogus" for "berth container"`) {
		t.Errorf("container bogus: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "image"); r.code != 0 || !strings.Contains(r.stdout, "Manage images") {
		t.Errorf("image: code %d out %q", r.code, r.stdout)
	}
}

func TestNoCommandOpensTheTUIOnATerminal(t *testing.T) {
	sys := testSystem(&fakeEngine{})
	if r := runCLI(t, sys); r.code != 0 || !strings.Contains(r.stdout, "Available Commands") {
		t.Errorf("berth without a terminal: code %d out %q", r.code, r.stdout)
	}
	sys.isTerminal = func(any) bool { return true }
	var got *config.Config
	sys.tui = func(ctx context.Context, c *config.Config, _ []tuiHost) error { got = c; return nil }
	if r := runCLI(t, sys); r.code != 0 || got == nil || !strings.HasSuffix(got.DataRoot, "/root") {
		t.Errorf("berth on a terminal: code %d err %q settings %+v", r.code, r.stderr, got)
	}
	sys.geteuid = func() int { return 1000 }
	got = nil
	if r := runCLI(t, sys); r.code != 125 || got != nil {
		t.Errorf("berth as non-root: code %d", r.code)
	}
}

func TestExec(t *testing.T) {
	web := newContainer(strings.Repeat("a", 64), "web", engine.StatusRunning)
	eng := &fakeEngine{containers: []*engine.Container{web}, runResult: engine.RunResult{ExitCode: 2}}
	sys := testSystem(eng)
	sys.lookupEnv = lookupIn(map[string]string{"HOME": "/root"})
	r := runCLI(t, sys, "exec", "-u", "nobody", "-w", "/tmp", "-e", "X=1", "-e", "HOME", "-i", "web", "sh", "-c", "id -u")
	if r.code != 2 || r.stdout != "sh -c id -u\n" {
		t.Errorf("exec: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	want := engine.ExecOptions{Cmd: []string{"sh", "-c", "id -u"}, Env: []string{"X=1", "HOME=/root"}, User: "nobody", WorkingDir: "/tmp"}
	if !reflect.DeepEqual(eng.execOpts, want) || eng.execStdin == nil {
		t.Errorf("exec options %+v, stdin %v", eng.execOpts, eng.execStdin)
	}
	if r := runCLI(t, sys, "exec", "-d", "web", "sleep", "100"); r.code != 0 || eng.calls[len(eng.calls)-1] != "detach" {
		t.Errorf("exec -d: code %d calls %q", r.code, eng.calls)
	}
	if r := runCLI(t, sys, "exec", "-it", "web", "sh"); r.code != 125 || !strings.Contains(r.stderr, "not a TTY") {
		t.Errorf("exec -it without a terminal: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "exec", "web"); r.code != 125 || !strings.Contains(r.stderr, "requires at least 2 arguments") {
		t.Errorf("exec without a command: code %d err %q", r.code, r.stderr)
	}
	eng.execErr = &engine.ExitError{Code: 127, Err: errors.New(`exec: "nope": executable file not found`)}
	if r := runCLI(t, sys, "exec", "web", "nope"); r.code != 127 || !strings.Contains(r.stderr, "executable file not found") {
		t.Errorf("exec nope: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "exec", "missing", "ls"); r.code != 1 {
		t.Errorf("exec in a missing container: code %d", r.code)
	}
}

func TestRunPullsAMissingImage(t *testing.T) {
	eng := &fakeEngine{missingImage: "alpine"}
	store := &fakeImages{}
	sys := withImages(testSystem(eng), store)
	r := runCLI(t, sys, "run", "-d", "alpine", "true")
	if r.code != 0 || !strings.HasPrefix(r.stderr, "Unable to find image 'alpine:latest' locally\n") || len(store.pulls) != 1 || len(eng.created) != 1 {
		t.Errorf("run of a missing image: code %d err %q pulls %d created %d", r.code, r.stderr, len(store.pulls), len(eng.created))
	}
	eng.missingImage = "alpine"
	r = runCLI(t, sys, "run", "--pull", "never", "alpine", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "unable to find image 'alpine' locally") || len(store.pulls) != 1 {
		t.Errorf("run --pull never: code %d err %q pulls %d", r.code, r.stderr, len(store.pulls))
	}
	eng.missingImage = ""
	if r := runCLI(t, sys, "create", "--pull", "always", "busybox"); r.code != 0 || len(store.pulls) != 2 {
		t.Errorf("create --pull always: code %d err %q pulls %d", r.code, r.stderr, len(store.pulls))
	}
	eng.missingImage = "nope"
	if r := runCLI(t, sys, "run", "nope"); r.code != 125 || !strings.Contains(r.stderr, "no such image") {
		t.Errorf("run of an image no registry has: code %d err %q", r.code, r.stderr)
	}
}

func TestHelpNeedsNothing(t *testing.T) {
	sys := testSystem(nil)
	sys.geteuid = func() int { return 1000 }
	for _, args := range [][]string{{"help"}, {"help", "run"}, {"run", "--help"}, {"--help"}, {"ps", "-h"}, {"container"}, {"image", "ls", "--help"}, {"version"}} {
		if r := runCLI(t, sys, args...); r.code != 0 || r.stdout == "" {
			t.Errorf("berth %s as non-root: code %d err %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

func TestStartAttached(t *testing.T) {
	db := newContainer(strings.Repeat("d", 64), "db", engine.StatusExited)
	eng := &fakeEngine{containers: []*engine.Container{db}, runResult: engine.RunResult{ExitCode: 7}}
	if r := runCLI(t, testSystem(eng), "start", "-a", "db"); r.code != 7 || strings.Join(eng.calls, ";") != "run db" || eng.attach.Stdin != nil {
		t.Errorf("start -a: code %d calls %q attach %+v", r.code, eng.calls, eng.attach)
	}
	if r := runCLI(t, testSystem(eng), "start", "-ai", "db", "web"); r.code != 125 {
		t.Errorf("start -ai of two containers: code %d", r.code)
	}
}

func TestKeysFile(t *testing.T) {
	home := t.TempDir()
	present := filepath.Join(home, ".config", "berth", "keys.json")
	if err := os.MkdirAll(filepath.Dir(present), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(present, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"BERTH_KEYS wins", map[string]string{"BERTH_KEYS": "/x/keys.json", "HOME": home}, "/x/keys.json"},
		{"home config when present", map[string]string{"HOME": home}, present},
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": filepath.Join(home, ".config")}, present},
		{"none present", map[string]string{"HOME": t.TempDir()}, ""},
		{"no home", map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keysFile(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("keysFile = %q, want %q", got, tt.want)
			}
		})
	}
}
