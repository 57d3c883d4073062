// Package ptyexec owns everything between a user's terminal and a
// container's stdio: PTY pairs, raw mode and window size of the user's
// terminal, the attach protocol spoken between a client (berth run -it,
// attach, the TUI) and the shim, detach keys, and the sessions the TUI runs
// through Bubble Tea's tea.Exec. Entering a running container's namespaces
// for exec lives in the subpackage nsenter, because it needs cgo.
//
// Where to start reading:
//
//   - frame.go: the wire format. A client opens with a JSON Request, then
//     both sides exchange length-prefixed frames (stdin, stdin-close,
//     resize; stdout, stderr, exit, error).
//   - hub.go: the server side, run by the shim. Hub fans the container's
//     output out to every client through a bounded queue per client and
//     drops clients that fall behind, so a slow or dead client never
//     blocks the container; input from any client goes to the container.
//   - attach.go: the client side. Attach copies the user's streams,
//     forwards SIGWINCH as resize frames, recognises the detach keys
//     (detachkeys.go) and returns the exit code or that it detached.
//   - session.go: AttachSession and ExecSession, the shape Bubble Tea's
//     tea.Exec takes (Run, SetStdin, SetStdout, SetStderr). ExecSession
//     runs a local command (nsenter.Cmd for berth exec) on a new PTY.
//   - terminal_linux.go and console.go: raw mode, window sizes, PTY pairs,
//     interruptible reads of the user's terminal. Whenever a session puts
//     the user's terminal into raw mode it restores it on every way out:
//     detach, container exit, error, SIGINT/SIGTERM/SIGHUP to berth.
//
// The package does not start containers, read logs or know where sockets
// live: the engine passes connections and files in.
package ptyexec
