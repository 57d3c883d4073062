package cgroups

import "fmt"

// BlockIO is a group's block I/O weight and throttles, each with the
// meaning of docker's flag: --blkio-weight, --device-read-bps,
// --device-write-bps, --device-read-iops, --device-write-iops. The zero
// value sets nothing.
type BlockIO struct {
	// Weight is the group's relative share of disk time, 10…1000
	// (blkio.weight on v1; on v2 io.bfq.weight, else io.weight after
	// runc's conversion to 1…10000). 0 leaves the kernel's.
	Weight uint16
	// ReadBps, WriteBps, ReadIOps and WriteIOps cap the group's
	// bytes or operations per second on one device each.
	ReadBps, WriteBps, ReadIOps, WriteIOps []Throttle
}

// Throttle is one device's limit: its numbers and a rate (bytes or
// operations per second).
type Throttle struct {
	Major, Minor uint32
	Rate         uint64
}

func (t Throttle) device() string { return fmt.Sprintf("%d:%d", t.Major, t.Minor) }

// Docker's bounds for --blkio-weight, and v2's io.weight range.
const (
	minBlkioWeight = 10
	maxBlkioWeight = 1000
	maxIOWeight    = 10000
)

func (b BlockIO) validate() error {
	if b.Weight != 0 && (b.Weight < minBlkioWeight || b.Weight > maxBlkioWeight) {
		return invalid("blkio-weight", b.Weight, "must be between 10 and 1000")
	}
	return nil
}

// throttleKinds pairs each throttle list with docker's flag, v1's file
// and v2's io.max key.
func (b BlockIO) throttleKinds() [4]struct {
	setting, v1File, v2Key string
	list                   []Throttle
} {
	type kind = struct {
		setting, v1File, v2Key string
		list                   []Throttle
	}
	return [4]kind{
		{"device-read-bps", "blkio.throttle.read_bps_device", "rbps", b.ReadBps},
		{"device-write-bps", "blkio.throttle.write_bps_device", "wbps", b.WriteBps},
		{"device-read-iops", "blkio.throttle.read_iops_device", "riops", b.ReadIOps},
		{"device-write-iops", "blkio.throttle.write_iops_device", "wiops", b.WriteIOps},
	}
}

// writesV1 is the blkio controller's part of a v1 plan; weightFile is
// blkio.weight or blkio.bfq.weight, whichever the kernel has ("" when
// none: a weight is then refused by apply, naming the file).
func (b BlockIO) writesV1(weightFile string) []write {
	var ws []write
	if b.Weight != 0 {
		ws = append(ws, write{setting: "blkio-weight", asked: utoa(uint64(b.Weight)), ctrl: "blkio",
			file: orDefault(weightFile, "blkio.weight"), value: utoa(uint64(b.Weight))})
	}
	for _, k := range b.throttleKinds() {
		for _, t := range k.list {
			ws = append(ws, write{setting: k.setting, asked: t.device() + ":" + utoa(t.Rate), ctrl: "blkio",
				file: k.v1File, value: t.device() + " " + utoa(t.Rate)})
		}
	}
	return ws
}

// writesV2 is the io controller's part of a v2 plan; weightFile is
// io.bfq.weight or io.weight.
func (b BlockIO) writesV2(weightFile string) []write {
	var ws []write
	if b.Weight != 0 {
		file := orDefault(weightFile, "io.weight")
		value := utoa(uint64(b.Weight))
		if file == "io.weight" {
			value = "default " + utoa(blkioToIOWeight(b.Weight))
		}
		ws = append(ws, write{setting: "blkio-weight", asked: utoa(uint64(b.Weight)), ctrl: "io",
			file: file, value: value})
	}
	for _, k := range b.throttleKinds() {
		for _, t := range k.list {
			ws = append(ws, write{setting: k.setting, asked: t.device() + ":" + utoa(t.Rate), ctrl: "io",
				file: "io.max", value: t.device() + " " + k.v2Key + "=" + utoa(t.Rate)})
		}
	}
	return ws
}

// blkioToIOWeight maps v1's 10…1000 onto v2's 1…10000, as runc does.
func blkioToIOWeight(w uint16) uint64 {
	return 1 + (uint64(w)-minBlkioWeight)*(maxIOWeight-1)/(maxBlkioWeight-minBlkioWeight)
}
