package runopts

import (
	"net"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"berth/engine"
)

// Fuzz targets for the run/create flag parsers: each accepted value is
// well formed, and where the parser has an output syntax, writing it back
// parses to the same value.

// validPortKey reports whether key is "PORT/PROTO" with a port of 1-65535.
func validPortKey(key string) bool {
	port, proto, ok := strings.Cut(key, "/")
	n, err := strconv.Atoi(port)
	return ok && err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == port && (proto == "tcp" || proto == "udp" || proto == "sctp")
}

func FuzzParsePublish(f *testing.F) {
	for _, s := range []string{"80", "8080:80", "127.0.0.1:8080:80/udp", "[::1]:8081:80", "::1:8081:80", ":80", "8000-8001:80-81",
		"8000-8010:80", "0.0.0.0::80/sctp", "80/TCP", "1-65535", "65536", "80-79", "a:b:c:d", "", "[:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		bindings, exposed := map[string][]engine.PortBinding{}, map[string]struct{}{}
		if err := ParsePublish(spec, bindings, exposed); err != nil {
			if len(bindings) != 0 || len(exposed) != 0 {
				t.Fatalf("-p %q failed (%v) but added %v %v", spec, err, bindings, exposed)
			}
		} else {
			if len(bindings) == 0 || len(bindings) != len(exposed) {
				t.Fatalf("-p %q: bindings %v, exposed %v", spec, bindings, exposed)
			}
			for key, bs := range bindings {
				if _, ok := exposed[key]; !ok || !validPortKey(key) {
					t.Fatalf("-p %q: bad key %q", spec, key)
				}
				for _, b := range bs {
					if b.HostIP != "" && net.ParseIP(b.HostIP) == nil {
						t.Fatalf("-p %q: bad host IP %q", spec, b.HostIP)
					}
					if b.HostPort != "" {
						if _, _, err := parsePortRange(b.HostPort); err != nil {
							t.Fatalf("-p %q: bad host port %q", spec, b.HostPort)
						}
					}
				}
			}
		}
		exposed = map[string]struct{}{}
		if err := ParseExpose(spec, exposed); err == nil {
			for key := range exposed {
				if !validPortKey(key) {
					t.Fatalf("--expose %q: bad key %q", spec, key)
				}
			}
		} else if len(exposed) != 0 {
			t.Fatalf("--expose %q failed (%v) but added %v", spec, err, exposed)
		}
	})
}

func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"/srv:/data", "/srv:/data:ro", "./x:/y:rw,z", "/a:/b:ro,rprivate", "/a:/", "/a:b", "name:/b",
		"/a:/b:ro,ro", "/a:/b:c:d", "/a", ":/b", "/a/../..:/b/../c/", "vol:/b:nocopy"} {
		f.Add(s)
	}
	abs := func(p string) (string, error) { return filepath.Join("/work", p), nil }
	f.Fuzz(func(t *testing.T, spec string) {
		bind, anonymous, err := parseVolume(spec, abs)
		if err != nil {
			return
		}
		if anonymous != "" {
			if bind != "" || !filepath.IsAbs(anonymous) || filepath.Clean(anonymous) != anonymous || anonymous == "/" {
				t.Fatalf("-v %q = anonymous %q, bind %q", spec, anonymous, bind)
			}
			return
		}
		parts := strings.Split(bind, ":")
		if len(parts) < 2 || len(parts) > 3 {
			t.Fatalf("-v %q = %q: not SOURCE:CONTAINER[:MODE]", spec, bind)
		}
		if parts[0] == "" || filepath.IsAbs(parts[0]) && filepath.Clean(parts[0]) != parts[0] {
			t.Fatalf("-v %q = %q: %q is not a clean source", spec, bind, parts[0])
		}
		if !filepath.IsAbs(parts[1]) || filepath.Clean(parts[1]) != parts[1] || parts[1] == "/" {
			t.Fatalf("-v %q = %q: %q is not a clean absolute destination", spec, bind, parts[1])
		}
		if again, _, err := parseVolume(bind, abs); err != nil || again != bind {
			t.Fatalf("-v %q = %q, which parses to %q, %v", spec, bind, again, err)
		}
	})
}

