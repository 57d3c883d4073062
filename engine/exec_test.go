package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestExec(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	c := create(t, e, CreateOptions{Name: "box", Config: ContainerConfig{Cmd: []string{"sleep", "1000"}, Env: []string{"FROM_IMAGE_RUN=1"}}})
	if err := e.Start(ctx, "box"); err != nil {
		t.Fatal(err)
	}
	got, _ := e.Inspect(ctx, "box")
	exec := func(opts ExecOptions, stdin string) (string, int) {
		t.Helper()
		s, err := e.Exec(ctx, "box", opts)
		if err != nil {
			return err.Error(), ExitCode(err)
		}
		var out bytes.Buffer
		var in *strings.Reader
		if stdin != "" {
			in = strings.NewReader(stdin)
		}
		var code int
		if in != nil {
			code, err = s.Run(in, &out, &out)
		} else {
			code, err = s.Run(nil, &out, &out)
		}
		if err != nil {
			return err.Error(), ExitCode(err)
		}
		return out.String(), code
	}
	tests := []struct {
		name     string
		opts     ExecOptions
		stdin    string
		want     string
		wantCode int
	}{
		{"ps sees pid 1", ExecOptions{Cmd: []string{"sh", "-c", "ps -o pid,args | awk '$1 == 1 {print $2, $3}'"}}, "", "sleep 1000\n", 0},
		{"user, dir, env", ExecOptions{Cmd: []string{"sh", "-c", "id -u; pwd; echo $X $FROM_IMAGE_RUN"}, User: "nobody", WorkingDir: "/tmp", Env: []string{"X=1"}}, "", "65534\n/tmp\n1 1\n", 0},
		{"exit code", ExecOptions{Cmd: []string{"sh", "-c", "exit 7"}}, "", "", 7},
		{"stdin", ExecOptions{Cmd: []string{"cat"}}, "typed\n", "typed\n", 0},
		{"not found", ExecOptions{Cmd: []string{"nope"}}, "", "", 126},
		{"missing path", ExecOptions{Cmd: []string{"/nonexistent/x"}}, "", "", 126},
		{"not executable", ExecOptions{Cmd: []string{"/etc/passwd"}}, "", "", 126},
		{"unknown user", ExecOptions{Cmd: []string{"true"}, User: "ghost"}, "", "", 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := exec(tt.opts, tt.stdin)
			if code != tt.wantCode || (tt.want != "" && out != tt.want) {
				t.Errorf("got %q, exit %d; want %q, exit %d", out, code, tt.want, tt.wantCode)
			}
		})
	}

	t.Run("namespaces and cgroup", func(t *testing.T) {
		var script strings.Builder
		for _, ns := range []string{"ipc", "uts", "net", "pid", "mnt"} {
			fmt.Fprintf(&script, "readlink /proc/self/ns/%s; ", ns)
		}
		script.WriteString("cat /proc/self/cgroup")
		out, code := exec(ExecOptions{Cmd: []string{"sh", "-c", script.String()}}, "")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		for _, ns := range []string{"ipc", "uts", "net", "pid", "mnt"} {
			want, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", got.State.Pid, ns))
			if !strings.Contains(out, want) {
				t.Errorf("exec is not in the container's %s namespace %s:\n%s", ns, want, out)
			}
		}
		if !strings.Contains(out, e.opts.CgroupParent+"/"+c.ID) {
			t.Errorf("exec is not in the container's cgroup:\n%s", out)
		}
	})
}
