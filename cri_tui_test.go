package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestCRITUIPod: a pod made through `berth cri`'s gRPC API, as kubelet
// makes one (two containers), is a heading of the program's containers
// screen, "default/shop · pod", with its containers under it by their
// names in the pod; its heading opens the log of both, interleaved;
// once the pod is removed the heading is gone.
func TestCRITUIPod(t *testing.T) {
	requireTmux(t)
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "shop", Namespace: "default", Uid: "uid-tui"},
		Hostname:     "shop",
		LogDirectory: filepath.Join(t.TempDir(), "pods", "default_shop_uid-tui"),
		Linux:        &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-uid-tui"},
	}
	run, err := e.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podCfg})
	if err != nil {
		t.Fatal(err)
	}
	pod := run.PodSandboxId
	for _, name := range []string{"front", "cart"} {
		c, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, SandboxConfig: podCfg,
			Config: &runtimeapi.ContainerConfig{
				Metadata: &runtimeapi.ContainerMetadata{Name: name},
				Image:    &runtimeapi.ImageSpec{Image: "busybox"},
				Command:  []string{"sh", "-c", "while :; do echo " + name + "-says-$((20+1)); sleep 1; done"},
				LogPath:  name + "/0.log",
			}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: c.ContainerId}); err != nil {
			t.Fatal(err)
		}
	}
	b.must("run", "-d", "--network", "none", "--name", "loner", "busybox", "sleep", "600")

	dir := t.TempDir()
	tm := &tuiTmux{t: t, socket: filepath.Join(dir, "tmux")}
	env := []string{"TERM=xterm-256color", "XDG_CONFIG_HOME=" + t.TempDir()}
	for _, k := range []string{"BERTH_ROOT", "BERTH_RUN_ROOT", "BERTH_CONFIG"} {
		env = append(env, k+"="+envValue(b.env, k))
	}
	stderr := filepath.Join(dir, "stderr")
	tm.start(fmt.Sprintf("env %s %s 2>%s", strings.Join(env, " "), b.bin, stderr))
	t.Cleanup(func() {
		if t.Failed() {
			if out, err := os.ReadFile(stderr); err == nil && len(out) > 0 {
				t.Logf("the program's stderr:\n%s", out)
			}
		}
		_, _ = tm.tmux("kill-server")
	})

	// The pod's heading, its two containers under it, the loner after.
	tm.waitFor("the pod's heading and its containers", func(scr string) bool {
		return regexp.MustCompile(`▾ default/shop · pod +2/2 running`).MatchString(scr) &&
			regexp.MustCompile(`(?m)^ +cart +busybox .*Up `).MatchString(scr) &&
			regexp.MustCompile(`(?m)^ +front +busybox .*Up `).MatchString(scr) &&
			regexp.MustCompile(`(?m)^ +loner +busybox .*Up `).MatchString(scr)
	})
	scr, _ := tm.tmux("capture-pane", "-p", "-t", "ui")
	heading, cart, front, loner := lineOf(scr, "default/shop · pod"), lineOf(scr, " cart "), lineOf(scr, " front "), lineOf(scr, " loner ")
	if heading >= cart || cart >= front || front >= loner {
		t.Fatalf("rows out of order (heading %d, cart %d, front %d, loner %d):\n%s", heading, cart, front, loner, scr)
	}
	// On the heading: its info, then the pod's log, both containers.
	tm.send("g")
	tm.waitText("pod default/shop: 2 containers · sandbox " + pod[:12])
	tm.send("l")
	tm.waitFor("the pod's log", func(scr string) bool {
		return strings.Contains(scr, "Logs: pod default/shop") &&
			regexp.MustCompile(`cart +\| cart-says-21`).MatchString(scr) &&
			regexp.MustCompile(`front +\| front-says-21`).MatchString(scr)
	})
	tm.send("Escape")
	// The fold key folds the pod.
	tm.send("z")
	tm.waitFor("the pod folded", func(scr string) bool {
		return strings.Contains(scr, "▸ default/shop · pod") && !regexp.MustCompile(`(?m)^ +cart +busybox`).MatchString(scr)
	})
	// Removed through the CRI, the pod leaves the screen.
	if _, err := e.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("the pod gone", func(scr string) bool {
		return !strings.Contains(scr, "default/shop") && strings.Contains(scr, "loner")
	})
	tm.send("q")
	tm.waitEnd()
}

// lineOf is the number of scr's first line that holds text, -1 if none.
func lineOf(scr, text string) int {
	for i, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, text) {
			return i
		}
	}
	return -1
}
