package network

import (
	"strings"
	"testing"
)

func TestParseNetDev(t *testing.T) {
	const header = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
`
	tests := []struct {
		name    string
		in      string
		want    Counters
		wantErr bool
	}{
		{"lo only", header + "    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0\n", Counters{}, false},
		{"eth0 and lo", header +
			"    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0\n" +
			"  eth0:    1000      10    1    2    0     0          0         0     2000      20    3    4    0     0       0          0\n",
			Counters{RxBytes: 1000, RxPackets: 10, RxErrors: 1, RxDropped: 2, TxBytes: 2000, TxPackets: 20, TxErrors: 3, TxDropped: 4}, false},
		{"two interfaces are summed", header +
			"  eth0:100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n" +
			"  eth1:1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n",
			Counters{RxBytes: 1100, RxPackets: 11, TxBytes: 2200, TxPackets: 22}, false},
		{"short line", header + "  eth0: 1 2 3\n", Counters{}, true},
		{"not a number", header + "  eth0: x 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n", Counters{}, true},
	}
	for _, tt := range tests {
		got, err := parseNetDev(strings.NewReader(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %+v, %v", tt.name, got, err)
		}
	}
}
