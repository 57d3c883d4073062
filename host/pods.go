package host

// Kubernetes pods: `berth cri` makes each container of a pod an engine
// container whose labels say which pod it is in; every face that
// gathers a pod's containers (the TUI's pod headings) reads them with
// PodOf, and the CRI server writes them with PodLabels.

// Labels of a pod's containers. Those under LabelCRIPrefix are berth's
// own (the CRI does not show them back); the io.kubernetes.* ones are
// those kubelet puts on every container it creates.
const (
	LabelCRIPrefix       = "io.berth.cri."
	LabelCRISandbox      = LabelCRIPrefix + "sandbox-id"    // the pod sandbox's ID
	LabelCRIName         = LabelCRIPrefix + "name"          // the container's name in its pod
	LabelCRIPodNamespace = LabelCRIPrefix + "pod-namespace" // the pod's namespace
	LabelCRIPodName      = LabelCRIPrefix + "pod-name"      // the pod's name

	LabelKubePodNamespace = "io.kubernetes.pod.namespace"
	LabelKubePodName      = "io.kubernetes.pod.name"
)

// Pod is the pod a container is in.
type Pod struct {
	// SandboxID is the pod sandbox's: it tells two pods of one name
	// apart (kubelet makes a new sandbox when it recreates a pod).
	SandboxID string
	// Namespace and Name are the pod's metadata.
	Namespace, Name string
}

// Title is how a pod is named: "namespace/name".
func (p Pod) Title() string { return p.Namespace + "/" + p.Name }

// PodLabels are the labels that say a container is in pod p, named
// name there.
func PodLabels(p Pod, name string) map[string]string {
	return map[string]string{
		LabelCRISandbox:      p.SandboxID,
		LabelCRIName:         name,
		LabelCRIPodNamespace: p.Namespace,
		LabelCRIPodName:      p.Name,
	}
}

// PodOf is the pod labels put a container in; ok is false for a
// container that is no pod's. A container labelled by an older server,
// without the pod's name, is named by kubelet's labels, or else by its
// sandbox's short ID in namespace "-".
func PodOf(labels map[string]string) (p Pod, ok bool) {
	p.SandboxID = labels[LabelCRISandbox]
	if p.SandboxID == "" {
		return Pod{}, false
	}
	p.Namespace, p.Name = labels[LabelCRIPodNamespace], labels[LabelCRIPodName]
	if p.Name == "" {
		p.Namespace, p.Name = labels[LabelKubePodNamespace], labels[LabelKubePodName]
	}
	if p.Name == "" {
		p.Name = p.SandboxID[:min(12, len(p.SandboxID))]
	}
	if p.Namespace == "" {
		p.Namespace = "-"
	}
	return p, true
}

// PodContainerName is a pod's container's name in its pod ("web"), ""
// when labels do not say.
func PodContainerName(labels map[string]string) string { return labels[LabelCRIName] }
