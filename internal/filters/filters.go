// Package filters is docker's -f/--filter language: repeated key=value
// conditions, every key must hold and, for most keys, any one of its
// values suffices. Args holds them; its methods are docker's matching
// rules (an exact value or a regular expression, label lists, booleans,
// port ranges), each a pure function with table tests. What a key means
// for containers, images or networks is the caller's.
package filters

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Args are parsed filters: key → values, in the order given, without
// repeats. A nil Args filters nothing.
type Args map[string][]string

// Parse turns repeated -f values ("name=web", "label=a=b") into Args:
// the key lower-cased and trimmed, the value trimmed, as docker's CLI.
func Parse(values []string) (Args, error) {
	args := Args{}
	for _, v := range values {
		key, value, ok := strings.Cut(v, "=")
		if !ok {
			return nil, fmt.Errorf("bad format of filter (expected name=value): %s", v)
		}
		args.Add(strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value))
	}
	return args, nil
}

// Add adds one condition.
func (a Args) Add(key, value string) {
	if !slices.Contains(a[key], value) {
		a[key] = append(a[key], value)
	}
}

// Contains reports whether key has any condition.
func (a Args) Contains(key string) bool { return len(a[key]) > 0 }

// Validate fails on the first key not among accepted, with docker's
// message ("invalid filter 'foo'").
func (a Args) Validate(accepted ...string) error {
	for _, key := range slices.Sorted(maps.Keys(a)) {
		if !slices.Contains(accepted, key) {
			return InvalidFilter(key, "")
		}
	}
	return nil
}

// InvalidFilter is docker's "invalid filter 'key'" or "invalid filter
// 'key=value'".
func InvalidFilter(key, value string) error {
	if value == "" {
		return fmt.Errorf("invalid filter '%s'", key)
	}
	return fmt.Errorf("invalid filter '%s=%s'", key, value)
}

// ExactMatch reports whether source is one of key's values; true when key
// has none.
func (a Args) ExactMatch(key, source string) bool {
	values := a[key]
	return len(values) == 0 || slices.Contains(values, source)
}

// Match is docker's name and id rule: source equals one of key's values or
// one of them, as an unanchored regular expression, matches it (a value
// that is no valid expression matches only exactly); true when key has
// none.
func (a Args) Match(key, source string) bool {
	if a.ExactMatch(key, source) {
		return true
	}
	for _, v := range a[key] {
		if re, err := regexp.Compile(v); err == nil && re.MatchString(source) {
			return true
		}
	}
	return false
}

// MatchKVList is docker's label rule: every one of key's values, "k" or
// "k=v", holds in labels; true when key has none.
func (a Args) MatchKVList(key string, labels map[string]string) bool {
	for _, v := range a[key] {
		k, want, hasValue := strings.Cut(v, "=")
		got, ok := labels[k]
		if !ok || hasValue && got != want {
			return false
		}
	}
	return true
}

// Bool is a yes/no filter such as dangling or is-task: "true"/"1" or
// "false"/"0"; set is false when key is absent. Any other value, or two
// that disagree, is docker's "invalid filter 'key=value'".
func (a Args) Bool(key string) (value, set bool, err error) {
	values := a[key]
	if len(values) == 0 {
		return false, false, nil
	}
	for i, v := range values {
		var b bool
		switch strings.ToLower(v) {
		case "true", "1":
			b = true
		case "false", "0":
		default:
			return false, false, InvalidFilter(key, v)
		}
		if i > 0 && b != value {
			return false, false, InvalidFilter(key, strings.Join(values, ","))
		}
		value = b
	}
	return value, true, nil
}

// Ports expands docker's publish and expose values ("80", "80/udp",
// "8000-8010/tcp") into the set of "port/proto" they name.
func Ports(key string, values []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, v := range values {
		if strings.Contains(v, ":") {
			return nil, fmt.Errorf("filter for '%s' should not contain ':': %s", key, v)
		}
		port, proto, _ := strings.Cut(v, "/")
		if proto == "" {
			proto = "tcp"
		}
		lo, hi, isRange := strings.Cut(port, "-")
		start, err := strconv.ParseUint(lo, 10, 16)
		end := start
		if err == nil && isRange {
			end, err = strconv.ParseUint(hi, 10, 16)
		}
		if err != nil || end < start {
			return nil, fmt.Errorf("error while looking up for %s %s: invalid port range %q", key, v, port)
		}
		for p := start; p <= end; p++ {
			set[strconv.FormatUint(p, 10)+"/"+strings.ToLower(proto)] = true
		}
	}
	return set, nil
}
