// Package events is the engine's durable timeline: every container,
// image, network and volume event (create, start, die, oom, restart,
// pause, rename, destroy, exec_start, attach, tag, pull, connect, …)
// appended to a JSON-lines file, so `berth events` and the TUI's
// per-container timeline can show what happened long after it did.
// Events have docker's actions and attributes; [MatchArgs] is docker's
// `events --filter` (dockerfilter.go).
//
// Start reading at [Open] and [Log.Append]. There is no daemon, so the
// writers are many processes at once: the CLI, the TUI and every shim.
// Each Append is one write(2) of one line to a file opened with O_APPEND,
// made under an exclusive flock on a lock file in the same directory, which
// also serialises rotation: past [Options].MaxSize the file is renamed to
// events.log.1 (replacing the previous old file) and a new one is started,
// so the timeline holds between MaxSize and twice that. Readers take the
// lock shared, so [Log.Query] never sees a rotation half done.
//
// [Log.Follow] polls with stat(2) every 200 ms rather than using inotify.
// Events are rare (a handful per container lifecycle), a stat costs about a
// microsecond, and polling needs no inotify instance (the kernel allows 128
// per user by default, shared by every berth process), works on any
// filesystem, and notices rotation by a change of inode without a race
// between a watch and a rename. 200 ms is well inside the TUI's promise
// that changes appear within a second.
//
// Lines that do not parse (a crash mid-write on a full disk) are skipped by
// readers, not fatal.
package events
