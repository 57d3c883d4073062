package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"berth/internal/testenv"
)

// critestShort is the part of critest's conformance suite `make test`
// runs: runtime info, image pull, list, status and remove, pods run,
// stopped and removed, containers created, started, stopped and removed
// (critest stops sh -c top, in a pod that shares its PID namespace: sh is
// not PID 1 there, and SIGTERM ends it), and their logs.
var critestShort = strings.Join([]string{
	`Runtime info runtime should support returning runtime info`,
	`Image Manager public image with(out)? tag should be pulled and removed`,
	`Image Manager listImage should get exactly 3 image in the result list`,
	`PodSandbox runtime should support basic operations on PodSandbox runtime should support (running|stopping|removing) PodSandbox`,
	`Container runtime should support basic operations on container runtime should support (creating|starting|stopping|removing (created|running)) container`,
	`Container runtime should support log runtime should support starting container with log`,
}, "|")

// critestBinary builds critest (sigs.k8s.io/cri-tools v1.37.0's
// conformance suite, a Go test binary: go test -c in a copy of the
// module the Go module proxy serves) under /var/tmp, removed when the
// test ends. Without it the test is skipped, or fails under CI=true.
func critestBinary(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "berth-critest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	build := func() error {
		out, err := exec.Command("go", "mod", "download", "-json", "sigs.k8s.io/cri-tools@v1.37.0").Output()
		if err != nil {
			return fmt.Errorf("go mod download: %w", err)
		}
		var mod struct{ Dir string }
		if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
			return fmt.Errorf("go mod download: no directory in %s", out)
		}
		src := filepath.Join(dir, "src")
		if out, err := exec.Command("cp", "-r", mod.Dir, src).CombinedOutput(); err != nil {
			return fmt.Errorf("copy %s: %w: %s", mod.Dir, err, out)
		}
		if out, err := exec.Command("chmod", "-R", "u+w", src).CombinedOutput(); err != nil {
			return fmt.Errorf("chmod %s: %w: %s", src, err, out)
		}
		cmd := exec.Command("go", "test", "-c", "-o", filepath.Join(dir, "critest"), "./cmd/critest")
		cmd.Dir = src
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go test -c: %w: %s", err, out)
		}
		return nil
	}
	if err := build(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("build critest: %v", err)
		}
		t.Skipf("build critest: %v", err)
	}
	return filepath.Join(dir, "critest")
}

// TestCRICritest runs critest against berth cri: the short part of the
// suite (critestShort), or the whole suite when BERTH_CRITEST=all
// (`make test-cri`), with BERTH_CRITEST_FOCUS and BERTH_CRITEST_SKIP as
// ginkgo's focus and skip. The server and critest run in a network
// namespace of their own with nothing but a loopback: critest's images
// keep their upstream names (gcr.io, registry.k8s.io, k8s.gcr.io) and
// come, through berth's HTTP proxy setting and its insecure registries,
// from an in-memory registry on the namespace's 127.0.0.1 holding them
// built from busybox, so no name reaches the internet. critest's own
// summary is printed.
func TestCRICritest(t *testing.T) {
	testenv.RequireRoot(t)
	critest := critestBinary(t)
	ns := testenv.NewNetNS(t)
	reg := testenv.NewCRIRegistry(t)
	l, err := ns.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: reg}
	go func() { _ = srv.Serve(l) }() // Serve returns when Close closes the listener
	t.Cleanup(func() { _ = srv.Close() })
	proxy := "http://" + l.Addr().String()

	b := newBerthEnv(t)
	settings, err := json.Marshal(map[string]any{"cgroup-parent": b.parent, "insecure-registries": testenv.CritestUpstreams})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.envValue("BERTH_CONFIG"), settings, 0o644); err != nil {
		t.Fatal(err)
	}
	e := newCRIEnvIn(t, b, ns, []string{"HTTP_PROXY=" + proxy, "HTTPS_PROXY=" + proxy, "http_proxy=" + proxy, "https_proxy=" + proxy, "NO_PROXY=", "no_proxy="})

	dir := t.TempDir()
	endpoint := "unix://" + e.sock
	config := filepath.Join(dir, "crictl.yaml")
	if err := os.WriteFile(config, []byte("runtime-endpoint: "+endpoint+"\nimage-endpoint: "+endpoint+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	focus, skip := critestShort, ""
	if os.Getenv("BERTH_CRITEST") == "all" {
		focus = ""
	}
	if f := os.Getenv("BERTH_CRITEST_FOCUS"); f != "" {
		focus = f
	}
	if s := os.Getenv("BERTH_CRITEST_SKIP"); s != "" {
		skip = s
	}
	args := []string{"--config", config, "--runtime-endpoint", endpoint, "--image-endpoint", endpoint,
		"--report-dir", dir, "-ginkgo.no-color", "-ginkgo.v"}
	// An empty regular expression matches every spec: none is passed.
	if focus != "" {
		args = append(args, "-ginkgo.focus", focus)
	}
	if skip != "" {
		args = append(args, "-ginkgo.skip", skip)
	}
	cmd := ns.Command(critest, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// BERTH_CRITEST_LOG names a file that gets critest's output as it
	// comes, to follow a long run.
	if log := os.Getenv("BERTH_CRITEST_LOG"); log != "" {
		f, err := os.Create(log)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w := io.MultiWriter(&out, f)
		cmd.Stdout, cmd.Stderr = w, w
	}
	runErr := cmd.Run()
	summary := critestSummary(out.String())
	t.Logf("critest's summary:\n%s", summary)

	// The namespace leads nowhere: no default route, and the proxy was
	// asked for critest's registries only.
	if routes := ns.Routes(t); slices.ContainsFunc(routes, func(r string) bool { return strings.HasPrefix(r, "default") }) {
		t.Errorf("the network namespace has a default route: %v", routes)
	}
	for _, h := range reg.Asked() {
		host, _, _ := strings.Cut(h, ":")
		if !slices.Contains(testenv.CritestUpstreams, host) {
			t.Errorf("the server asked the proxy for %s", h)
		}
	}
	var exit *exec.ExitError
	switch {
	case errors.As(runErr, &exit) && focus == critestShort:
		t.Errorf("critest failed (%v); its log:\n%s", runErr, out.String())
	case errors.As(runErr, &exit):
		t.Errorf("critest failed (%v): see its summary above", runErr)
	case runErr != nil:
		t.Fatalf("run critest: %v", runErr)
	case !strings.Contains(summary, "SUCCESS!"):
		t.Errorf("critest printed no success:\n%s", out.String())
	}
}

// critestSummary is the end of critest's output: the failures it lists
// again and the counts ("Ran N of M Specs", "N Passed | N Failed | …").
var critestSummaryStart = regexp.MustCompile(`(?m)^(Summarizing \d+ Failures?:|Ran \d+ of \d+ Specs)`)

func critestSummary(out string) string {
	loc := critestSummaryStart.FindStringIndex(out)
	if loc == nil {
		return "(no summary: critest did not finish)"
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(out[loc[0]:]))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return strings.Join(lines, "\n")
}
