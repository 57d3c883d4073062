// Package compose runs a compose project (compose.yaml) on a host.Host:
// several containers, their networks and volumes, as one thing, with
// Docker Compose's names and labels so that a project started by `berth
// compose` and one started by docker-compose through berth's API look
// the same to both.
//
// Start with Load (load.go): the file, its .env, several -f files merged,
// extends, profiles and the project name, all read by the compose
// specification's own library (compose-go/v2). Then Up (up.go), which
// converges the host to the project: networks and volumes first
// (resources.go), each service's image built or pulled (images.go), then
// its containers in dependency order (depends_on conditions in
// dependencies.go), recreating only those whose configuration hash
// (labels.go) changed. convert.go turns one service into the engine's
// CreateOptions. Down, Stop, Start, Restart and the listing of projects
// (projects.go) find containers by their labels alone, so they work with
// only a project's name.
package compose
