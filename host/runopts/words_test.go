package runopts

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplitWords(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		err  error
	}{
		{"", nil, nil},
		{"  sleep   10 ", []string{"sleep", "10"}, nil},
		{`sh -c "echo hi; sleep 9"`, []string{"sh", "-c", "echo hi; sleep 9"}, nil},
		{`A=1 'B=two words'`, []string{"A=1", "B=two words"}, nil},
		{`a\ b 'it''s' "q\"t"`, []string{"a b", "its", `q"t`}, nil},
		{`'\'`, []string{`\`}, nil},
		{`""`, []string{""}, nil},
		{"a\tb", []string{"a", "b"}, nil},
		{`sh -c "echo`, nil, ErrUnterminatedQuote},
		{`x\`, nil, ErrUnterminatedQuote},
	} {
		got, err := SplitWords(tt.in)
		if !errors.Is(err, tt.err) || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitWords(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
