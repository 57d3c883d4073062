package api

import (
	"context"
	"strconv"
	"strings"
)

// The API versions the server answers: MaxVersion is the version of the
// Moby API types it speaks; MinVersion is the oldest a client may ask for,
// the one the Go client still accepts (Debian's docker 20.10 CLI and
// docker-py 5 ask for 1.41). A request without a version gets MaxVersion.
const (
	MinVersion = "1.40"
	MaxVersion = "1.57"
)

type versionKey struct{}

// requestVersion is the API version a request was made with.
func requestVersion(ctx context.Context) string {
	if v, ok := ctx.Value(versionKey{}).(string); ok {
		return v
	}
	return MaxVersion
}

// versionBefore reports whether the request's API version is older than v:
// a handler uses it to add what older clients still read.
func versionBefore(ctx context.Context, v string) bool {
	return compareVersions(requestVersion(ctx), v) < 0
}

// splitVersion takes "/v1.41/containers/json" apart into "1.41" and
// "/containers/json"; a path without a version comes back whole with "".
func splitVersion(path string) (version, rest string) {
	if !strings.HasPrefix(path, "/v") {
		return "", path
	}
	end := strings.IndexByte(path[1:], '/')
	if end < 0 {
		end = len(path) - 1
	}
	v := path[2 : end+1]
	if _, _, ok := parseVersion(v); !ok {
		return "", path
	}
	return v, path[end+1:]
}

// checkVersion refuses a version outside MinVersion..MaxVersion with
// dockerd's words.
func checkVersion(v string) error {
	if compareVersions(v, MaxVersion) > 0 {
		return invalidf("client version %s is too new. Maximum supported API version is %s", v, MaxVersion)
	}
	if compareVersions(v, MinVersion) < 0 {
		return invalidf("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", v, MinVersion)
	}
	return nil
}

func parseVersion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil && major >= 0 && minor >= 0
}

// compareVersions orders two API versions ("1.9" < "1.41"); an unreadable
// one sorts first.
func compareVersions(a, b string) int {
	am, an, _ := parseVersion(a)
	bm, bn, _ := parseVersion(b)
	if am != bm {
		return am - bm
	}
	return an - bn
}
