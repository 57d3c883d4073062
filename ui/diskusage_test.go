package ui

import (
	"testing"
	"time"
)

// TestDiskUsageWait: the header's disk figure is walked again every
// diskUsageEvery while a walk is quick, and never spends more than a
// thousandth of the time walking when it is not (a data root of 500
// containers).
func TestDiskUsageWait(t *testing.T) {
	for _, tc := range []struct {
		took, want time.Duration
	}{
		{0, diskUsageEvery},
		{3 * time.Millisecond, diskUsageEvery},
		{30 * time.Millisecond, diskUsageEvery},
		{70 * time.Millisecond, 70 * time.Second},
		{2 * time.Second, 2000 * time.Second},
	} {
		if got := diskUsageWait(tc.took); got != tc.want {
			t.Errorf("after a walk of %v the figure stands %v, want %v", tc.took, got, tc.want)
		}
	}
}
