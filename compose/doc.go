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
//
// A bad file is refused with its file, line and key (loaderrors.go places
// the library's errors in the YAML with yamlkeys.go); Up checks what
// berth itself refuses before it touches the host (check.go). Failure
// carries Docker Compose's exit codes.
//
// The other verbs: run (a one-off container, run.go), exec's choice of
// container (exec.go), kill, pause, remove, top, port, images, pull and
// build, each in its file. Logs and Follower (logs.go, follow.go) read a
// project's lines and exits for `compose logs`, attached up and the
// full-screen program; prefix.go is Docker Compose's prefix width and
// colours, and NameInProject the name a line is prefixed with.
package compose
