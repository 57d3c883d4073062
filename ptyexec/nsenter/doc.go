// Package nsenter starts a process inside a running container's
// namespaces: berth exec.
//
// Why a cgo constructor. setns(2) into a mount namespace fails with EINVAL
// when the caller shares its filesystem attributes with other threads, and
// every Go program has several threads before main runs; locking an OS
// thread does not help, since Go threads share them (CLONE_FS). Re-executing
// berth and joining from Go would hit the same wall. So, as runc's
// libcontainer/nsenter does, nsenter.c carries a C constructor that the
// dynamic loader runs while the re-executed berth still has one thread:
// when _BERTH_NSENTER=<pid> is set it opens /proc/<pid>/ns/{ipc,uts,net,
// pid,mnt} and /proc/<pid>/root, joins them (mnt last), and forks, because
// joining a PID namespace only places children in it. The child chroots to
// the target's root and continues into the Go runtime, where this
// package's init (child_linux.go) finishes: it reads the command's
// configuration from the launcher, moves its locked thread into the
// container's cgroup v1 hierarchies (Config.CgroupTasks: a thread that
// writes "0" to a tasks file moves without the kernel's global lock,
// which a move by PID takes and which waits for an RCU grace period,
// about 10 ms), switches user, groups and capabilities on that thread,
// sets no_new_privs, changes to the working directory and execs. The parent stays outside, waits, passes on signals sent to it,
// and exits as the child did. Without the variable the constructor costs
// one getenv.
//
// What crosses into the container. The launcher never re-executes the
// host's berth: it runs a SealedCopy (a read-only overlay view of the
// binary, or a sealed memfd copy; sealed_linux.go), so that a process in
// the container that opens /proc/<pid>/exe of the entering process cannot
// write berth's file (CVE-2019-5736). The constructor closes every
// descriptor but stdio and the sync socket, and makes the process
// non-dumpable, before it joins anything; the Go half marks every
// descriptor close-on-exec and checks that the working directory lies
// inside the container's root (CVE-2024-21626). CloseInheritedFds,
// CloseFdsOnExec and ChdirInside serve the shim and the container's init
// too.
//
// The launcher and the child talk over a socket pair: the parent reports
// the child's host PID (Config.BeforeExec runs then, so the engine can move
// it into the container's cgroup before anything runs), the launcher sends
// the configuration as JSON, and the child either reports why it failed or
// execs, which closes its end. So Cmd.Start returns only once the command
// runs, or with why it did not: ErrNotExecutable or ErrNotFound.
//
// Start reading at Command in nsenter_linux.go. The package needs cgo and
// must be linked into the binary Config.Self names (berth itself); it
// does not resolve users or capability names from an image: the engine
// passes them resolved.
package nsenter