func FuzzParseRestartPolicy(f *testing.F) {
	for _, s := range []string{"", "no", "always", "unless-stopped", "on-failure", "on-failure:3", "on-failure:-1", "always:1", ":3", "on-failure:", "on-failure:99999999999999999999", "never"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseRestartPolicy(s)
		if err != nil {
			return
		}
		if !slices.Contains([]string{"no", "always", "unless-stopped", "on-failure"}, p.Name) || p.MaximumRetryCount < 0 ||
			(p.Name != "on-failure" && p.MaximumRetryCount != 0) {
			t.Fatalf("--restart %q = %+v", s, p)
		}
		back := p.Name
		if p.MaximumRetryCount > 0 {
			back += ":" + strconv.Itoa(p.MaximumRetryCount)
		}
		if again, err := ParseRestartPolicy(back); err != nil || again != p {
			t.Fatalf("--restart %q = %+v, written back as %q it parses to %+v, %v", s, p, back, again, err)
		}
	})
}

// FuzzParseKeyValueFile fuzzes --env-file and --label-file contents.
func FuzzParseKeyValueFile(f *testing.F) {
	for _, s := range []string{"A=1\nB=two words\n# comment\n\n  C=\"quoted\"\nBARE\n", "\xEF\xBB\xBFBOM=1\r\nWIN=2\r\n", "BAD KEY=1", "=nokey", "A=\xff", "A=1\x00B=2"} {
		f.Add([]byte(s))
	}
	lookup := func(k string) (string, bool) { return "from-env", k == "BARE" }
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := parseKeyValueFile("env.list", data, lookup)
		if err != nil {
			return
		}
		for _, l := range lines {
			key, _, ok := strings.Cut(l, "=")
			if !ok || key == "" || strings.ContainsFunc(key, unicode.IsSpace) || !utf8.ValidString(l) || strings.Contains(l, "\n") {
				t.Fatalf("env file %q gave the bad line %q", data, l)
			}
		}
		// A value may end in a carriage return ("A=\r\r\n" is A=\r, as with
		// docker), which no line can be written back with: it would read
		// as a CRLF line end.
		for _, l := range lines {
			if strings.HasSuffix(l, "\r") {
				return
			}
		}
		// Written back below a comment: a first line loses a leading BOM.
		again, err := parseKeyValueFile("env.list", []byte("# env\n"+strings.Join(lines, "\n")), lookup)
		if err != nil || !slices.Equal(again, lines) {
			t.Fatalf("env file %q = %q, written back it reads %q, %v", data, lines, again, err)
		}
	})
}

// FuzzParseEnvAndLabels fuzzes -e and --label lists (items split at NUL).
func FuzzParseEnvAndLabels(f *testing.F) {
	f.Add("A=1\x00B\x00C=x=y\x00=bad")
	f.Add("com.example.a=1\x00com.example.a=2\x00flag")
	f.Fuzz(func(t *testing.T, list string) {
		values := strings.Split(list, "\x00")
		if env, err := ParseEnv(values, func(string) (string, bool) { return "v", true }); err == nil {
			if len(env) != len(values) {
				t.Fatalf("-e %q = %q: lost an item", values, env)
			}
			for _, kv := range env {
				if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
					t.Fatalf("-e %q gave %q", values, kv)
				}
			}
		}
		labels, err := ParseLabels(values)
		if err != nil {
			return
		}
		want := map[string]string{}
		for _, v := range values {
			k, val, _ := strings.Cut(v, "=")
			want[k] = val
		}
		if !reflect.DeepEqual(labels, want) {
			t.Fatalf("--label %q = %v, want %v", values, labels, want)
		}
	})
}

// FuzzParseSizes fuzzes byte sizes (--memory, --memory-swap, --shm-size)
// and --cpus: an accepted value is never negative (but -1, unlimited, where
// allowed) and prints back to itself.
func FuzzParseSizes(f *testing.F) {
	for _, s := range []string{"512m", "1.5g", "1GiB", "100", "-1", "0", "1e3", "8E", "99999999999999999999t", "9223372036854775807", "0.5", "1/3", "9223372037", "-0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := &MemoryValue{AllowUnlimited: true}
		if err := m.Set(s); err == nil {
			if m.Bytes < -1 || (m.Bytes == -1 && s != "-1") {
				t.Fatalf("--memory %q = %d bytes", s, m.Bytes)
			}
			again := &MemoryValue{AllowUnlimited: true}
			if m.Bytes > 0 {
				if err := again.Set(m.String()); err != nil || again.Bytes != m.Bytes {
					t.Fatalf("--memory %q = %d, printed %q reads %d, %v", s, m.Bytes, m.String(), again.Bytes, err)
				}
			}
		}
		if nano, err := parseNanoCPUs(s); err == nil && nano < 0 {
			t.Fatalf("--cpus %q = %d billionths", s, nano)
		}
	})
}
