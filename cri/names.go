package cri

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// maxContainerName is the longest engine name a CRI container gets: the
// engine reserves a name as a file, and a file name is at most 255
// bytes. kubelet's names (a container, a pod, a namespace and a UID) fit
// in it; longer ones are cut.
const maxContainerName = 200

// containerName is the engine's name for a CRI container, as dockershim
// named them: k8s_<container>_<pod>_<namespace>_<pod uid>_<attempt>. One
// longer than maxContainerName keeps its start and ends in a hash of the
// whole, so two names that differ only past the cut stay apart. The CRI
// shows the metadata's names (labels), never this one.
func containerName(md *runtimeapi.ContainerMetadata, pmd *runtimeapi.PodSandboxMetadata) string {
	name := fmt.Sprintf("k8s_%s_%s_%s_%s_%d", md.GetName(), pmd.GetName(), pmd.GetNamespace(), pmd.GetUid(), md.GetAttempt())
	if len(name) <= maxContainerName {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "_" + hex.EncodeToString(sum[:8])
	return name[:maxContainerName-len(suffix)] + suffix
}
