package images

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestApplyChanges(t *testing.T) {
	tests := []struct {
		name    string
		start   ImageConfig
		changes []string
		want    ImageConfig
		bad     bool
	}{
		{name: "cmd json", changes: []string{`CMD ["sh"]`}, want: ImageConfig{Cmd: []string{"sh"}}},
		{name: "cmd shell", changes: []string{`CMD echo hi there`}, want: ImageConfig{Cmd: []string{"/bin/sh", "-c", "echo hi there"}}},
		{name: "lower-case instruction", changes: []string{`cmd ["a","b"]`}, want: ImageConfig{Cmd: []string{"a", "b"}}},
		{name: "entrypoint resets cmd", start: ImageConfig{Cmd: []string{"x"}}, changes: []string{`ENTRYPOINT ["/bin/app"]`}, want: ImageConfig{Entrypoint: []string{"/bin/app"}}},
		{name: "cmd after entrypoint kept", changes: []string{`CMD ["x"]`, `ENTRYPOINT ["/e"]`}, want: ImageConfig{Cmd: []string{"x"}, Entrypoint: []string{"/e"}}},
		{name: "env forms", changes: []string{`ENV A=1 B="two words"`, `ENV C 3 4`}, want: ImageConfig{Env: []string{"A=1", "B=two words", "C=3 4"}}},
		{name: "env replaces and expands", start: ImageConfig{Env: []string{"PATH=/bin"}}, changes: []string{`ENV PATH=/usr/bin:$PATH`}, want: ImageConfig{Env: []string{"PATH=/usr/bin:/bin"}}},
		{name: "workdir relative", start: ImageConfig{WorkingDir: "/app"}, changes: []string{`WORKDIR sub`}, want: ImageConfig{WorkingDir: "/app/sub"}},
		{name: "workdir absolute", changes: []string{`WORKDIR /srv/`}, want: ImageConfig{WorkingDir: "/srv"}},
		{name: "user", changes: []string{`USER nobody:nogroup`}, want: ImageConfig{User: "nobody:nogroup"}},
		{name: "expose", changes: []string{`EXPOSE 80 53/udp 8000-8001`}, want: ImageConfig{ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}}}},
		{name: "label", changes: []string{`LABEL a=b "c d"="e f"`}, want: ImageConfig{Labels: map[string]string{"a": "b", "c d": "e f"}}},
		{name: "volume json", changes: []string{`VOLUME ["/data", "/logs"]`}, want: ImageConfig{Volumes: map[string]struct{}{"/data": {}, "/logs": {}}}},
		{name: "volume words", changes: []string{`VOLUME /data /logs`}, want: ImageConfig{Volumes: map[string]struct{}{"/data": {}, "/logs": {}}}},
		{name: "stopsignal", changes: []string{`STOPSIGNAL SIGTERM`}, want: ImageConfig{StopSignal: "SIGTERM"}},
		{name: "onbuild", changes: []string{`ONBUILD RUN echo hi`}, want: ImageConfig{OnBuild: []string{"RUN echo hi"}}},
		{name: "unknown instruction", changes: []string{`FROM busybox`}, bad: true},
		{name: "run not allowed", changes: []string{`RUN true`}, bad: true},
		{name: "not an instruction", changes: []string{`BOGUS x`}, bad: true},
		{name: "two instructions", changes: []string{"CMD a\nCMD b"}, bad: true},
		{name: "env without value", changes: []string{`ENV A`}, bad: true},
		{name: "bad port", changes: []string{`EXPOSE http`}, bad: true},
		{name: "bad protocol", changes: []string{`EXPOSE 80/icmp`}, bad: true},
		{name: "onbuild from", changes: []string{`ONBUILD FROM x`}, bad: true},
		{name: "user empty", changes: []string{`USER`}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.start
			err := applyChanges(&cfg, tt.changes)
			if tt.bad {
				if !errors.Is(err, ErrInvalidChange) {
					t.Fatalf("err = %v, want ErrInvalidChange", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg, tt.want) {
				t.Fatalf("config = %+v, want %+v", cfg, tt.want)
			}
		})
	}
}

func TestHealthcheckInstruction(t *testing.T) {
	res, err := parseDockerfileForTest("HEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost || exit 1")
	if err != nil {
		t.Fatal(err)
	}
	var cfg ImageConfig
	if err := newConfigState(&cfg, '\\').apply(res); err != nil {
		t.Fatal(err)
	}
	want := &Healthcheck{Test: []string{"CMD-SHELL", "wget -q localhost || exit 1"}, Interval: 5 * time.Second, Retries: 3}
	if !reflect.DeepEqual(cfg.Healthcheck, want) {
		t.Fatalf("healthcheck = %+v, want %+v", cfg.Healthcheck, want)
	}
}
