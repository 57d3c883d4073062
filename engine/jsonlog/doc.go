// Package jsonlog writes and reads container logs in docker's json-file
// format: one JSON object per line,
//
//	{"log":"hello\n","stream":"stdout","time":"2026-11-29T17:30:00.123456789Z"}
//
// byte for byte as docker writes it, so tools that read docker's logs read
// ours. The shim writes; the CLI (`berth logs`) and the TUI read.
//
// Start reading at [New] and [Writer.Stream]: the shim gets one
// [StreamWriter] per stream (stdout, stderr) and copies the container's pipe
// into it. A StreamWriter splits what it is given into lines as docker's log
// copier does: a line longer than 16 KiB is cut into 16 KiB pieces written
// without a trailing newline, and a last line left unterminated when the
// stream ends (Close) is written without one too. Entries are escaped by hand
// exactly like docker (and like encoding/json for <, >, &, U+2028/9 and
// invalid UTF-8), batched per Write into one write(2), never fsynced. The
// file is rotated like docker's max-size/max-file: path, path.1 … path.N-1.
// [ParseOptions] reads docker's --log-opt values. A log never fills its
// disk: when the filesystem is full, or below [Options].MinFree, the writer
// drops output (still draining the container), counts it, notes the gap in
// the log, and writes again when there is room (space.go).
//
// Readers start at [Read]: tail (read backwards from the end, across
// rotated files, without scanning the whole log), since (a bisection on
// entry times finds where to start: seek.go), until, stream
// selection, and follow, which survives rotation and ends when the context
// is cancelled or [ReadOptions].Done is closed (the container exited). A
// follower sleeps on inotify and reads in batches: after a read that found
// lines it rests 50 ms, so a steady log costs a reader one wake-up per
// batch, not one per line, while a line after a quiet spell is read at
// once (follow.go).
// Decoding takes a fast path for the shape the writer produces and cuts
// the lines it returns from 64 KiB blocks, an allocation per block rather
// than per line; a Transient read decodes the common line (plain text and
// its newline) in place in the read buffer, with no copy (decode.go); a
// Joined one also packs the texts of a run of such lines together and
// hands them out as one entry, a call per read chunk (joined.go).
// Every [Entry] carries its [Position]; [ReadBackward] returns the entries
// before a position, so a viewer can keep a bounded window in memory and
// page older lines in on demand.
//
// What it deliberately does not do: compression of rotated files, docker's
// log tags/labels/attrs, or any log driver other than json-file.
package jsonlog
