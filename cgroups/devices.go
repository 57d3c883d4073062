package cgroups

import (
	"fmt"
	"strconv"
	"strings"

	"berth/internal/lazyregexp"
)

// DeviceType is the kind of device node a DeviceRule matches.
type DeviceType byte

const (
	// AllDevices in a rule resets the whole list (the kernel's "a"): an
	// allowing one lets every device through, a denying one blocks every
	// device. Its numbers and access are ignored, as the kernel does.
	AllDevices DeviceType = 'a'
	// CharDevice matches character devices.
	CharDevice DeviceType = 'c'
	// BlockDevice matches block devices.
	BlockDevice DeviceType = 'b'
)

// DeviceAccess is a set of the three device permissions, with the bit
// values the kernel's BPF_DEVCG_ACC_* constants give them.
type DeviceAccess uint8

const (
	DeviceMknod DeviceAccess = 1 << iota // m: create the node with mknod(2)
	DeviceRead                           // r: open it for reading
	DeviceWrite                          // w: open it for writing

	// DeviceRWM is every permission.
	DeviceRWM = DeviceRead | DeviceWrite | DeviceMknod
)

// String spells the set as the kernel and docker do: "rwm", "r", "m".
func (a DeviceAccess) String() string {
	var b strings.Builder
	for _, p := range []struct {
		bit DeviceAccess
		c   byte
	}{{DeviceRead, 'r'}, {DeviceWrite, 'w'}, {DeviceMknod, 'm'}} {
		if a&p.bit != 0 {
			b.WriteByte(p.c)
		}
	}
	return b.String()
}

// ParseDeviceAccess parses docker's permission letters: each of r, w
// and m at most once, at least one.
func ParseDeviceAccess(s string) (DeviceAccess, bool) {
	var a DeviceAccess
	for _, c := range []byte(s) {
		var bit DeviceAccess
		switch c {
		case 'r':
			bit = DeviceRead
		case 'w':
			bit = DeviceWrite
		case 'm':
			bit = DeviceMknod
		default:
			return 0, false
		}
		if a&bit != 0 {
			return 0, false
		}
		a |= bit
	}
	return a, a != 0
}

// Wildcard as a major or minor number matches every number ("*").
const Wildcard = -1

// DeviceRule is one entry of a container's device list, with the meaning
// of a line written to cgroup v1's devices.allow (Allow) or devices.deny.
// Rules apply in order: an AllDevices rule resets the list, an allowing
// rule on a denying list adds an exception, and so on, exactly as the v1
// controller keeps its list; cgroup v2 gets an eBPF program that decides
// the same way.
type DeviceRule struct {
	Type         DeviceType
	Major, Minor int64 // Wildcard or 0…2³²-1
	Access       DeviceAccess
	Allow        bool
}

// String is the rule as devices.allow takes it: "c 1:3 rwm", "b *:* m".
func (r DeviceRule) String() string {
	num := func(n int64) string {
		if n == Wildcard {
			return "*"
		}
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), r.Access)
}

func (r DeviceRule) validate() error {
	bad := func(format string, args ...any) error {
		return invalid("device-cgroup-rule", r.String(), format, args...)
	}
	switch {
	case r.Type != AllDevices && r.Type != CharDevice && r.Type != BlockDevice:
		return bad("type must be a, b or c")
	case r.Major < Wildcard || r.Major > maxDeviceNumber:
		return bad("major number out of range")
	case r.Minor < Wildcard || r.Minor > maxDeviceNumber:
		return bad("minor number out of range")
	case r.Access == 0 || r.Access&^DeviceRWM != 0:
		return bad("access must be a combination of r, w and m")
	}
	return nil
}

const maxDeviceNumber = 1<<32 - 1

// deviceRuleSyntax is docker's --device-cgroup-rule syntax (moby's
// oci.AppendDevicePermissionsFromCgroupRules).
var deviceRuleSyntax = lazyregexp.New(`^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$`)

// ParseDeviceRule parses docker's --device-cgroup-rule, e.g. "c 1:3 mr"
// or "b *:* m", into an allowing rule. Errors carry docker's messages.
func ParseDeviceRule(s string) (DeviceRule, error) {
	m := deviceRuleSyntax().FindStringSubmatch(s)
	if m == nil {
		return DeviceRule{}, fmt.Errorf("invalid device cgroup format '%s'", s)
	}
	r := DeviceRule{Type: DeviceType(m[1][0]), Allow: true}
	for i, p := range []*int64{&r.Major, &r.Minor} {
		if m[2+i] == "*" {
			*p = Wildcard
			continue
		}
		n, err := strconv.ParseUint(m[2+i], 10, 32)
		if err != nil {
			return DeviceRule{}, fmt.Errorf("invalid %s value in device cgroup rule format: '%s'", [2]string{"major", "minor"}[i], s)
		}
		*p = int64(n)
	}
	// Docker's syntax lets a letter repeat ("rrw"); it means the same as
	// once.
	for _, c := range []byte(m[4]) {
		a, _ := ParseDeviceAccess(string(c))
		r.Access |= a
	}
	return r, nil
}

