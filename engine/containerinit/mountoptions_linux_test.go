package containerinit

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseMountOptions(t *testing.T) {
	tests := []struct {
		options []string
		want    mountOptions
	}{
		{nil, mountOptions{}},
		{[]string{"ro"}, mountOptions{Flags: unix.MS_RDONLY}},
		{[]string{"ro", "rw"}, mountOptions{}},
		{[]string{"rbind", "ro"}, mountOptions{Flags: unix.MS_BIND | unix.MS_REC | unix.MS_RDONLY}},
		{[]string{"bind"}, mountOptions{Flags: unix.MS_BIND}},
		{[]string{"nosuid", "nodev", "noexec", "size=64m"}, mountOptions{Flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, Data: "size=64m"}},
		{[]string{"nosuid", "suid", "exec", "dev"}, mountOptions{}},
		{[]string{"defaults", "noatime", "strictatime", "relatime"}, mountOptions{Flags: unix.MS_NOATIME | unix.MS_STRICTATIME | unix.MS_RELATIME}},
		{[]string{"lowerdir=/a:/b", "upperdir=/u", "workdir=/w"}, mountOptions{Data: "lowerdir=/a:/b,upperdir=/u,workdir=/w"}},
		{[]string{"rbind", "rprivate"}, mountOptions{Flags: unix.MS_BIND | unix.MS_REC, Propagation: unix.MS_PRIVATE | unix.MS_REC}},
		{[]string{"shared", "slave"}, mountOptions{Propagation: unix.MS_SLAVE}},
		{[]string{"mode=1777", "sync", "dirsync", "remount"}, mountOptions{Flags: unix.MS_SYNCHRONOUS | unix.MS_DIRSYNC | unix.MS_REMOUNT, Data: "mode=1777"}},
	}
	for _, tt := range tests {
		if got := parseMountOptions(tt.options); got != tt.want {
			t.Errorf("parseMountOptions(%q) = %+v, want %+v", tt.options, got, tt.want)
		}
	}
}

func TestMountAttrs(t *testing.T) {
	tests := []struct {
		flags    uintptr
		set, clr uint64
	}{
		{0, 0, 0},
		{unix.MS_BIND | unix.MS_REC, 0, 0},
		{unix.MS_RDONLY, unix.MOUNT_ATTR_RDONLY, 0},
		{unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC, 0},
		{unix.MS_SYNCHRONOUS | unix.MS_DIRSYNC | unix.MS_NODIRATIME, unix.MOUNT_ATTR_NODIRATIME, 0},
		{unix.MS_NOATIME, unix.MOUNT_ATTR_NOATIME, unix.MOUNT_ATTR__ATIME},
		{unix.MS_RELATIME | unix.MS_RDONLY, unix.MOUNT_ATTR_RELATIME | unix.MOUNT_ATTR_RDONLY, unix.MOUNT_ATTR__ATIME},
		{unix.MS_NOATIME | unix.MS_STRICTATIME, unix.MOUNT_ATTR_STRICTATIME, unix.MOUNT_ATTR__ATIME},
	}
	for _, tt := range tests {
		set, clr := mountAttrs(tt.flags)
		if set != tt.set || clr != tt.clr {
			t.Errorf("mountAttrs(%#x) = %#x, %#x; want %#x, %#x", tt.flags, set, clr, tt.set, tt.clr)
		}
	}
}
