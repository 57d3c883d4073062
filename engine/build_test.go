package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/images"
)

func TestBuildRunsRUNInContainers(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	dir := t.TempDir()
	dockerfile := `FROM busybox
RUN echo built > /hello && id -u > /uid
USER nobody
RUN id -u > /tmp/uid-nobody
WORKDIR /tmp
RUN ["sh", "-c", "pwd > where"]
CMD ["cat", "/hello"]
`
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err := e.Images().Build(context.Background(), images.BuildOptions{
		ContextDir: dir, Tags: []string{"built:1"}, Runner: e.BuildRunner(), Output: &out,
	})
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out.String())
	}
	c := create(t, e, CreateOptions{Config: ContainerConfig{Image: "built:1", Cmd: []string{"sh", "-c", "cat /hello /uid /tmp/uid-nobody /tmp/where"}}})
	var got strings.Builder
	res, err := e.Run(context.Background(), c.ID, AttachOptions{Stdout: &got, Stderr: &got})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run built image: %v, exit %d: %s", err, res.ExitCode, got.String())
	}
	if want := "built\n0\n65534\n/tmp\n"; got.String() != want {
		t.Errorf("built image holds %q, want %q", got.String(), want)
	}

	failing := []byte("FROM busybox\nRUN exit 3\n")
	_, err = e.Images().Build(context.Background(), images.BuildOptions{DockerfileText: failing, Runner: e.BuildRunner(), Output: &out})
	if err == nil || !strings.Contains(err.Error(), "non-zero code: 3") {
		t.Errorf("failing RUN: %v", err)
	}
}
