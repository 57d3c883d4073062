package host

import "testing"

func TestParseProcStatCPU(t *testing.T) {
	stat := "cpu  10 20 30 40 50 60 70 80 90 100\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 5\n"
	got, err := parseProcStatCPU([]byte(stat))
	if want := uint64(10+20+30+40+50+60+70+80) * 1e7; err != nil || got != want {
		t.Fatalf("parseProcStatCPU = %d, %v; want %d (guest time is in user already)", got, err, want)
	}
	if _, err := parseProcStatCPU([]byte("intr 5\n")); err == nil {
		t.Fatal("parseProcStatCPU without a cpu line: no error")
	}
}
