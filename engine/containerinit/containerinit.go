// Package containerinit is a container's init: the berth binary re-executed
// inside new PID, mount, UTS, IPC and (unless the host's is asked for)
// network namespaces, which builds the root filesystem, drops to the
// container's user and capabilities, and execs the user's command so that
// it becomes the container's PID 1.
//
// Two halves talk over two inherited pipes, as runc's libcontainer does:
//
//   - The parent side, Start (start_linux.go), runs in the shim. It clones
//     a sealed read-only copy of /proc/self/exe (nsenter.SealedCopy: the
//     host's binary is never run in a container) with argv[0] = Arg0 into
//     the new namespaces, calls
//     StartOptions.BeforeRun with the child's pid (the shim puts it into the
//     container's cgroup there), and only then writes the Config as JSON on
//     the first pipe. It returns once the second pipe reaches EOF: the pipe
//     is close-on-exec in the child, so EOF without data means the user's
//     command was exec'd; data is a JSON *ExecError saying why it was not.
//   - The child side, Main (init_linux.go), takes the process over while
//     this package is initialised (dispatch.go), before the heavier
//     packages of the binary are. Non-dumpable until its exec, and holding none of its
//     parent's descriptors, it reads the Config, sets up the root filesystem
//     (rootfs_linux.go), the hostname and loopback, the user and the
//     capabilities (credentials_linux.go), the seccomp filter
//     (nsenter.LoadSeccomp), and execs the command.
//
// No path inside the container's root is ever resolved to a string and
// used again: rootpath_linux.go opens (and creates) each one relative to a
// descriptor of the root with openat2(RESOLVE_IN_ROOT), and
// fdmounts_linux.go mounts onto those descriptors, so that a component
// swapped for a symlink by another container cannot lead out of the root.
//
// Pure pieces sit in plain files with table tests: mount options
// (mountoptions_linux.go), the mount destinations docker refuses
// (mounttarget.go), capability sets and the hardening defaults
// (capabilities.go, defaults.go), /etc/passwd and /etc/group
// (user.go), the environment (env.go).
//
// With Config.Init (docker's --init) the init does not exec the command
// itself: it becomes berth's tiny init, PID 1 for the container's life,
// and the command runs as its child (tinyinit_linux.go says how).
//
// The package does not create cgroups, pick the rootfs's layers, hold PTY
// masters or restart anything: those belong to the cgroups package, the
// image store and the shim.
package containerinit

import (
	"os"

	"berth/ptyexec/nsenter"
)

// Arg0 is argv[0] of the re-executed init; dispatch.go hands such a
// process to Main.
const Arg0 = "berth-init"

// TinyInitArg0 is argv[0] of the tiny init that --init runs as PID 1
// (tinyinit_linux.go), the name ps shows inside the container (docker's
// init has the same).
const TinyInitArg0 = "/sbin/docker-init"

// Exit codes of a container that never ran, as docker run reports them.
const (
	ExitSetupFailed   = 125 // the runtime failed before the command could be exec'd
	ExitNotExecutable = 126 // the command exists but cannot be executed
	ExitNotFound      = 127 // the command was not found
)

// Mount describes one mount, in the shape containerd uses: the image store
// and the engine describe mounts, this package performs them.
type Mount struct {
	// Type is "bind" for bind mounts (Options "rbind" makes it recursive),
	// or a filesystem type for mount(2): "tmpfs", "overlay", ….
	Type string `json:"type"`
	// Source is a host path for binds, or the device/name for the others
	// ("tmpfs", "overlay").
	Source string `json:"source"`
	// Target is the path inside the container. It is resolved inside the
	// rootfs (symlinks cannot point out of it, magic links such as
	// /proc/1/root are refused) and created when missing: a directory, or
	// an empty file when Source is a file. A target inside /proc is
	// refused (see CheckMountTarget). Config.RootMount ignores it: its
	// target is Config.Rootfs.
	Target string `json:"target"`
	// Options are mount(8)-style: "ro", "nosuid", "noexec", "nodev",
	// "rbind", "rprivate", …, and "ro-nonrecursive" (read-only, of an
	// rbind its top mount only: plain "ro" of an rbind is recursive);
	// anything mount(8) does not know as a flag is passed on as
	// filesystem data ("size=64m", "lowerdir=…", "mode=1777").
	// A bind without a propagation option is private (rprivate with rbind).
	Options []string `json:"options,omitempty"`
	// Dir, when set, is the host directory relative paths in Source and
	// Options are resolved in: the mount is performed with it as the
	// working directory. Only Config.RootMount uses it (overlay2 names its
	// layers by short relative links, to fit one page of mount data).
	Dir string `json:"dir,omitempty"`
	// SubPath, when set, mounts only this path of the source (resolved
	// inside it) at Target: an image mount's sub-path.
	SubPath string `json:"subPath,omitempty"`
}

