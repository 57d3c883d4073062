package images

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkImportBusybox imports a busybox root filesystem (about 1 MiB, 400
// entries) per iteration.
func BenchmarkImportBusybox(b *testing.B) {
	requireRoot(b)
	data := busyboxTar(b)
	s := openStore(b, "")
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Import(bytes.NewReader(data), fmt.Sprintf("bench:%d", i), ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList lists a store of 200 images.
func BenchmarkList(b *testing.B) {
	requireRoot(b)
	s := openStore(b, "")
	for i := range 200 {
		commitLayers(b, s, fmt.Sprintf("app:%d", i), makeTar(b, tarEntry{name: fmt.Sprint(i), body: "x"}))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		list, err := s.List()
		if err != nil || len(list) != 200 {
			b.Fatal(len(list), err)
		}
	}
}
