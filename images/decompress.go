package images

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression of a tar stream, recognised by its magic bytes.
type compression int

const (
	uncompressed compression = iota
	compressedGzip
	compressedZstd
	compressedXz
	compressedBzip2
)

var magics = []struct {
	c     compression
	magic []byte
}{
	{compressedGzip, []byte{0x1f, 0x8b}},
	{compressedZstd, []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{compressedXz, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
	{compressedBzip2, []byte{'B', 'Z', 'h'}},
}

// detectCompression names the compression a stream starts with.
func detectCompression(head []byte) compression {
	for _, m := range magics {
		if bytes.HasPrefix(head, m.magic) {
			return m.c
		}
	}
	return uncompressed
}

// decompress returns the uncompressed content of r, which may be plain or
// compressed with gzip, zstd, xz or bzip2.
func decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(6)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read archive header: %w", err)
	}
	switch detectCompression(head) {
	case compressedGzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open gzip stream: %w", err)
		}
		return zr, nil
	case compressedZstd:
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open zstd stream: %w", err)
		}
		return zr.IOReadCloser(), nil
	case compressedXz:
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open xz stream: %w", err)
		}
		return io.NopCloser(xr), nil
	case compressedBzip2:
		return io.NopCloser(bzip2.NewReader(br)), nil
	default:
		return io.NopCloser(br), nil
	}
}
