package filters

import (
	"reflect"
	"testing"
)

func TestParseJSON(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Args
		wantErr bool
	}{
		{in: "", want: Args{}},
		{in: `{"status":{"exited":true,"created":true},"label":{"a=b":true}}`, want: Args{"status": {"created", "exited"}, "label": {"a=b"}}},
		{in: `{"name":{"web":false}}`, want: Args{}},
		{in: `{"status":["exited","exited","dead"]}`, want: Args{"status": {"exited", "dead"}}},
		{in: `{"status":"exited"}`, wantErr: true},
		{in: `not json`, wantErr: true},
	} {
		got, err := ParseJSON(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseJSON(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseJSON(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