// Config is everything the init needs to build and start one container. It
// travels to the child as JSON.
type Config struct {
	// Rootfs is the host directory that becomes /. The caller creates it;
	// for overlay2 it is the empty "merged" directory.
	Rootfs string `json:"rootfs"`
	// RootMount builds the rootfs onto Rootfs. It is performed inside the
	// container's mount namespace, so nothing ever leaks into the host's
	// mount table. An overlay mount for overlay2, a bind mount for vfs; the
	// zero value binds Rootfs onto itself.
	RootMount Mount `json:"rootMount"`
	// Mounts are the container's own mounts: -v binds (a missing source is
	// an error before anything starts), --tmpfs, and the engine's files
	// (/etc/hosts, /etc/hostname, /etc/resolv.conf bound from host files).
	// They are mounted after /proc, /sys and /dev, parents before children.
	Mounts []Mount `json:"mounts,omitempty"`
	// CopyUp are the Targets of the bind Mounts of volumes to fill from
	// the image: when the volume's directory (the mount's Source) is
	// empty, what the rootfs has at the Target is copied into it first,
	// ownership, modes, times and symlinks kept, as Docker fills a
	// volume on its first use (copyup_linux.go).
	CopyUp []string `json:"copyUp,omitempty"`
	// Hostname is set in the container's UTS namespace and exported as
	// HOSTNAME; empty leaves the host's name.
	Hostname string `json:"hostname,omitempty"`
	// Args is the command: resolved entrypoint plus cmd. Args[0] is looked
	// up on the container's PATH.
	Args []string `json:"args"`
	// Env is the full environment. PATH gets docker's default when missing,
	// HOME the user's home from /etc/passwd (or /), HOSTNAME the Hostname,
	// and TERM=xterm when Terminal.
	Env []string `json:"env,omitempty"`
	// Cwd is the working directory, resolved inside the rootfs as Targets
	// are and created (owned by root) when missing. Empty means /.
	Cwd string `json:"cwd,omitempty"`
	// User is as docker's -u: "name", "uid", "uid:gid", "name:group",
	// resolved from the rootfs's /etc/passwd and /etc/group, with the
	// user's supplementary groups when no group is given. Empty is root.
	User string `json:"user,omitempty"`
	// Terminal says stdin, stdout and stderr are a PTY slave: it becomes
	// the controlling terminal of the command and /dev/console.
	Terminal bool `json:"terminal,omitempty"`
	// ReadonlyRootfs remounts / read-only (--read-only).
	ReadonlyRootfs bool `json:"readonlyRootfs,omitempty"`
	// Capabilities is the final capability set, names with the CAP_ prefix;
	// see DefaultCapabilities and Capabilities. Capabilities berth itself
	// does not hold are left out. nil means none.
	Capabilities []string `json:"capabilities,omitempty"`
	// NoNewPrivileges sets no_new_privs (--security-opt no-new-privileges).
	NoNewPrivileges bool `json:"noNewPrivileges,omitempty"`
	// Seccomp is the seccomp filter the command runs under, a BPF program
	// as nsenter.LoadSeccomp takes it (the engine's seccomp package
	// compiles it); it is installed last before exec, or, without
	// NoNewPrivileges, just before the capabilities are dropped. nil means
	// none (unconfined).
	Seccomp []byte `json:"seccomp,omitempty"`
	// Privileged mounts /sys read-write and skips MaskedPaths and
	// ReadonlyPaths. It does not choose capabilities: pass
	// Capabilities(add, drop, true) for that.
	Privileged bool `json:"privileged,omitempty"`
	// MaskedPaths are hidden: /dev/null over files, an empty read-only
	// tmpfs over directories. See DefaultMaskedPaths. The start fails with
	// ErrFakeNull when the container's /dev/null is not the null device.
	MaskedPaths []string `json:"maskedPaths,omitempty"`
	// ReadonlyPaths are remounted read-only. See DefaultReadonlyPaths.
	ReadonlyPaths []string `json:"readonlyPaths,omitempty"`
	// Network is "host" to stay in the host's network namespace; anything
	// else ("none", "") gets a new one with only lo, up.
	Network string `json:"network,omitempty"`
	// Devpts is set by Start when StartOptions.Devpts is given; callers
	// leave it false.
	Devpts bool `json:"devpts,omitempty"`
	// Devices are device nodes made in the container beyond the standard
	// ones (null, zero, full, random, urandom, tty, and the pts and ptmx
	// of its own devpts): --device entries and, for --privileged, the
	// host's /dev. A node at the path of a standard one replaces it. nil
	// means none. Which nodes may be opened is the cgroup's business, not
	// this list's.
	Devices []Device `json:"devices,omitempty"`

	// Rlimits are set before the command runs (--ulimit); nil keeps the
	// shim's.
	Rlimits []nsenter.Rlimit `json:"rlimits,omitempty"`
	// Sysctls are written in the container's own namespaces before its
	// root is built (--sysctl): keys as docker names them
	// ("net.ipv4.ip_forward"), namespaced ones only (CheckSysctl).
	Sysctls map[string]string `json:"sysctls,omitempty"`
	// OOMScoreAdj, when not nil, is written to the init's oom_score_adj
	// (--oom-score-adj), which the command inherits.
	OOMScoreAdj *int `json:"oomScoreAdj,omitempty"`
	// ShmSize is the size of /dev/shm in bytes (--shm-size); 0 is
	// docker's 64 MiB.
	ShmSize int64 `json:"shmSize,omitempty"`
	// NoShm leaves /dev/shm out (--ipc none).
	NoShm bool `json:"noShm,omitempty"`
	// GroupAdd are supplementary groups beyond the user's (--group-add):
	// names looked up in the container's /etc/group, or numeric GIDs.
	GroupAdd []string `json:"groupAdd,omitempty"`
	// Domainname is set in the container's UTS namespace (--domainname);
	// empty leaves it.
	Domainname string `json:"domainname,omitempty"`
	// Shared names the namespaces the container gets no new one of, of
	// "pid", "ipc", "uts" and "net": the host's (--pid host, …) or, with
	// StartOptions.Join, another container's. A shared UTS namespace
	// gets no hostname or domain name, a shared network namespace's lo
	// is left as it is. nil shares none.
	Shared []string `json:"shared,omitempty"`
	// Init runs berth's tiny init as the container's PID 1 (--init): it
	// starts the command as its child, forwards signals to it, reaps
	// every zombie and exits as the command did.
	Init bool `json:"init,omitempty"`
	// UnderInit is set by the tiny init's setup for the process that
	// becomes the command; callers leave it false.
	UnderInit bool `json:"underInit,omitempty"`
	// CgroupTasks is set by Start: how many tasks files
	// (StartOptions.CgroupTasks) the child has from cgroupTasksFd on.
	// Callers leave it 0.
	CgroupTasks int `json:"cgroupTasks,omitempty"`
}

