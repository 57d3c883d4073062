package containerinit

import "errors"

var (
	// ErrUnknownCapability is a capability name berth does not know.
	ErrUnknownCapability = errors.New("unknown capability")
	// ErrUnknownUser is a -u name missing from the rootfs's /etc/passwd.
	ErrUnknownUser = errors.New("no matching entries in passwd file")
	// ErrUnknownGroup is a group name missing from the rootfs's /etc/group.
	ErrUnknownGroup = errors.New("no matching entries in group file")
	// ErrBindSourceMissing is a bind mount whose host path does not exist.
	ErrBindSourceMissing = errors.New("bind source path does not exist")
	// ErrInvalidConfig is a Config that cannot describe a container.
	ErrInvalidConfig = errors.New("invalid container config")
	// ErrFakeNull is a container /dev/null that is not the null device,
	// which masking refuses to use.
	ErrFakeNull = errors.New("/dev/null is not the null device (char 1:3)")
	// ErrKernelFS is a path berth would have to create inside /proc or
	// /sys, or reach through one of their magic links.
	ErrKernelFS = errors.New("cannot be created in /proc or /sys: the path must lead to the container's own files")
	// ErrUnsupported is returned by Start where containers cannot run.
	ErrUnsupported = errors.New("containers are supported on linux only")
)
