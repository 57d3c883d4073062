package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeProject writes files into a new project directory named proj
// and returns it.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadBadFiles: every bad compose file is refused by Load with a
// Failure of kind ParseFailure whose message names the file, the line
// and the key.
func TestLoadBadFiles(t *testing.T) {
	const web = "services:\n  web:\n    image: busybox\n"
	cases := []struct {
		name  string
		files map[string]string
		order []string // -f files; none: compose.yaml
		env   []string
		// where is "file:line: key" the message starts with (the file
		// by its base name); want a piece of the rest.
		where, want string
	}{
		{"yaml syntax", map[string]string{"compose.yaml": web + "   command: x\n"}, nil, nil,
			"compose.yaml:4: services.web.command", "did not find expected key"},
		{"yaml tab", map[string]string{"compose.yaml": "services:\n  web:\n\timage: busybox\n"}, nil, nil,
			"compose.yaml:3: services.web.image", "cannot start any token"},
		{"yaml duplicate key", map[string]string{"compose.yaml": web + "    image: x\n"}, nil, nil,
			"compose.yaml:4: services.web.image", `"image" already defined`},
		{"yaml syntax in second file", map[string]string{"compose.yaml": web, "b.yaml": "services:\n  web:\n   x: : :\n"}, []string{"compose.yaml", "b.yaml"}, nil,
			"b.yaml:3: services.web.x", "mapping values are not allowed"},
		{"unknown key", map[string]string{"compose.yaml": web + "    imagee: x\n"}, nil, nil,
			"compose.yaml:4: services.web.imagee", "unknown key"},
		{"unknown top-level key", map[string]string{"compose.yaml": web + "foo: 1\n"}, nil, nil,
			"compose.yaml:4: foo", "unknown key"},
		{"bad service name", map[string]string{"compose.yaml": "services:\n  \"we b\":\n    image: busybox\n"}, nil, nil,
			"compose.yaml:2: services.we b", "unknown key"},
		{"unknown key in override file", map[string]string{"compose.yaml": web, "b.yaml": "services:\n  web:\n    command: x\n    imagee: x\n"}, []string{"compose.yaml", "b.yaml"}, nil,
			"b.yaml:4: services.web.imagee", "unknown key"},
		{"unknown key in an extended file", map[string]string{"compose.yaml": "services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n", "base.yaml": "services:\n  base:\n    image: busybox\n    imagee: 1\n"}, nil, nil,
			"base.yaml:4: services.base.imagee", "unknown key"},
		{"wrong type in an extended service", map[string]string{"compose.yaml": "services:\n  base:\n    image: busybox\n    init: maybe\n  web:\n    extends: base\n"}, nil, nil,
			"compose.yaml:4: services.base.init", "invalid boolean"},
		{"wrong type list", map[string]string{"compose.yaml": web + "    cap_add: 3\n"}, nil, nil,
			"compose.yaml:4: services.web.cap_add", "must be a array"},
		{"wrong type bool", map[string]string{"compose.yaml": web + "    privileged: maybe\n"}, nil, nil,
			"compose.yaml:4: services.web.privileged", "invalid boolean: maybe"},
		{"wrong type in aliases", map[string]string{"compose.yaml": web + "    networks:\n      front:\n        aliases: x\nnetworks:\n  front: {}\n"}, nil, nil,
			"compose.yaml:6: services.web.networks.front.aliases", "must be a array"},
		{"bad ulimit", map[string]string{"compose.yaml": web + "    ulimits:\n      nofile: abc\n"}, nil, nil,
			"compose.yaml:5: services.web.ulimits.nofile", `parsing "abc"`},
		{"bad port", map[string]string{"compose.yaml": web + "    ports:\n      - \"8080:80\"\n      - \"abc:80\"\n"}, nil, nil,
			"compose.yaml:6: services.web.ports", "invalid hostPort: abc"},
		{"port out of range", map[string]string{"compose.yaml": web + "  db:\n    image: busybox\n    ports: [\"99999:80\"]\n"}, nil, nil,
			"compose.yaml:6: services.db.ports", "invalid hostPort: 99999"},
		{"bad port target", map[string]string{"compose.yaml": web + "    ports:\n      - 80\n      - target: abc\n"}, nil, nil,
			"compose.yaml:6: services.web.ports.[].target", `parsing "abc"`},
		{"bad duration", map[string]string{"compose.yaml": web + "    stop_grace_period: 10x\n"}, nil, nil,
			"compose.yaml:4: services.web.stop_grace_period", `unknown unit "x"`},
		{"bad healthcheck interval", map[string]string{"compose.yaml": web + "    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: abc\n"}, nil, nil,
			"compose.yaml:6: services.web.healthcheck.interval", `invalid duration "abc"`},
		{"bad memory", map[string]string{"compose.yaml": web + "    mem_limit: 12zz\n"}, nil, nil,
			"compose.yaml:4: services.web.mem_limit", "invalid suffix"},
		{"missing required variable", map[string]string{"compose.yaml": web + "    environment:\n      A: ${NOPE:?must be set}\n"}, nil, nil,
			"compose.yaml:5: services.web.environment.A", "required variable NOPE is missing a value: must be set"},
		{"missing required variable in a label with dots", map[string]string{"compose.yaml": web + "    labels:\n      com.example.x: ${NOPE?}\n"}, nil, nil,
			"compose.yaml:5: services.web.labels.com.example.x", "required variable NOPE"},
		{"bad interpolation", map[string]string{"compose.yaml": "services:\n  web:\n    image: ${FOO\n"}, nil, nil,
			"compose.yaml:3: services.web.image", "invalid interpolation format"},
		{"undefined volume", map[string]string{"compose.yaml": web + "    volumes:\n      - /tmp:/tmp\n      - data:/data\n"}, nil, nil,
			"compose.yaml:6: services.web.volumes", `undefined volume "data"`},
		{"undefined network", map[string]string{"compose.yaml": web + "    networks: [back]\n"}, nil, nil,
			"compose.yaml:4: services.web.networks", `undefined network "back"`},
		{"undefined secret", map[string]string{"compose.yaml": web + "    secrets:\n      - x\n"}, nil, nil,
			"compose.yaml:5: services.web.secrets", `undefined secret "x"`},
		{"undefined dependency", map[string]string{"compose.yaml": web + "    depends_on: [db]\n"}, nil, nil,
			"compose.yaml:4: services.web.depends_on", `undefined service "db"`},
		{"bad depends_on condition", map[string]string{"compose.yaml": web + "    depends_on:\n      db:\n        condition: service_foo\n  db:\n    image: busybox\n"}, nil, nil,
			"compose.yaml:6: services.web.depends_on.db.condition", "value must be one of"},
		{"dependency cycle", map[string]string{"compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on:\n      - a\n"}, nil, nil,
			"compose.yaml:", "dependency cycle"},
		{"no image", map[string]string{"compose.yaml": "services:\n  web:\n    command: x\n"}, nil, nil,
			"compose.yaml:2: services.web", "neither an image nor a build context"},
		{"extends unknown service", map[string]string{"compose.yaml": "services:\n  web:\n    extends: base\n"}, nil, nil,
			"compose.yaml:3: services.web.extends", `service "base" not found`},
		{"secret without a source", map[string]string{"compose.yaml": web + "    secrets: [s]\nsecrets:\n  s: {}\n"}, nil, nil,
			"compose.yaml:6: secrets.s", "one of file|environment must be set"},
		{"services not a mapping", map[string]string{"compose.yaml": "services: []\n"}, nil, nil,
			"compose.yaml:1: services", "must be a mapping"},
		{"healthcheck test", map[string]string{"compose.yaml": web + "  db:\n    image: busybox\n    healthcheck:\n      test: [\"true\"]\n"}, nil, nil,
			"compose.yaml:7: services.db.healthcheck.test", `must start either by "CMD"`},
		{"empty file", map[string]string{"compose.yaml": ""}, nil, nil,
			"compose.yaml: empty compose file", ""},
		{"scale and replicas", map[string]string{"compose.yaml": web + "    scale: 2\n    deploy:\n      replicas: 3\n"}, nil, nil,
			"compose.yaml:2: services.web", "can't set distinct values on 'scale' and 'deploy.replicas'"},
		{"anchor", map[string]string{"compose.yaml": "x-common: &c\n  image: busybox\n  imagee: 1\nservices:\n  web:\n    <<: *c\n"}, nil, nil,
			"compose.yaml:5: services.web.imagee", "unknown key"},
		{"bad project name from -p", map[string]string{"compose.yaml": web}, nil, nil,
			"", `invalid project name "Bad_Name!"`},
		{"bad project name from COMPOSE_PROJECT_NAME", map[string]string{"compose.yaml": web}, nil, []string{"COMPOSE_PROJECT_NAME=Bad!"},
			"", `invalid project name "Bad!"`},
		{"bad .env", map[string]string{"compose.yaml": web, ".env": "A B C\n"}, nil, nil,
			"", ".env: line 1: key cannot contain a space"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeProject(t, tc.files)
			o := LoadOptions{ProjectDir: dir, Env: tc.env}
			if o.Env == nil {
				o.Env = []string{}
			}
			if strings.HasPrefix(tc.name, "bad project name from -p") {
				o.ProjectName = "Bad_Name!"
			}
			for _, f := range tc.order {
				o.Files = append(o.Files, filepath.Join(dir, f))
			}
			_, err := Load(context.Background(), o)
			if err == nil {
				t.Fatal("loaded")
			}
			var f *Failure
			if !errors.As(err, &f) || f.Kind != ParseFailure {
				t.Errorf("not a ParseFailure: %#v", err)
			}
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			if !strings.HasPrefix(msg, tc.where) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q\nwant it to start with %q and hold %q", msg, tc.where, tc.want)
			}
		})
	}
}

