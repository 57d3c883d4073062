package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/host"
)

// Docker Compose's labels: docker-compose 1.29 and Docker Compose v2 find
// a project's containers, networks and volumes by them, and so does berth.
const (
	LabelProject         = "com.docker.compose.project"
	LabelService         = "com.docker.compose.service"
	LabelNumber          = "com.docker.compose.container-number"
	LabelOneoff          = "com.docker.compose.oneoff"
	LabelConfigHash      = "com.docker.compose.config-hash"
	LabelWorkingDir      = "com.docker.compose.project.working_dir"
	LabelConfigFiles     = "com.docker.compose.project.config_files"
	LabelEnvironmentFile = "com.docker.compose.project.environment_file"
	LabelDependsOn       = "com.docker.compose.depends_on"
	LabelVersion         = "com.docker.compose.version"
	LabelNetwork         = "com.docker.compose.network"
	LabelVolume          = "com.docker.compose.volume"
	LabelImage           = "com.docker.compose.image"
)

// version is what berth puts in the version label: Docker Compose puts
// its own release there.
var version = "berth-" + host.Version

// ContainerName is a service's container number n: project-service-n,
// as Docker Compose v2 names them, or the service's container_name.
func ContainerName(project string, s types.ServiceConfig, n int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return strings.Join([]string{project, s.Name, strconv.Itoa(n)}, "-")
}

// OneoffName is the container of `compose run`: project-service-run-ID.
func OneoffName(project, service, id string) string {
	return strings.Join([]string{project, service, "run", id}, "-")
}

// ServiceHash is the configuration hash of a service: a container whose
// config-hash label differs was made from another configuration and is
// recreated by up. What does not change the container (how its image is
// made or pulled, how many there are, what it waits for) is left out.
func ServiceHash(s types.ServiceConfig) (string, error) {
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy
		d.Replicas = nil
		s.Deploy = &d
	}
	s.DependsOn = nil
	s.Profiles = nil
	raw, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("hash service %s: %w", s.Name, err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

// projectFilter is the list filter of a project's containers.
func projectFilter(project string) map[string][]string {
	return map[string][]string{"label": {LabelProject + "=" + project}}
}

// isOneoff reports whether a container was made by `compose run`.
func isOneoff(labels map[string]string) bool {
	return strings.EqualFold(labels[LabelOneoff], "true")
}

// number is a container's number within its service; 0 when the label
// is missing or not a number.
func number(labels map[string]string) int {
	n, _ := strconv.Atoi(labels[LabelNumber])
	return n
}