// Device is one device node to make in the container.
type Device struct {
	// Path is where the node goes in the container, absolute; missing
	// parent directories are made.
	Path string `json:"path"`
	// Type is 'c' for a character device, 'b' for a block device.
	Type byte `json:"type"`
	// Major and Minor are the device numbers.
	Major uint32 `json:"major"`
	Minor uint32 `json:"minor"`
	// Mode holds the permission bits (0o666 for docker's nodes).
	Mode uint32 `json:"mode"`
	// UID and GID own the node.
	UID uint32 `json:"uid"`
	GID uint32 `json:"gid"`
}

// ExecError says why a container's command was never exec'd, with the exit
// code docker run gives for it.
type ExecError struct {
	Code int    `json:"code"` // ExitSetupFailed, ExitNotExecutable or ExitNotFound
	Msg  string `json:"msg"`
}

func (e *ExecError) Error() string { return e.Msg }

// StartOptions are the parent's side of a start.
type StartOptions struct {
	// Stdin, Stdout and Stderr become the command's fds 0, 1 and 2; nil is
	// /dev/null. With Config.Terminal they are the PTY slave.
	Stdin, Stdout, Stderr *os.File
	// Exe is the berth the child runs: a nsenter.SealedCopy of
	// /proc/self/exe, never the host's binary itself, so that nothing in
	// the container can reach that file through the init's
	// /proc/1/exe (CVE-2019-5736). A shim makes one and reuses it for
	// every restart; nil makes a copy for this start alone. Start does
	// not close it.
	Exe *os.File
	// Devpts, with Config.Terminal, is the devpts instance the PTY on
	// Stdin belongs to (ptyexec.OpenPTYInstance): it becomes the
	// container's /dev/pts, so that inside the terminal is /dev/pts/0 of
	// the container's own devpts, as with docker. nil mounts a new devpts
	// and leaves the terminal where it is.
	Devpts *os.File
	// CgroupTasks are the cgroup v1 tasks files of the container's group
	// (cgroups.Manager's TaskFiles), at most maxCgroupTasks. The thread
	// that execs the command (with Init, the one that starts it) joins
	// through them, as an exec does (nsenter.JoinCgroup): a move by PID
	// (BeforeRun's, without them) makes the kernel wait for an RCU grace
	// period, about 10 ms of every start.
	CgroupTasks []string
	// BeforeRun, when set, is called once the child exists in its new
	// namespaces and before it does anything: the shim puts pid into the
	// container's cgroup here. An error kills the child and fails Start.
	BeforeRun func(pid int) error
	// Join are namespaces of other containers the child enters instead
	// of new ones (--network, --pid, --ipc container:NAME); their kinds
	// must be in Config.Shared. Start does not close them.
	Join []Join
}
