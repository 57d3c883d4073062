package runopts

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/engine"
)

func TestMemoryValue(t *testing.T) {
	tests := []struct {
		in        string
		unlimited bool
		want      int64
		wantErr   string
	}{
		{in: "0", want: 0},
		{in: "1024", want: 1024},
		{in: "512b", want: 512},
		{in: "64k", want: 64 << 10},
		{in: "64K", want: 64 << 10},
		{in: "100m", want: 100 << 20},
		{in: "100MB", want: 100 << 20},
		{in: "100MiB", want: 100 << 20},
		{in: "1g", want: 1 << 30},
		{in: "1.5g", want: 3 << 29},
		{in: "2t", want: 2 << 40},
		{in: "12q", wantErr: "invalid suffix: 'q'"},
		{in: "m", wantErr: "invalid size: 'm'"},
		{in: "-1", wantErr: "invalid size"},
		{in: "-1", unlimited: true, want: -1},
		{in: "1gb", unlimited: true, want: 1 << 30},
		{in: "", wantErr: "invalid size"},
		{in: "99999999999999999999t", wantErr: "invalid size: '99999999999999999999t': too large"},
		{in: "9223372036854775807", wantErr: "too large"},
	}
	for _, tt := range tests {
		m := MemoryValue{AllowUnlimited: tt.unlimited}
		err := m.Set(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Set(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || m.Bytes != tt.want {
			t.Errorf("Set(%q) = %d, %v; want %d", tt.in, m.Bytes, err, tt.want)
		}
	}
}

func TestParseNanoCPUs(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{in: "1", want: 1e9},
		{in: "0.5", want: 5e8},
		{in: "1.25", want: 1_250_000_000},
		{in: "2", want: 2e9},
		{in: "0.000000001", want: 1},
		{in: "0.0000000001", wantErr: "value is too precise"},
		{in: "abc", wantErr: "failed to parse abc as a rational number"},
		{in: "-1", wantErr: "cannot be negative"},
		{in: "9223372037", wantErr: "invalid value 9223372037: too many CPUs"},
	}
	for _, tt := range tests {
		got, err := parseNanoCPUs(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseNanoCPUs(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseNanoCPUs(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRestartPolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    engine.RestartPolicy
		wantErr string
	}{
		{in: "", want: engine.RestartPolicy{Name: "no"}},
		{in: "no", want: engine.RestartPolicy{Name: "no"}},
		{in: "always", want: engine.RestartPolicy{Name: "always"}},
		{in: "unless-stopped", want: engine.RestartPolicy{Name: "unless-stopped"}},
		{in: "on-failure", want: engine.RestartPolicy{Name: "on-failure"}},
		{in: "on-failure:3", want: engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}},
		{in: "on-failure:0", want: engine.RestartPolicy{Name: "on-failure"}},
		{in: "on-failure:x", wantErr: "maximum retry count must be an integer"},
		{in: "on-failure:-1", wantErr: "cannot be negative"},
		{in: "always:3", wantErr: "maximum retry count can only be used with 'on-failure'"},
		{in: ":3", wantErr: "no policy provided before colon"},
		{in: "sometimes", wantErr: `invalid restart policy "sometimes": unknown policy "sometimes"; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`},
	}
	for _, tt := range tests {
		got, err := ParseRestartPolicy(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseRestartPolicy(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseRestartPolicy(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestParseEnv(t *testing.T) {
	lookup := lookupIn(map[string]string{"HOME": "/root", "EMPTY": ""})
	tests := []struct {
		in      []string
		want    []string
		wantErr string
	}{
		{in: []string{"A=1", "B=x=y", "C="}, want: []string{"A=1", "B=x=y", "C="}},
		{in: []string{"HOME"}, want: []string{"HOME=/root"}},
		{in: []string{"EMPTY"}, want: []string{"EMPTY="}},
		{in: []string{"UNSET_IN_BERTH"}, want: nil},
		{in: []string{"=x"}, wantErr: "invalid environment variable: =x"},
	}
	for _, tt := range tests {
		got, err := ParseEnv(tt.in, lookup)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseEnv(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseEnv(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseKeyValueFile(t *testing.T) {
	lookup := lookupIn(map[string]string{"PATH_FROM_HOST": "/usr/bin"})
	tests := []struct {
		name    string
		data    string
		lookup  func(string) (string, bool)
		want    []string
		wantErr string
	}{
		{name: "plain", data: "A=1\nB=two words\n", lookup: lookup, want: []string{"A=1", "B=two words"}},
		{name: "comments and blanks", data: "# comment\n\n   \nA=1\n  # indented comment\n", lookup: lookup, want: []string{"A=1"}},
		{name: "value verbatim", data: "A= spaced \"quoted\" \n", lookup: lookup, want: []string{"A= spaced \"quoted\" "}},
		{name: "leading space trimmed", data: "   A=1\n", lookup: lookup, want: []string{"A=1"}},
		{name: "bare key from environment", data: "PATH_FROM_HOST\nUNSET\n", lookup: lookup, want: []string{"PATH_FROM_HOST=/usr/bin"}},
		{name: "bare key without lookup", data: "LABEL\nk=v\n", lookup: nil, want: []string{"k=v"}},
		{name: "byte order mark", data: "\xEF\xBB\xBFA=1\n", lookup: lookup, want: []string{"A=1"}},
		{name: "no trailing newline", data: "A=1", lookup: lookup, want: []string{"A=1"}},
		{name: "space in key", data: "MY VAR=1\n", lookup: lookup, wantErr: "variable 'MY VAR' contains whitespaces"},
		{name: "no key", data: "=1\n", lookup: lookup, wantErr: "no variable name on line '=1'"},
		{name: "invalid utf8", data: "A=\xff\n", lookup: lookup, wantErr: "invalid utf8 bytes at line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseKeyValueFile("env.list", []byte(tt.data), tt.lookup)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseLabels(t *testing.T) {
	got, err := ParseLabels([]string{"a=1", "b", "c=x=y", "a=2"})
	want := map[string]string{"a": "2", "b": "", "c": "x=y"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseLabels = %v, %v; want %v", got, err, want)
	}
	if _, err := ParseLabels([]string{"=v"}); err == nil {
		t.Error("ParseLabels accepted an empty name")
	}
}

func TestParseLogOpts(t *testing.T) {
	got, err := parseLogOpts([]string{"max-size=10m", "max-file=3"})
	if err != nil || !reflect.DeepEqual(got, map[string]string{"max-size": "10m", "max-file": "3"}) {
		t.Errorf("parseLogOpts = %v, %v", got, err)
	}
	for _, bad := range []string{"max-size", "=1"} {
		if _, err := parseLogOpts([]string{bad}); err == nil {
			t.Errorf("parseLogOpts(%q) accepted", bad)
		}
	}
}

func TestParseTmpfs(t *testing.T) {
	m := map[string]string{}
	for _, spec := range []string{"/run", "/tmp:rw,size=64m,mode=1777", "/var/cache/"} {
		if err := parseTmpfs(m, spec); err != nil {
			t.Fatalf("parseTmpfs(%q): %v", spec, err)
		}
	}
	want := map[string]string{"/run": "", "/tmp": "rw,size=64m,mode=1777", "/var/cache": ""}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("tmpfs = %v, want %v", m, want)
	}
	for _, bad := range []string{"tmp", "/", ":size=1m"} {
		if err := parseTmpfs(map[string]string{}, bad); err == nil {
			t.Errorf("parseTmpfs(%q) accepted", bad)
		}
	}
}

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in   string
		want unix.Signal
	}{
		{"KILL", unix.SIGKILL}, {"SIGKILL", unix.SIGKILL}, {"kill", unix.SIGKILL}, {"sighup", unix.SIGHUP},
		{"HUP", unix.SIGHUP}, {"9", unix.SIGKILL}, {"15", unix.SIGTERM}, {"SIGRTMIN", 0}, {"USR1", unix.SIGUSR1},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		if tt.want == 0 {
			continue // platform-dependent names need only not crash
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "NOPE", "0", "65", "-1", "SIG"} {
		if _, err := ParseSignal(bad); err == nil {
			t.Errorf("ParseSignal(%q) accepted", bad)
		}
	}
}

func TestParseCapabilities(t *testing.T) {
	got, err := parseCapabilities([]string{"NET_ADMIN", "cap_sys_time", "all", "CAP_CHOWN", "sys_admin"})
	want := []string{"CAP_NET_ADMIN", "CAP_SYS_TIME", "ALL", "CAP_CHOWN", "CAP_SYS_ADMIN"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseCapabilities = %q, %v; want %q", got, err, want)
	}
	if _, err := parseCapabilities([]string{"CAP_FLY"}); err == nil || !strings.Contains(err.Error(), `unknown capability: "CAP_FLY"`) {
		t.Errorf("unknown capability error = %v", err)
	}
}

func TestParseSecurityOpts(t *testing.T) {
	tests := []struct {
		in      []string
		want    []string
		wantErr string
	}{
		{in: []string{"no-new-privileges"}, want: []string{"no-new-privileges"}},
		{in: []string{"no-new-privileges:true"}, want: []string{"no-new-privileges"}},
		{in: []string{"no-new-privileges=true"}, want: []string{"no-new-privileges"}},
		{in: []string{"no-new-privileges:false"}, want: nil},
		{in: []string{"no-new-privileges:maybe"}, wantErr: "is not a boolean"},
		{in: []string{"seccomp=unconfined"}, want: []string{"seccomp=unconfined"}},
		{in: []string{"seccomp:unconfined"}, want: []string{"seccomp:unconfined"}},
		{in: []string{"seccomp=/etc/profiles/a:b.json", "no-new-privileges"}, want: []string{"seccomp=/etc/profiles/a:b.json", "no-new-privileges"}},
		{in: []string{"seccomp="}, wantErr: "seccomp needs a value"},
		{in: []string{"seccomp"}, wantErr: "seccomp needs a value"},
		{in: []string{"apparmor:docker-default"}, wantErr: "supports only no-new-privileges and seccomp"},
	}
	for _, tt := range tests {
		got, err := parseSecurityOpts(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseSecurityOpts(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseSecurityOpts(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateDetachKeys(t *testing.T) {
	for _, ok := range []string{"ctrl-p,ctrl-q", "ctrl-x,x", "a", "ctrl-@", "ctrl-[", "ctrl-_", "DEL"} {
		if err := ValidateDetachKeys(ok); err != nil {
			t.Errorf("ValidateDetachKeys(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ctrl-", "ctrl-1", "alt-x", "ctrl-p,,ctrl-q", "xy", "CTRL-A", "ctrl-A,a", "Ctrl-p"} {
		if err := ValidateDetachKeys(bad); err == nil {
			t.Errorf("ValidateDetachKeys(%q) accepted", bad)
		}
	}
}

func TestValidateCPUSet(t *testing.T) {
	for _, ok := range []string{"0", "0-3", "0,2", "0-1,3,5-7"} {
		if err := ValidateCPUSet(ok); err != nil {
			t.Errorf("ValidateCPUSet(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "3-1", "0-", "-1", "0,,1", "1.5"} {
		if err := ValidateCPUSet(bad); err == nil {
			t.Errorf("ValidateCPUSet(%q) accepted", bad)
		}
	}
}
