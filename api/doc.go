// Package api is the Docker Engine API over a host.Host: the server behind
// `berth system service` and `berth system dial-stdio`, which the docker
// CLI, docker-compose and the Docker SDKs talk to, and the client that is
// a host.Host for a machine reached over SSH.
//
// Start with Server (server.go): it strips and checks the API version of
// each request (version.go), routes it to one handler per endpoint, and
// turns a handler's error into Docker's {"message": …} body with the
// status code its kind calls for (errors.go). Each family of endpoints is a
// file of its own: system.go (_ping, version, info, df, events),
// containers.go, streams.go (attach, logs, exec, stats), images.go,
// networks.go, volumes.go. Bodies are the Moby project's API types
// (github.com/moby/moby/api/types), never copies of them. Beside them,
// under /berth/v1, berth_ext.go serves what only another berth asks for
// (the process table, the machine's gauges, a signal to one process),
// with the engine's own types as bodies, as Podman serves its libpod API
// beside the compat one.
package api