// TestUpRefusesBadFiles: what berth itself refuses in a file that
// loads (a key it cannot act on, a restart policy or port it cannot
// read, a network it cannot make, a secret without its variable) is a
// ParseFailure naming the file, line and key, given by Up before it
// touches the host: Up runs here without one.
func TestUpRefusesBadFiles(t *testing.T) {
	const web = "services:\n  web:\n    image: busybox\n"
	cases := []struct {
		name, file  string
		where, want string
	}{
		{"restart policy", web + "    restart: sometimes\n",
			"compose.yaml:4: services.web.restart", "sometimes"},
		{"runtime", web + "    runtime: kata\n",
			"compose.yaml:4: services.web.runtime", "not supported by berth"},
		{"userns_mode", "services:\n  db:\n    image: busybox\n  web:\n    image: busybox\n    labels:\n      a: b\n    userns_mode: host\n",
			"compose.yaml:8: services.web.userns_mode", "not supported by berth"},
		{"expose", web + "    expose: [\"80/xyz\"]\n",
			"compose.yaml:4: services.web.expose", "xyz"},
		{"ipv6 address", web + "    networks:\n      front:\n        ipv6_address: \"::1\"\nnetworks:\n  front: {}\n",
			"compose.yaml:4: services.web.networks", "ipv6_address"},
		{"volume type", web + "    volumes:\n      - type: npipe\n        source: x\n        target: /x\n",
			"compose.yaml:4: services.web.volumes", "npipe"},
		{"network driver", web + "    networks: [front]\nnetworks:\n  front:\n    driver: overlay\n",
			"compose.yaml:6: networks.front", `driver "overlay"`},
		{"volume driver", web + "    volumes: [data:/data]\nvolumes:\n  data:\n    driver: nfs-plugin\n",
			"compose.yaml:7: volumes.data.driver", `volume driver "nfs-plugin"`},
		{"volume driver options", web + "    volumes: [data:/data]\nvolumes:\n  data:\n    driver_opts:\n      size: 1g\n",
			"compose.yaml:7: volumes.data.driver_opts", `invalid option key: "size"`},
		{"secret from an unset variable", web + "    secrets: [token]\nsecrets:\n  token:\n    environment: BERTH_TEST_UNSET_TOKEN\n",
			"compose.yaml:7: secrets.token.environment", "BERTH_TEST_UNSET_TOKEN is not set"},
		{"external secret", web + "    secrets: [token]\nsecrets:\n  token:\n    external: true\n",
			"compose.yaml:4: services.web.secrets", "external secrets are swarm's"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeProject(t, map[string]string{"compose.yaml": tc.file})
			p, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Env: []string{}})
			if err != nil {
				t.Fatal(err)
			}
			err = Up(context.Background(), nil, p, UpOptions{})
			if err == nil {
				t.Fatal("up")
			}
			var f *Failure
			if !errors.As(err, &f) || f.Kind != ParseFailure {
				t.Errorf("not a ParseFailure: %#v", err)
			}
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			if !strings.HasPrefix(msg, tc.where) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q\nwant it to start with %q and hold %q", msg, tc.where, tc.want)
			}
		})
	}
}

