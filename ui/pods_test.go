package ui

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/host"
)

// podContainer is a container `berth cri` made in pod ns/pod (sandbox
// of idc sb), named name there, created at created before testNow.
func podContainer(idc, sb byte, ns, pod, name string, created time.Duration, state engine.State) *engine.Container {
	labels := host.PodLabels(host.Pod{SandboxID: id(sb), Namespace: ns, Name: pod}, name)
	maps.Copy(labels, map[string]string{host.LabelKubePodNamespace: ns, host.LabelKubePodName: pod, "io.kubernetes.container.name": name})
	return &engine.Container{
		ID: id(idc), Name: "/k8s_" + name + "_" + pod + "_" + ns + "_uid-" + string(rune(sb)) + "_0", Path: "sh", Created: testNow.Add(-created),
		Config: engine.ContainerConfig{Image: "registry.local/" + name + ":1", Labels: labels},
		State:  state,
	}
}

// podBackend is the demo's four containers beside two pods of berth
// cri: default/web (an app up, its sidecar exited with an error) and
// kube-system/dns (one container up), and a compose project "blog".
func podBackend() *fakeBackend {
	b := demoBackend()
	b.containers = append(b.containers,
		podContainer('e', 'W', "default", "web", "app", 6*time.Minute, up(6*time.Minute)),
		podContainer('f', 'W', "default", "web", "sidecar", 5*time.Minute, exited(2)),
		podContainer('g', 'D', "kube-system", "dns", "coredns", 20*time.Minute, up(20*time.Minute)),
		composeContainer('s', "blog", "app", 1, 3*time.Minute, up(3*time.Minute)),
	)
	b.logs[id('e')] = []engine.LogEntry{
		{Stream: "stdout", Time: testNow.Add(-3 * time.Second), Line: []byte("app listening on :8080\n")},
		{Stream: "stdout", Time: testNow.Add(-time.Second), Line: []byte("GET /healthz 200\n")},
	}
	b.logs[id('f')] = []engine.LogEntry{
		{Stream: "stderr", Time: testNow.Add(-2 * time.Second), Line: []byte("sidecar: config missing\n")},
	}
	b.logs[id('g')] = []engine.LogEntry{
		{Stream: "stdout", Time: testNow.Add(-1500 * time.Millisecond), Line: []byte("dns: not in this pod\n")},
	}
	return b
}

func TestPodsAreGrouped(t *testing.T) {
	m := newTestModel(t, podBackend())
	golden(t, "pod_containers", m)
	want := []string{
		"[blog]", " blog-app-1",
		"[default/web]", " k8s_app_web_default_uid-W_0", " k8s_sidecar_web_default_uid-W_0",
		"[kube-system/dns]", " k8s_coredns_dns_kube-system_uid-D_0",
		"old_job", "sleepy", "ticker", "web",
	}
	if got := rowNames(m); !slices.Equal(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
	s := screen(m)
	for _, line := range []string{"default/web · pod", "1/2 running · 1 exited", "kube-system/dns · pod", "1/1 running", "  app ", "  sidecar ", "  coredns "} {
		if !strings.Contains(s, line) {
			t.Errorf("the screen lacks %q:\n%s", line, s)
		}
	}
	m = press(t, m, "j", "j") // default/web
	if s := screen(m); !strings.Contains(s, "pod default/web: 2 containers · sandbox WWWWWWWWWWWW") {
		t.Errorf("info line on the pod:\n%s", s)
	}
	if text, what := m.containers.copyText(); text != id('W') || what != "the ID of pod default/web" {
		t.Errorf("copy on a pod: %q, %q", text, what)
	}
	// Running only: the heading still counts both.
	m = press(t, m, "v")
	if got := rowNames(m); slices.Contains(got, " k8s_sidecar_web_default_uid-W_0") || !strings.Contains(screen(m), "1/2 running · 1 exited") {
		t.Errorf("running only: %q\n%s", got, screen(m))
	}
}

func TestPodFoldFilterAndActions(t *testing.T) {
	b := podBackend()
	m := newTestModel(t, b)
	m = press(t, m, "j", "j", "z") // fold default/web
	if got := rowNames(m); !slices.Equal(got[2:4], []string{"[default/web]", "[kube-system/dns]"}) {
		t.Fatalf("default/web folded: %q", got)
	}
	if !strings.Contains(screen(m), "▸ default/web") {
		t.Error("a folded pod is not marked ▸")
	}
	m = press(t, m, "enter")  // unfolds
	m = press(t, m, "j", "z") // on a container: folds its pod
	if g := m.containers.selectedGroup(); g == nil || g.title() != "default/web" || len(rowNames(m)) != 9 {
		t.Fatalf("z on a pod's container: %q", rowNames(m))
	}
	m = press(t, m, "enter")
	// Start, stop, restart, up and down are kubelet's: nothing is called.
	for _, k := range []string{"s", "x", "r", "U", "D"} {
		m = press(t, m, k)
		if !strings.Contains(screen(m), "pod default/web is kubelet's") || m.dialog != nil {
			t.Errorf("%s on a pod:\n%s", k, screen(m))
		}
	}
	if got := b.callLog(); len(got) != 0 {
		t.Errorf("calls on a pod's heading: %q", got)
	}
	// The filter matches a pod's name and a container's name in it.
	for q, want := range map[string][]string{
		"kube-system": {"[kube-system/dns]", " k8s_coredns_dns_kube-system_uid-D_0"},
		"sidecar":     {"[default/web]", " k8s_sidecar_web_default_uid-W_0"},
	} {
		m = press(t, m, "/")
		m = typeText(t, m, q)
		m = press(t, m, "enter")
		if got := rowNames(m); !slices.Equal(got, want) {
			t.Errorf("filtered by %q: %q", q, got)
		}
		m = press(t, m, "esc") // clears the filter
		if got := rowNames(m); len(got) != 11 {
			t.Errorf("after esc: %q", got)
		}
	}
}

func TestPodLogs(t *testing.T) {
	m := newTestModel(t, podBackend())
	m = press(t, m, "j", "j", "l")
	m = await(t, m, "the pod's log", func(m model) bool { return len(m.logs.lines) == 3 && m.logs.ended })
	golden(t, "pod_logs", m)
	var got []string
	for _, l := range m.logs.lines {
		got = append(got, l.from.prefix+" "+l.text)
	}
	want := []string{"app app listening on :8080", "sidecar sidecar: config missing", "app GET /healthz 200"}
	if !slices.Equal(got, want) {
		t.Errorf("lines\n got %q\nwant %q", got, want)
	}
	if s := screen(m); !strings.Contains(s, "Logs: pod default/web") || !strings.Contains(s, "sidecar  | sidecar: config missing") {
		t.Errorf("screen:\n%s", s)
	}
}
