package api

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestQueryFilters(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want map[string][]string
		bad  bool
	}{
		{raw: "", want: map[string][]string{}},
		{raw: `{"dangling":{"true":true}}`, want: map[string][]string{"dangling": {"true"}}},
		{raw: `{"label":{"a=b":true,"c":false}}`, want: map[string][]string{"label": {"a=b"}}},
		{raw: `{"reference":["busybox","alpine"]}`, want: map[string][]string{"reference": {"busybox", "alpine"}}},
		{raw: `{"label":"a"}`, bad: true},
		{raw: `[1]`, bad: true},
	} {
		r := &http.Request{URL: &url.URL{RawQuery: url.Values{"filters": {tc.raw}}.Encode()}}
		got, err := queryFilters(r)
		if tc.bad {
			if err == nil || statusOf(err) != http.StatusBadRequest {
				t.Errorf("%s: err = %v, want a bad request", tc.raw, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(map[string][]string(got), tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.raw, got, err, tc.want)
		}
	}
}

func TestQueryBool(t *testing.T) {
	for value, want := range map[string]bool{"": false, "0": false, "false": false, "False": false, "no": false, "none": false, "1": true, "true": true, "True": true, "yes": true} {
		r := &http.Request{URL: &url.URL{RawQuery: "q=" + value}}
		if got := queryBool(r, "q"); got != want {
			t.Errorf("queryBool(%q) = %v, want %v", value, got, want)
		}
	}
}

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for value, want := range map[string]time.Time{
		"10m":                  now.Add(-10 * time.Minute),
		"1700000000":           time.Unix(1700000000, 0),
		"2025-05-06T07:08:09Z": time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC),
	} {
		got, err := parseUntil(value, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseUntil(%q) = %v, %v; want %v", value, got, err, want)
		}
	}
	if _, err := parseUntil("soon", now); err == nil {
		t.Errorf("parseUntil(soon) succeeded")
	}
}

func TestWithTag(t *testing.T) {
	for _, tc := range []struct{ name, tag, want string }{
		{"busybox", "", "busybox"},
		{"busybox", "1.36", "busybox:1.36"},
		{"127.0.0.1:5000/team/app", "v1", "127.0.0.1:5000/team/app:v1"},
		{"busybox", "sha256:abc", "busybox@sha256:abc"},
	} {
		if got := withTag(tc.name, tc.tag); got != tc.want {
			t.Errorf("withTag(%q, %q) = %q, want %q", tc.name, tc.tag, got, tc.want)
		}
	}
	for ref, want := range map[string]bool{"busybox": false, "busybox:1": true, "127.0.0.1:5000/app": false, "127.0.0.1:5000/app:1": true, "app@sha256:abc": true} {
		if got := namesTagOrDigest(ref); got != want {
			t.Errorf("namesTagOrDigest(%q) = %v", ref, got)
		}
	}
}
