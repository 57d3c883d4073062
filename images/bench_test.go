package images

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
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

// BenchmarkPull pulls an image with a 100 MB layer from an in-process
// registry on loopback into a fresh store; MB/s is pull throughput.
func BenchmarkPull(b *testing.B) {
	requireRoot(b)
	const size = 100 << 20
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(i*2654435761>>13) ^ byte(i)
	}
	host := benchRegistry(b)
	src := openStore(b, "")
	img := commitLayers(b, src, "big", makeTar(b, tarEntry{name: "data", body: string(body)}))
	if _, err := src.Push(context.Background(), img.ID, host+"/big:1", PushOptions{Registry: regOpts()}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := openStore(b, "")
		b.StartTimer()
		if _, err := dst.Pull(context.Background(), host+"/big:1", PullOptions{Registry: regOpts()}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRegistry(b *testing.B) string {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	b.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// BenchmarkRunBigImage is the image store's part of `berth run` for an
// image already unpacked: look the image up, then make a container's
// writable layer over its 25 layers (100 MiB of content, overlay2).
func BenchmarkRunBigImage(b *testing.B) {
	s := bigImageStore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		img, err := s.Lookup("big:1")
		if err != nil {
			b.Fatal(err)
		}
		id := fmt.Sprintf("bench-%d", i)
		if _, err := s.CreateRootfs(id, img.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.RemoveRootfs(id); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkLookupBigImage is the part of BenchmarkRunBigImage that reads
// the image (record and config), without making the writable layer, whose
// fsyncs dominate the whole.
func BenchmarkLookupBigImage(b *testing.B) {
	s := bigImageStore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Lookup("big:1"); err != nil {
			b.Fatal(err)
		}
	}
}

// bigImageStore holds big:1, an image of 25 layers and 100 MiB of content.
func bigImageStore(b *testing.B) *Store {
	requireRoot(b)
	s := openStore(b, DriverOverlay2)
	var layers [][]byte
	for i := range 25 {
		body := make([]byte, 100<<20/25)
		for j := range body {
			body[j] = byte(j*2654435761>>13) ^ byte(i)
		}
		layers = append(layers, makeTar(b, tarEntry{name: fmt.Sprintf("layer%d", i), body: string(body)}))
	}
	commitLayers(b, s, "big:1", layers...)
	return s
}