// DefaultDeviceRules is the list every container gets unless it is
// privileged: docker's (moby's oci.DefaultLinuxSpec: deny everything,
// allow null, zero, urandom, random, tty and console, deny fuse) followed
// by what runc appends to every container (specconv.AllowedDevices:
// mknod of any node, null, random, full, tty, zero, urandom, the ptys
// 136:*, ptmx and tun). Rules for --device and --device-cgroup-rule go
// after it. The result lets a container create any node but open only
// the standard ones.
func DefaultDeviceRules() []DeviceRule {
	c := func(major, minor int64, access DeviceAccess) DeviceRule {
		return DeviceRule{Type: CharDevice, Major: major, Minor: minor, Access: access, Allow: true}
	}
	fuse := c(10, 229, DeviceRWM)
	fuse.Allow = false
	return []DeviceRule{
		// moby
		{Type: AllDevices, Major: Wildcard, Minor: Wildcard, Access: DeviceRWM},
		c(1, 5, DeviceRWM), // zero
		c(1, 3, DeviceRWM), // null
		c(1, 9, DeviceRWM), // urandom
		c(1, 8, DeviceRWM), // random
		c(5, 0, DeviceRWM), // tty
		c(5, 1, DeviceRWM), // console
		fuse,
		// runc
		c(Wildcard, Wildcard, DeviceMknod),
		{Type: BlockDevice, Major: Wildcard, Minor: Wildcard, Access: DeviceMknod, Allow: true},
		c(1, 3, DeviceRWM),          // null
		c(1, 8, DeviceRWM),          // random
		c(1, 7, DeviceRWM),          // full
		c(5, 0, DeviceRWM),          // tty
		c(1, 5, DeviceRWM),          // zero
		c(1, 9, DeviceRWM),          // urandom
		c(136, Wildcard, DeviceRWM), // /dev/pts/*
		c(5, 2, DeviceRWM),          // ptmx
		c(10, 200, DeviceRWM),       // /dev/net/tun
	}
}

// AllowAllDevices is the list of a privileged container: one rule that
// lets every device through, as docker gives --privileged.
func AllowAllDevices() []DeviceRule {
	return []DeviceRule{{Type: AllDevices, Major: Wildcard, Minor: Wildcard, Access: DeviceRWM, Allow: true}}
}

// deviceList is a rule list reduced to what the v1 controller keeps: a
// default and exceptions to it, each exception a distinct device pattern.
type deviceList struct {
	defaultAllow bool
	exceptions   []DeviceRule // Allow is !defaultAllow in each
}

// reduceDeviceRules applies rules in order from "allow everything" (a
// new group's state under an unrestricted parent), as the v1 kernel does
// with each line written: a reset clears the exceptions; a rule of the
// opposite sense to the default adds its access to the exception of the
// same pattern (or a new one); a rule of the same sense takes its access
// away from that exception.
func reduceDeviceRules(rules []DeviceRule) deviceList {
	l := deviceList{defaultAllow: true}
	for _, r := range rules {
		if r.Type == AllDevices {
			l = deviceList{defaultAllow: r.Allow}
			continue
		}
		i := l.find(r)
		switch {
		case r.Allow != l.defaultAllow && i < 0:
			r.Allow = !l.defaultAllow
			l.exceptions = append(l.exceptions, r)
		case r.Allow != l.defaultAllow:
			l.exceptions[i].Access |= r.Access
		case i >= 0:
			l.exceptions[i].Access &^= r.Access
			if l.exceptions[i].Access == 0 {
				l.exceptions = append(l.exceptions[:i], l.exceptions[i+1:]...)
			}
		}
	}
	return l
}

// find returns the index of the exception with r's pattern, or -1.
func (l deviceList) find(r DeviceRule) int {
	for i, e := range l.exceptions {
		if e.Type == r.Type && e.Major == r.Major && e.Minor == r.Minor {
			return i
		}
	}
	return -1
}

// deviceWrites are the v1 writes that give a group the rules: a reset
// to the default, then each exception. nil rules allow every device.
func deviceWrites(rules []DeviceRule) []write {
	if rules == nil {
		return []write{{setting: "device-cgroup-rule", asked: "a *:* rwm", ctrl: "devices",
			file: "devices.allow", value: "a", reset: true}}
	}
	l := reduceDeviceRules(rules)
	reset, except := "devices.deny", "devices.allow"
	if l.defaultAllow {
		reset, except = except, reset
	}
	ws := []write{{setting: "device-cgroup-rule", asked: "a *:* rwm", ctrl: "devices", file: reset, value: "a"}}
	for _, e := range l.exceptions {
		ws = append(ws, write{setting: "device-cgroup-rule", asked: e.String(), ctrl: "devices", file: except, value: e.String()})
	}
	return ws
}
