package containerinit

import (
	"strings"

	"golang.org/x/sys/unix"
)

// mountOptions is a Mount's options translated for mount(2).
type mountOptions struct {
	Flags       uintptr // MS_* flags for the mount itself
	Propagation uintptr // MS_PRIVATE, MS_SHARED, … (with MS_REC), applied by a second call; 0 for none
	Data        string  // filesystem options, comma-separated
	// ReadonlyTop (option roNonRecursive) keeps "ro" of an rbind to its
	// top mount: the mounts below stay as they are.
	ReadonlyTop bool
}

// flagOption is a mount(8) option that sets or clears a mount flag.
type flagOption struct {
	clear bool
	flag  uintptr
}

var flagOptions = map[string]flagOption{
	"defaults":      {false, 0},
	"ro":            {false, unix.MS_RDONLY},
	"rw":            {true, unix.MS_RDONLY},
	"nosuid":        {false, unix.MS_NOSUID},
	"suid":          {true, unix.MS_NOSUID},
	"nodev":         {false, unix.MS_NODEV},
	"dev":           {true, unix.MS_NODEV},
	"noexec":        {false, unix.MS_NOEXEC},
	"exec":          {true, unix.MS_NOEXEC},
	"sync":          {false, unix.MS_SYNCHRONOUS},
	"async":         {true, unix.MS_SYNCHRONOUS},
	"dirsync":       {false, unix.MS_DIRSYNC},
	"remount":       {false, unix.MS_REMOUNT},
	"mand":          {false, unix.MS_MANDLOCK},
	"nomand":        {true, unix.MS_MANDLOCK},
	"noatime":       {false, unix.MS_NOATIME},
	"atime":         {true, unix.MS_NOATIME},
	"nodiratime":    {false, unix.MS_NODIRATIME},
	"diratime":      {true, unix.MS_NODIRATIME},
	"relatime":      {false, unix.MS_RELATIME},
	"norelatime":    {true, unix.MS_RELATIME},
	"strictatime":   {false, unix.MS_STRICTATIME},
	"nostrictatime": {true, unix.MS_STRICTATIME},
	"bind":          {false, unix.MS_BIND},
	"rbind":         {false, unix.MS_BIND | unix.MS_REC},
}

// roNonRecursive is "ro" on the top mount of an rbind only (docker's
// bind-recursive=writable, the CRI's read-only mount without
// recursive_read_only); plain "ro" of an rbind is recursive.
const roNonRecursive = "ro-nonrecursive"

var propagationOptions = map[string]uintptr{
	"private":     unix.MS_PRIVATE,
	"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
	"shared":      unix.MS_SHARED,
	"rshared":     unix.MS_SHARED | unix.MS_REC,
	"slave":       unix.MS_SLAVE,
	"rslave":      unix.MS_SLAVE | unix.MS_REC,
	"unbindable":  unix.MS_UNBINDABLE,
	"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// parseMountOptions translates mount(8)-style options into flags,
// propagation and data, the way mount(8) does: later flags override
// earlier ones, unknown options are filesystem data in their order.
func parseMountOptions(options []string) mountOptions {
	var m mountOptions
	var data []string
	for _, o := range options {
		if f, ok := flagOptions[o]; ok {
			if f.clear {
				m.Flags &^= f.flag
			} else {
				m.Flags |= f.flag
			}
			continue
		}
		if p, ok := propagationOptions[o]; ok {
			m.Propagation = p
			continue
		}
		if o == roNonRecursive {
			m.Flags |= unix.MS_RDONLY
			m.ReadonlyTop = true
			continue
		}
		data = append(data, o)
	}
	m.Data = strings.Join(data, ",")
	return m
}

// mountAttrFlags are the MS_ flags of a mount (not of its filesystem), by
// their mount_setattr/fsmount attribute.
var mountAttrFlags = []struct {
	flag uintptr
	attr uint64
}{
	{unix.MS_RDONLY, unix.MOUNT_ATTR_RDONLY},
	{unix.MS_NOSUID, unix.MOUNT_ATTR_NOSUID},
	{unix.MS_NODEV, unix.MOUNT_ATTR_NODEV},
	{unix.MS_NOEXEC, unix.MOUNT_ATTR_NOEXEC},
	{unix.MS_NODIRATIME, unix.MOUNT_ATTR_NODIRATIME},
}

// mountAttrs translates MS_ flags into the new mount API's attributes: set
// are the MOUNT_ATTR_ bits to set (fsmount takes them as they are), clr
// those mount_setattr must clear first (the atime mode, when one is given).
// Flags that are not a mount's own (sync, bind, …) are left out.
func mountAttrs(flags uintptr) (set, clr uint64) {
	for _, f := range mountAttrFlags {
		if flags&f.flag != 0 {
			set |= f.attr
		}
	}
	switch {
	case flags&unix.MS_STRICTATIME != 0: // wins, as with mount(2)
		set |= unix.MOUNT_ATTR_STRICTATIME
	case flags&unix.MS_NOATIME != 0:
		set |= unix.MOUNT_ATTR_NOATIME
	case flags&unix.MS_RELATIME != 0:
		set |= unix.MOUNT_ATTR_RELATIME
	default:
		return set, 0
	}
	return set, unix.MOUNT_ATTR__ATIME
}
