package cgroups

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

func TestParseDeviceRule(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "c 1:3 mr", want: "c 1:3 rm"},
		{in: "c 1:3 rwm", want: "c 1:3 rwm"},
		{in: "b *:* m", want: "b *:* m"},
		{in: "c 136:* rw", want: "c 136:* rw"},
		{in: "a *:* rwm", want: "a *:* rwm"},
		{in: "c 10:237 rrw", want: "c 10:237 rw"},
		{in: "c 1:3", err: "invalid device cgroup format 'c 1:3'"},
		{in: "x 1:3 r", err: "invalid device cgroup format 'x 1:3 r'"},
		{in: "c 1:3 rwmr", err: "invalid device cgroup format 'c 1:3 rwmr'"},
		{in: "c 1:3 x", err: "invalid device cgroup format 'c 1:3 x'"},
		{in: "c -1:3 r", err: "invalid device cgroup format 'c -1:3 r'"},
		{in: " c 1:3 r", err: "invalid device cgroup format ' c 1:3 r'"},
		{in: "c 99999999999:3 r", err: "invalid major value in device cgroup rule format: 'c 99999999999:3 r'"},
		{in: "c 1:99999999999 r", err: "invalid minor value in device cgroup rule format: 'c 1:99999999999 r'"},
	}
	for _, tt := range tests {
		r, err := ParseDeviceRule(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseDeviceRule(%q) = %v, %v; want error %q", tt.in, r, err, tt.err)
			}
			continue
		}
		if err != nil || r.String() != tt.want || !r.Allow {
			t.Errorf("ParseDeviceRule(%q) = %v (allow %v), %v; want %s", tt.in, r, r.Allow, err, tt.want)
		}
	}
}

