package cgroups

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// setDeviceProgram gives the v2 group at dir a device program built from
// rules (devicefilter.go), as runc and crun do, and removes whatever
// device programs were attached to it before; nil rules leave it with
// none, which allows every device. The new program is attached before
// the old ones go, so no access slips through in between. Programs are
// attached with BPF_PROG_ATTACH rather than as a bpf_link: the group
// then holds the program for as long as it exists, not the attaching
// process (the shim), and removing the group releases it.
func setDeviceProgram(dir string, rules []DeviceRule) error {
	fail := func(err error) error {
		return &SettingError{Setting: "device-cgroup-rule", Value: fmt.Sprintf("(%d rules)", len(rules)), Err: err}
	}
	fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("open cgroup %s: %w", dir, err))
	}
	defer func() { _ = unix.Close(fd) }() // a read-only directory fd
	if rules == nil && !isCgroup2(fd) {
		return nil // no program can be attached here, so none is to be removed
	}
	attached, err := link.QueryPrograms(link.QueryOptions{Target: fd, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		return fail(fmt.Errorf("query device programs of %s: %w", dir, err))
	}
	if rules != nil {
		insns, err := deviceProgram(rules)
		if err != nil {
			return fail(err)
		}
		prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name:         "berth_devices",
			Type:         ebpf.CGroupDevice,
			Instructions: insns,
			// The kernel reads the license only to allow GPL-only
			// helpers, which the program does not call.
			License: "GPL",
		})
		if err != nil {
			return fail(fmt.Errorf("load device program: %w", err))
		}
		// The group holds the attached program; this fd only loaded it.
		defer func() { _ = prog.Close() }()
		err = link.RawAttachProgram(link.RawAttachProgramOptions{
			Target: fd, Program: prog, Attach: ebpf.AttachCGroupDevice, Flags: unix.BPF_F_ALLOW_MULTI,
		})
		if err != nil {
			return fail(fmt.Errorf("attach device program to %s: %w", dir, err))
		}
	}
	var errs []error
	for _, p := range attached.Programs {
		if err := detachProgram(fd, p.ID); err != nil {
			errs = append(errs, fmt.Errorf("detach device program %d from %s: %w", p.ID, dir, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	return nil
}

func detachProgram(cgroupFD int, id ebpf.ProgramID) error {
	prog, err := ebpf.NewProgramFromID(id)
	if errors.Is(err, unix.ENOENT) {
		return nil // gone meanwhile
	}
	if err != nil {
		return err
	}
	defer func() { _ = prog.Close() }() // only a handle to detach by
	return link.RawDetachProgram(link.RawDetachProgramOptions{
		Target: cgroupFD, Program: prog, Attach: ebpf.AttachCGroupDevice,
	})
}

// isCgroup2 tells whether fd is a directory of a cgroup2 filesystem.
func isCgroup2(fd int) bool {
	var st unix.Statfs_t
	return unix.Fstatfs(fd, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}