// TestUpRefusesEnvironmentSecretOnReadOnlyRoot: a secret taken from
// the environment cannot be written into a read-only root; up says so
// before it makes anything.
func TestUpRefusesEnvironmentSecretOnReadOnlyRoot(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    read_only: true\n    secrets: [token]\nsecrets:\n  token:\n    environment: TOKEN\n"})
	p, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Env: []string{"TOKEN=x"}})
	if err != nil {
		t.Fatal(err)
	}
	err = Up(context.Background(), nil, p, UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "compose.yaml:5: services.web.secrets: secret \"token\" is not a file") {
		t.Errorf("up: %v", err)
	}
}

// TestLoadBadFileInDirectoryWithSpaces: the file is found in the
// library's message when its path has spaces.
func TestLoadBadFileInDirectoryWithSpaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My Project")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  web:\n    image: busybox\n    imagee: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Env: []string{}})
	if want := file + ":4: services.web.imagee: unknown key"; err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

// TestYAMLLine: the YAML library counts its parser's lines from 0 and
// its scanner's and constructor's from 1; the line of the problem is the
// last one named.
func TestYAMLLine(t *testing.T) {
	cases := map[string]int{
		"while parsing a block mapping at line 1, column 3: line 3, column 4: did not find expected key": 4,
		"while parsing a block mapping at <unknown position>: line 2: did not find expected key":         3,
		"line 3, column 5: mapping values are not allowed in this context":                               3,
		"while scanning for the next token at line 3: found character that cannot start any token":       3,
		"construct errors:\n  line 1: line 4: mapping key \"image\" already defined at line 3":           4,
		"no line at all": 0,
	}
	for msg, want := range cases {
		if got := yamlLine(msg); got != want {
			t.Errorf("yamlLine(%q) = %d, want %d", msg, got, want)
		}
	}
}

// TestLoadMissingEnvFile: an env_file that is not there keeps Docker
// Compose's exit code of a missing file (ErrNoFile) and is placed at
// the service's env_file.
func TestLoadMissingEnvFile(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  db:\n    image: busybox\n  web:\n    image: busybox\n    env_file:\n      - web.env\n"})
	_, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Env: []string{}})
	if !errors.Is(err, ErrNoFile) {
		t.Errorf("not ErrNoFile: %v", err)
	}
	want := filepath.Join(dir, "compose.yaml") + ":7: services.web.env_file: env file " + filepath.Join(dir, "web.env") + " not found"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
