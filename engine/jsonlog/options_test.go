package jsonlog

import (
	"errors"
	"testing"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"10m", 10_000_000, false},
		{"10M", 10_000_000, false},
		{"10mb", 10_000_000, false},
		{"10MiB", 10_000_000, false},
		{"1g", 1_000_000_000, false},
		{"500k", 500_000, false},
		{"500kb", 500_000, false},
		{"1.5m", 1_500_000, false},
		{"4096", 4096, false},
		{"4096b", 4096, false},
		{"2t", 2_000_000_000_000, false},
		{"10 m", 10_000_000, false},
		{" 10m ", 10_000_000, false},
		{"", 0, true},
		{"m", 0, true},
		{"0", 0, true},
		{"0k", 0, true},
		{"-1m", 0, true},
		{"10x", 0, true},
		{"ten", 0, true},
		{"1e3", 0, true},
		{"1..5m", 0, true},
		{".5m", 0, true},
		{"5.m", 0, true},
		{"0x10", 0, true},
		{"99999999p", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.wantErr {
			if err == nil || !errors.Is(err, ErrBadOption) {
				t.Errorf("ParseSize(%q) = %d, %v; want ErrBadOption", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMaxFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"1", 1, false},
		{"3", 3, false},
		{" 5 ", 5, false},
		{"0", 0, true},
		{"-2", 0, true},
		{"", 0, true},
		{"three", 0, true},
		{"1.5", 0, true},
		{"1001", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMaxFile(tt.in)
		if tt.wantErr {
			if err == nil || !errors.Is(err, ErrBadOption) {
				t.Errorf("ParseMaxFile(%q) = %d, %v; want ErrBadOption", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMaxFile(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      map[string]string
		want    Options
		wantErr bool
	}{
		{"empty", nil, Options{}, false},
		{"both", map[string]string{"max-size": "10m", "max-file": "3"}, Options{MaxSize: 10_000_000, MaxFile: 3}, false},
		{"size only", map[string]string{"max-size": "1k"}, Options{MaxSize: 1000}, false},
		{"bad size", map[string]string{"max-size": "lots"}, Options{}, true},
		{"bad file", map[string]string{"max-size": "1m", "max-file": "0"}, Options{}, true},
		{"unknown key", map[string]string{"compress": "true"}, Options{}, true},
	}
	for _, tt := range tests {
		got, err := ParseOptions(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrBadOption) {
				t.Errorf("%s: err = %v; want ErrBadOption", tt.name, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}
