package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The seccomp attack: each system call Docker's default profile keeps from
// a container (the steps of an escape through user namespaces, keyrings,
// io_uring, vsock, BPF, kernel modules…) is tried for real, raw, and its
// errno printed, one "NAME: RESULT" line each, RESULT "ok" or the errno's
// name. Tests read the lines: EPERM where the profile blocks a call.
func init() {
	register("seccomp", func(args []string) error {
		names := args
		if len(names) == 0 {
			names = seccompOrder
		}
		for _, name := range names {
			try, ok := seccompAttempts[name]
			if !ok {
				return fmt.Errorf("no such system call attempt %q", name)
			}
			fmt.Printf("%s: %s\n", name, result(try()))
		}
		return nil
	})
}

// result names what an attempt got.
func result(err error) string {
	if err == nil {
		return "ok"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name := unix.ErrnoName(errno); name != "" {
			return name
		}
	}
	return err.Error()
}

// seccompOrder is the order "probe seccomp" tries them in.
var seccompOrder = []string{
	"keyctl", "add_key", "request_key", "io_uring_setup", "socket-vsock",
	"unshare-user", "clone-newuser", "mount-tmpfs", "bpf", "perf_event_open",
	"kexec_load", "open_by_handle_at", "init_module", "ptrace", "personality",
}

// raw makes a system call and returns its errno, nil on success; a file
// descriptor it returns is closed.
func raw(closeFd bool, nr uintptr, args ...uintptr) error {
	var a [6]uintptr
	copy(a[:], args)
	r, _, e := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if e != 0 {
		return e
	}
	if closeFd {
		_ = unix.Close(int(r))
	}
	return nil
}

// cstr is a NUL-terminated copy of s for a raw system call.
func cstr(s string) uintptr {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return uintptr(unsafe.Pointer(p))
}

var seccompAttempts = map[string]func() error{
	// The session keyring's id: keyrings are not namespaced.
	"keyctl": func() error {
		return raw(false, unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, uintptr(0xfffffffd), 0) // KEY_SPEC_SESSION_KEYRING
	},
	"add_key": func() error {
		payload := []byte("x")
		return raw(false, unix.SYS_ADD_KEY, cstr("user"), cstr("berth-probe"),
			uintptr(unsafe.Pointer(&payload[0])), 1, uintptr(0xfffffffe)) // KEY_SPEC_PROCESS_KEYRING
	},
	"request_key": func() error {
		return raw(false, unix.SYS_REQUEST_KEY, cstr("user"), cstr("berth-probe-none"), 0, 0)
	},
	"io_uring_setup": func() error {
		var params [120]byte // struct io_uring_params, zeroed
		return raw(true, unix.SYS_IO_URING_SETUP, 1, uintptr(unsafe.Pointer(&params[0])))
	},
	"socket-vsock": func() error {
		return raw(true, unix.SYS_SOCKET, unix.AF_VSOCK, unix.SOCK_STREAM, 0)
	},
	// unshare(CLONE_NEWUSER) itself. A Go program has several threads, so
	// the kernel refuses it with EINVAL when no filter stops it first;
	// busybox's unshare -U shows what a single-threaded attacker gets.
	"unshare-user": func() error {
		return raw(false, unix.SYS_UNSHARE, unix.CLONE_NEWUSER)
	},
	// A child in a new user namespace, as clone(2) (or clone3) makes it.
	"clone-newuser": func() error {
		cmd := exec.Command("/bin/true")
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUSER}
		err := cmd.Run()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return errno
		}
		return err
	},
	"mount-tmpfs": func() error {
		if err := os.MkdirAll("/mnt", 0o755); err != nil {
			return err
		}
		return unix.Mount("tmpfs", "/mnt", "tmpfs", 0, "")
	},
	"bpf": func() error {
		var attr [128]byte // union bpf_attr, zeroed: BPF_MAP_CREATE of nothing
		return raw(true, unix.SYS_BPF, unix.BPF_MAP_CREATE, uintptr(unsafe.Pointer(&attr[0])), uintptr(len(attr)))
	},
	"perf_event_open": func() error {
		attr := unix.PerfEventAttr{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_CPU_CLOCK}
		attr.Size = uint32(unsafe.Sizeof(attr))
		return raw(true, unix.SYS_PERF_EVENT_OPEN, uintptr(unsafe.Pointer(&attr)), 0, ^uintptr(0), ^uintptr(0), 0)
	},
	"kexec_load": func() error {
		return raw(false, unix.SYS_KEXEC_LOAD, 0, 0, 0, 0)
	},
	"open_by_handle_at": func() error {
		var handle [16]byte // struct file_handle with no bytes of handle
		root, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer func() { _ = unix.Close(root) }()
		return raw(true, unix.SYS_OPEN_BY_HANDLE_AT, uintptr(root), uintptr(unsafe.Pointer(&handle[0])), unix.O_RDONLY)
	},
	"init_module": func() error {
		return raw(false, unix.SYS_INIT_MODULE, 0, 0, cstr(""))
	},
	// Docker's profile allows ptrace on kernels from 4.8: a peek at a
	// process we do not trace fails with ESRCH, not EPERM.
	"ptrace": func() error {
		return raw(false, unix.SYS_PTRACE, unix.PTRACE_PEEKDATA, uintptr(unix.Getpid()), 0, 0)
	},
	// READ_IMPLIES_EXEC, a personality the profile does not list.
	"personality": func() error {
		return raw(false, unix.SYS_PERSONALITY, 0x0400000)
	},
}
