package host

import "testing"

func TestPodOf(t *testing.T) {
	id := "0123456789abcdef0123"
	for _, tc := range []struct {
		what   string
		labels map[string]string
		want   Pod
		ok     bool
	}{
		{"no pod's", map[string]string{LabelKubePodName: "web"}, Pod{}, false},
		{"berth's labels", PodLabels(Pod{SandboxID: id, Namespace: "default", Name: "web"}, "app"), Pod{id, "default", "web"}, true},
		{"kubelet's labels", map[string]string{LabelCRISandbox: id, LabelKubePodNamespace: "kube-system", LabelKubePodName: "dns"}, Pod{id, "kube-system", "dns"}, true},
		{"berth's before kubelet's", map[string]string{LabelCRISandbox: id, LabelCRIPodNamespace: "a", LabelCRIPodName: "b", LabelKubePodNamespace: "c", LabelKubePodName: "d"}, Pod{id, "a", "b"}, true},
		{"sandbox only", map[string]string{LabelCRISandbox: id}, Pod{id, "-", "0123456789ab"}, true},
	} {
		got, ok := PodOf(tc.labels)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: PodOf = %+v, %v; want %+v, %v", tc.what, got, ok, tc.want, tc.ok)
		}
	}
	if got := (Pod{Namespace: "default", Name: "web"}).Title(); got != "default/web" {
		t.Errorf("title %q", got)
	}
	if got := PodContainerName(PodLabels(Pod{SandboxID: id}, "app")); got != "app" {
		t.Errorf("container name %q", got)
	}
}
