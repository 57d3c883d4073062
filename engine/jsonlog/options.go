package jsonlog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Options controls rotation and the space a log leaves free. The zero
// value never rotates, and stops writing only when the disk is full.
type Options struct {
	// MaxSize is the size in bytes past which the log is rotated
	// (docker's max-size). Zero or negative: never rotate.
	MaxSize int64
	// MaxFile is how many files are kept, the live one included
	// (docker's max-file): path, path.1 … path.MaxFile-1. Zero means 1,
	// in which case the file is truncated when it reaches MaxSize.
	MaxFile int
	// MinFree is the free space, in bytes, the log leaves on its
	// filesystem: below it the Writer drops output (counting it) until
	// there is MinFree and a margin again (see space.go). Zero: it drops
	// only when a write fails for want of space. Not a --log-opt.
	MinFree int64
}

// ParseOptions reads docker's json-file --log-opt keys (max-size, max-file)
// from opts. Any other key is an error, as it is for docker.
func ParseOptions(opts map[string]string) (Options, error) {
	var o Options
	for k, v := range opts {
		switch k {
		case "max-size":
			n, err := ParseSize(v)
			if err != nil {
				return Options{}, err
			}
			o.MaxSize = n
		case "max-file":
			n, err := ParseMaxFile(v)
			if err != nil {
				return Options{}, err
			}
			o.MaxFile = n
		default:
			return Options{}, fmt.Errorf("%w: unknown log opt %q for json-file log driver (known: max-size, max-file)", ErrBadOption, k)
		}
	}
	return o, nil
}

// ParseSize parses a max-size value as docker does (go-units FromHumanSize):
// a number with an optional decimal unit k, m, g, t or p (case-insensitive,
// optionally followed by "b" or "ib", all meaning powers of 1000), e.g.
// "500k", "10m", "1.5g", "4096". The size must be positive.
func ParseSize(s string) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("%w: max-size %q: %s (examples: 500k, 10m, 1g)", ErrBadOption, s, why)
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return bad("empty")
	}
	lower := strings.ToLower(t)
	lower = strings.TrimSuffix(lower, "b")
	lower = strings.TrimSuffix(lower, "i")
	mult := 1.0
	if n := len(lower); n > 0 {
		switch lower[n-1] {
		case 'k':
			mult = 1e3
		case 'm':
			mult = 1e6
		case 'g':
			mult = 1e9
		case 't':
			mult = 1e12
		case 'p':
			mult = 1e15
		}
		if mult != 1 {
			lower = lower[:n-1]
		}
	}
	lower = strings.TrimSuffix(lower, " ")
	if lower == "" || !isDecimal(lower) {
		return bad("not a size")
	}
	f, err := strconv.ParseFloat(lower, 64)
	if err != nil {
		return bad("not a size")
	}
	v := f * mult
	if v >= math.MaxInt64 {
		return bad("too large")
	}
	if int64(v) <= 0 {
		return bad("must be a positive number")
	}
	return int64(v), nil
}

// isDecimal reports whether s is digits with at most one decimal point
// between digits: no sign, exponent, hex or spaces.
func isDecimal(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return true
}

// ParseMaxFile parses a max-file value: a whole number of at least 1.
func ParseMaxFile(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%w: max-file %q: not a whole number", ErrBadOption, s)
	}
	if n < 1 {
		return 0, fmt.Errorf("%w: max-file %q: cannot be less than 1", ErrBadOption, s)
	}
	if n > 1000 {
		return 0, fmt.Errorf("%w: max-file %q: more than 1000 files", ErrBadOption, s)
	}
	return n, nil
}