func TestParseDeviceAccess(t *testing.T) {
	for in, want := range map[string]DeviceAccess{
		"r": DeviceRead, "w": DeviceWrite, "m": DeviceMknod, "rwm": DeviceRWM, "mr": DeviceRead | DeviceMknod,
		"": 0, "rr": 0, "x": 0, "rwx": 0,
	} {
		got, ok := ParseDeviceAccess(in)
		if got != want || ok != (want != 0) {
			t.Errorf("ParseDeviceAccess(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}

func mustRules(t testing.TB, base []DeviceRule, extra ...string) []DeviceRule {
	t.Helper()
	rules := append([]DeviceRule(nil), base...)
	for _, s := range extra {
		deny := strings.HasPrefix(s, "!")
		r, err := ParseDeviceRule(strings.TrimPrefix(s, "!"))
		if err != nil {
			t.Fatal(err)
		}
		r.Allow = !deny
		rules = append(rules, r)
	}
	return rules
}

// access is one device access asked of a rule list.
type access struct {
	typ          DeviceType
	major, minor uint32
	access       DeviceAccess
	want         bool
}

func (a access) String() string {
	return fmt.Sprintf("%c %d:%d %s", a.typ, a.major, a.minor, a.access)
}

// deviceDecisions is the table both the Go decision and the compiled
// eBPF program are held to. "!rule" in extra is a denying rule.
func deviceDecisions(t testing.TB) []struct {
	name  string
	rules []DeviceRule
	cases []access
} {
	rw, r, w, m := DeviceRead|DeviceWrite, DeviceRead, DeviceWrite, DeviceMknod
	deny := DeviceRule{Type: AllDevices, Major: Wildcard, Minor: Wildcard, Access: DeviceRWM}
	return []struct {
		name  string
		rules []DeviceRule
		cases []access
	}{
		{"docker's default", DefaultDeviceRules(), []access{
			{'c', 1, 3, rw, true}, {'c', 1, 5, rw, true}, {'c', 1, 7, rw, true}, {'c', 1, 8, r, true},
			{'c', 1, 9, rw, true}, {'c', 5, 0, rw, true}, {'c', 5, 1, rw, true}, {'c', 5, 2, rw, true},
			{'c', 136, 0, rw, true}, {'c', 136, 77, rw, true}, {'c', 10, 200, rw, true},
			{'c', 1, 3, DeviceRWM, true},
			{'c', 10, 237, m, true}, {'b', 7, 0, m, true}, {'c', 10, 232, m, true},
			{'c', 10, 237, rw, false}, {'c', 10, 237, r, false}, {'c', 10, 237, w, false},
			{'b', 7, 0, r, false}, {'b', 1, 3, r, false}, {'b', 8, 0, w, false},
			{'c', 10, 232, rw, false}, {'c', 10, 229, rw, false}, {'c', 4, 1, rw, false},
			{'c', 1, 1, r, false}, {'c', 137, 0, rw, false}, {'c', 5, 3, r, false},
		}},
		{"--device /dev/loop-control", mustRules(t, DefaultDeviceRules(), "c 10:237 rwm"), []access{
			{'c', 10, 237, rw, true}, {'c', 10, 236, rw, false}, {'c', 1, 3, rw, true},
		}},
		{"a read-only rule", mustRules(t, DefaultDeviceRules(), "c 1:1 r"), []access{
			{'c', 1, 1, r, true}, {'c', 1, 1, w, false}, {'c', 1, 1, rw, false}, {'c', 1, 1, m, true},
		}},
		{"a wildcard minor", mustRules(t, DefaultDeviceRules(), "b 7:* rw"), []access{
			{'b', 7, 0, rw, true}, {'b', 7, 12, r, true}, {'b', 8, 0, r, false}, {'c', 7, 0, r, false},
		}},
		{"fuse allowed after docker's deny", mustRules(t, DefaultDeviceRules(), "c 10:229 rwm"), []access{
			{'c', 10, 229, rw, true},
		}},
		{"a *:* rwm allows everything", mustRules(t, DefaultDeviceRules(), "a *:* rwm"), []access{
			{'b', 7, 0, rw, true}, {'c', 10, 237, rw, true},
		}},
		{"privileged", AllowAllDevices(), []access{
			{'b', 7, 0, rw, true}, {'c', 10, 237, DeviceRWM, true}, {'c', 1, 3, rw, true},
		}},
		{"denying list", mustRules(t, AllowAllDevices(), "!c 1:1 r", "!b 7:* rwm"), []access{
			{'c', 1, 1, r, false}, {'c', 1, 1, rw, false}, {'c', 1, 1, w, true}, {'c', 1, 3, rw, true},
			{'b', 7, 3, m, false}, {'b', 8, 0, rw, true},
		}},
		{"a deny takes access away", mustRules(t, []DeviceRule{deny}, "c 1:3 rwm", "!c 1:3 w"), []access{
			{'c', 1, 3, r, true}, {'c', 1, 3, rw, false}, {'c', 1, 3, m, true},
		}},
		{"a deny removes an exception", mustRules(t, []DeviceRule{deny}, "c 1:3 rw", "!c 1:3 rw"), []access{
			{'c', 1, 3, r, false},
		}},
		{"a deny cannot punch a hole in a wildcard", mustRules(t, []DeviceRule{deny}, "c *:* rw", "!c 1:3 rw"), []access{
			{'c', 1, 3, r, true}, {'b', 1, 3, r, false},
		}},
		{"deny everything", []DeviceRule{deny}, []access{
			{'c', 1, 3, r, false}, {'c', 1, 3, m, false},
		}},
	}
}

func TestDeviceDecisions(t *testing.T) {
	for _, tt := range deviceDecisions(t) {
		l := reduceDeviceRules(tt.rules)
		for _, a := range tt.cases {
			if got := l.allows(a.typ, a.major, a.minor, a.access); got != a.want {
				t.Errorf("%s: %s allowed = %v, want %v", tt.name, a, got, a.want)
			}
		}
	}
}

// TestDeviceProgramDecidesAsTheRules runs each compiled program on the
// same table as TestDeviceDecisions, in a small interpreter of the
// instructions deviceProgram emits.
func TestDeviceProgramDecidesAsTheRules(t *testing.T) {
	for _, tt := range deviceDecisions(t) {
		insns, err := deviceProgram(tt.rules)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, a := range tt.cases {
			got, err := runDeviceProgram(insns, a)
			if err != nil {
				t.Fatalf("%s: %v\n%v", tt.name, err, insns)
			}
			if got != a.want {
				t.Errorf("%s: program says %s allowed = %v, want %v\n%v", tt.name, a, got, a.want, insns)
			}
		}
	}
}

func TestDeviceProgramOfDefaultRules(t *testing.T) {
	insns, err := deviceProgram(DefaultDeviceRules())
	if err != nil {
		t.Fatal(err)
	}
	// Twelve exceptions (null, zero, full, random, urandom, tty,
	// console, ptmx, ptys, tun, and mknod of char and block nodes), then
	// the default.
	if got := len(reduceDeviceRules(DefaultDeviceRules()).exceptions); got != 12 {
		t.Errorf("default rules reduce to %d exceptions, want 12", got)
	}
	if last := insns[len(insns)-2]; last.Constant != 0 || last.Symbol() != "rule12" {
		t.Errorf("program does not end by denying at rule12: %v", last)
	}
	bad := append(DefaultDeviceRules(), DeviceRule{Type: 'x', Access: DeviceRead, Allow: true})
	if _, err := deviceProgram(bad); err == nil {
		t.Error("a rule of type x compiled")
	}
}

func TestDeviceWrites(t *testing.T) {
	tests := []struct {
		name  string
		rules []DeviceRule
		want  string
	}{
		{"no filter", nil, "devices.allow=a"},
		{"privileged", AllowAllDevices(), "devices.allow=a"},
		{"default plus a rule", mustRules(t, DefaultDeviceRules(), "c 10:237 r"), `
devices.deny=a
devices.allow=c 1:5 rwm
devices.allow=c 1:3 rwm
devices.allow=c 1:9 rwm
devices.allow=c 1:8 rwm
devices.allow=c 5:0 rwm
devices.allow=c 5:1 rwm
devices.allow=c *:* m
devices.allow=b *:* m
devices.allow=c 1:7 rwm
devices.allow=c 136:* rwm
devices.allow=c 5:2 rwm
devices.allow=c 10:200 rwm
devices.allow=c 10:237 r`[1:]},
		{"denying list", mustRules(t, AllowAllDevices(), "!c 1:1 r"), "devices.allow=a\ndevices.deny=c 1:1 r"},
	}
	for _, tt := range tests {
		var lines []string
		for _, w := range deviceWrites(tt.rules) {
			lines = append(lines, w.file+"="+w.value)
		}
		if got := strings.Join(lines, "\n"); got != tt.want {
			t.Errorf("%s: deviceWrites =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestInvalidDeviceRuleIsASettingError(t *testing.T) {
	for _, r := range []DeviceRule{
		{Type: 'x', Access: DeviceRead, Allow: true},
		{Type: CharDevice, Major: -2, Access: DeviceRead},
		{Type: CharDevice, Minor: 1 << 33, Access: DeviceRead},
		{Type: CharDevice, Access: 0},
		{Type: CharDevice, Access: 8},
	} {
		err := Resources{Devices: []DeviceRule{r}}.validate()
		if se, ok := err.(*SettingError); !ok || se.Setting != "device-cgroup-rule" {
			t.Errorf("validate(%+v) = %v, want a device-cgroup-rule SettingError", r, err)
		}
	}
}

// runDeviceProgram interprets the instructions deviceProgram emits for
// one access, as the kernel would run the program.
func runDeviceProgram(insns asm.Instructions, a access) (bool, error) {
	typ := uint64(bpfDevChar)
	if a.typ == BlockDevice {
		typ = bpfDevBlock
	}
	ctx := map[int16]uint64{
		ctxAccessType: uint64(a.access)<<16 | typ,
		ctxMajor:      uint64(a.major),
		ctxMinor:      uint64(a.minor),
	}
	labels := map[string]int{}
	for i, ins := range insns {
		if s := ins.Symbol(); s != "" {
			labels[s] = i
		}
	}
	var reg [11]uint64
	for pc, steps := 0, 0; pc < len(insns) && steps < 1000; steps++ {
		ins := insns[pc]
		op := ins.OpCode
		src := uint64(ins.Constant)
		if op.Source() == asm.RegSource {
			src = reg[ins.Src]
		}
		pc++
		switch op.Class() {
		case asm.LdXClass:
			v, ok := ctx[ins.Offset]
			if ins.Src != regCtx || !ok || op.Size() != asm.Word {
				return false, fmt.Errorf("unexpected load %v", ins)
			}
			reg[ins.Dst] = v
		case asm.ALUClass, asm.ALU64Class:
			switch op.ALUOp() {
			case asm.Mov:
				reg[ins.Dst] = src
			case asm.And:
				reg[ins.Dst] &= src
			case asm.RSh:
				reg[ins.Dst] >>= src
			default:
				return false, fmt.Errorf("unexpected ALU op %v", ins)
			}
			if op.Class() == asm.ALUClass {
				reg[ins.Dst] = uint64(uint32(reg[ins.Dst]))
			}
		case asm.JumpClass, asm.Jump32Class:
			dst := reg[ins.Dst]
			if op.Class() == asm.Jump32Class {
				dst, src = uint64(uint32(dst)), uint64(uint32(src))
			}
			var jump bool
			switch op.JumpOp() {
			case asm.Exit:
				return reg[asm.R0] == 1, nil
			case asm.JEq:
				jump = dst == src
			case asm.JNE:
				jump = dst != src
			default:
				return false, fmt.Errorf("unexpected jump %v", ins)
			}
			if jump {
				target, ok := labels[ins.Reference()]
				if !ok {
					return false, fmt.Errorf("jump to unknown label %q", ins.Reference())
				}
				pc = target
			}
		default:
			return false, fmt.Errorf("unexpected instruction %v", ins)
		}
	}
	return false, fmt.Errorf("program ran off its end")
}

// allows decides an access as the v1 kernel does (the tests' model of
// the v1 controller): on a denying list
// one exception must grant all of the access asked for; on an allowing
// list no exception may take away any part of it. The eBPF program of
// v2 (deviceProgram) decides the same.
func (l deviceList) allows(typ DeviceType, major, minor uint32, access DeviceAccess) bool {
	for _, e := range l.exceptions {
		if !e.matches(typ, major, minor) {
			continue
		}
		if l.defaultAllow && access&e.Access != 0 {
			return false
		}
		if !l.defaultAllow && access&^e.Access == 0 {
			return true
		}
	}
	return l.defaultAllow
}

func (r DeviceRule) matches(typ DeviceType, major, minor uint32) bool {
	return r.Type == typ &&
		(r.Major == Wildcard || r.Major == int64(major)) &&
		(r.Minor == Wildcard || r.Minor == int64(minor))
}
