package compose

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"berth/internal/lazyregexp"
)

// FileError is a compose file that is wrong at one place: the file, the
// line (0 when it could not be found) and the key, as
// services.web.ports, with what is wrong there.
type FileError struct {
	File string
	Line int
	Key  string
	Err  error // what is wrong, as the library or berth said it
	// msg is Err's message without the file and key it repeats.
	msg string
}

func (e *FileError) Error() string {
	where := e.File
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		where += ": " + e.Key
	}
	return where + ": " + e.msg
}

func (e *FileError) Unwrap() error { return e.Err }

// place is where in the compose files an error points: a key path,
// the file it names (none: any of them) and a value to prefer among the
// items of a list (the bad port of ports:). line is the line the
// library gave, when it gave one.
type place struct {
	file string
	key  string
	hint string
	line int
	msg  string
}

// errorPlaces read the place out of each kind of error compose-go
// gives: a YAML syntax error has a line but no key, a schema error the
// file and the key path, an interpolation or decoding error the key
// path only, a consistency error the service and what it refers to.
// They are compiled at the first error, not at every berth start.
var errorPlaces = sync.OnceValue(func() []errorPlace {
	return []errorPlace{
		{regexp.MustCompile(`(?s)^validating (.+?): (\S*) ?additional propert(?:y|ies) '([^']+)'.* not allowed$`), func(m []string) place {
			return place{file: m[1], key: joinKey(m[2], m[3]), msg: "unknown key"}
		}},
		{regexp.MustCompile(`(?s)^validating (.+?): (\S+) false schema$`), func(m []string) place {
			return place{file: m[1], key: m[2], msg: "unknown key"}
		}},
		{regexp.MustCompile(`(?s)^validating (.+?): (\S*) (.*)$`), func(m []string) place {
			return place{file: m[1], key: m[2], msg: m[3]}
		}},
		{regexp.MustCompile(`(?s)^error while interpolating (\S+): (.*)$`), func(m []string) place {
			return place{key: m[1], msg: m[2]}
		}},
		{regexp.MustCompile(`(?s)^invalid interpolation format for (\S+?)\.?\n(.*)$`), func(m []string) place {
			return place{key: m[1], msg: "invalid interpolation format: " + strings.Join(strings.Fields(m[2]), " ")}
		}},
		{regexp.MustCompile(`(?s)^decoding failed due to the following error\(s\):\s*'([^']*)' (.*)$`), func(m []string) place {
			return place{key: mapstructureKey(m[1]), msg: firstLine(m[2])}
		}},
		{regexp.MustCompile(`(?s)^service "([^"]+)" refers to undefined (?:build )?(network|volume|secret|config|model) (\S+?)(?:: .*)?$`), func(m []string) place {
			return place{key: "services." + m[1] + "." + m[2] + "s", hint: m[3], msg: "undefined " + m[2] + " " + strconv.Quote(m[3])}
		}},
		{regexp.MustCompile(`(?s)^service "([^"]+)" depends on (?:undefined|unknown) service "([^"]+)"`), func(m []string) place {
			return place{key: "services." + m[1] + ".depends_on", hint: m[2], msg: "undefined service " + strconv.Quote(m[2])}
		}},
		{regexp.MustCompile(`(?s)^service "([^"]+)" is required by "([^"]+)" but is disabled(.*)$`), func(m []string) place {
			return place{key: "services." + m[2] + ".depends_on", hint: m[1], msg: "service " + strconv.Quote(m[1]) + " is disabled" + m[3]}
		}},
		{regexp.MustCompile(`(?s)^dependency cycle detected: (\S+) -> (\S+)(.*)$`), func(m []string) place {
			return place{key: "services." + m[1] + ".depends_on", hint: m[2], msg: "dependency cycle: " + m[1] + " -> " + m[2] + m[3]}
		}},
		{regexp.MustCompile(`(?s)^service "?([^" ]+)"? (has neither an image nor a build context specified|declares .*?)(?:: invalid compose project)?$`), func(m []string) place {
			return place{key: "services." + m[1], msg: m[2]}
		}},
		{regexp.MustCompile(`(?s)^cannot extend service "([^"]+)" in (.+?): (.*)$`), func(m []string) place {
			return place{file: m[2], key: "services." + m[1] + ".extends", msg: m[3]}
		}},
		{regexp.MustCompile(`(?s)^((?:services|networks|volumes|secrets|configs)\.[^: ]+): (.*)$`), func(m []string) place {
			return place{key: m[1], msg: m[2]}
		}},
		{regexp.MustCompile(`(?s)^(\S+) (must be a mapping)$`), func(m []string) place {
			return place{key: m[1], msg: m[2]}
		}},
		{regexp.MustCompile(`(?s)^(healthcheck\.test must start .*)$`), func(m []string) place {
			return place{key: "services.*.healthcheck.test", msg: m[1]}
		}},
		{regexp.MustCompile(`(?s)^(empty compose file)$`), func(m []string) place {
			return place{msg: m[1]}
		}},
		{regexp.MustCompile(`(?s)^(invalid (?:hostPort|containerPort|IP address|proto): (.*))$`), func(m []string) place {
			return place{key: "services.*.ports", hint: m[2], msg: m[1]}
		}},
		{regexp.MustCompile(`(?s)^((?:secret|config) "([^"]+)" must declare .*?)(?:: invalid compose project)?$`), func(m []string) place {
			return place{key: strings.Fields(m[1])[0] + "s." + m[2], msg: m[1]}
		}},
		{regexp.MustCompile(`(?s)^(env file (.+?) not found): .*$`), func(m []string) place {
			return place{key: "services.*.env_file", hint: filepath.Base(m[2]), msg: m[1]}
		}},
		{regexp.MustCompile(`(?s)^(?:failed to parse (.+?): )?yaml: (.*)$`), func(m []string) place {
			return place{file: m[1], line: yamlLine(m[2]), msg: "yaml: " + m[2]}
		}},
	}
})

// errorPlace is a pattern of a load error and where it places the error.
type errorPlace struct {
	re    *regexp.Regexp
	place func(m []string) place
}

// locate turns a load error into a FileError naming the file, the line
// and the key, read from the error and looked up in files (the project's
// compose files, in the order they were merged). An error it cannot
// place is returned as it was.
func locate(files []string, err error) error {
	if err == nil || len(files) == 0 {
		return err
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return err
	}
	text := err.Error()
	for _, ep := range errorPlaces() {
		m := ep.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		pl := ep.place(m)
		fe := &FileError{Key: pl.key, Err: err, msg: pl.msg}
		if pl.line > 0 {
			fe.File, fe.Line, fe.Key = syntaxPlace(files, pl.file, pl.line)
			return fe
		}
		if pl.key == "" {
			fe.File = emptyFile(files)
			return fe
		}
		fe.File, fe.Line, fe.Key = lookup(files, pl.file, pl.key, pl.hint)
		return fe
	}
	return err
}

var mapstructureIndexRE = lazyregexp.New(`\[([^\]]*)\]`)

// mapstructureKey is a decoding error's path, services[web].ports[0],
// as a key path, services.web.ports.0.
func mapstructureKey(path string) string {
	return mapstructureIndexRE().ReplaceAllString(path, ".$1")
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// serviceKeyError is a service key berth refuses or cannot read, from
// createOptions: placed in the files by locateService.
type serviceKeyError struct {
	service string
	key     string
	err     error
}

func (e *serviceKeyError) Error() string {
	return fmt.Sprintf("service %q: %s: %v", e.service, e.key, e.err)
}

func (e *serviceKeyError) Unwrap() error { return e.err }

// locateService places an error of berth's own about a service key in
// the project's files: services.NAME.KEY, at its line.
func locateService(files []string, err error) error {
	var ke *serviceKeyError
	if !errors.As(err, &ke) || len(files) == 0 {
		return err
	}
	key := "services." + ke.service + "." + ke.key
	file, line, _ := lookup(files, "", key, "")
	return &FileError{File: file, Line: line, Key: key, Err: err, msg: ke.err.Error()}
}

// missingFile is a file the project needs that is not there: a compose
// file, an env_file. Docker Compose gives it the exit code of no file
// (ErrNoFile), and its message is the file's.
type missingFile struct{ err error }

func (e *missingFile) Error() string { return e.err.Error() }

func (e *missingFile) Unwrap() error { return e.err }

func (e *missingFile) Is(target error) bool { return target == ErrNoFile }

// errVariableUnset is a secret or config whose environment variable
// is not set.
func errVariableUnset(name string) error {
	return fmt.Errorf("environment variable %s is not set", name)
}

// errReadOnlyFile is a secret or config that is not a file, on a
// service whose root is read-only: it is written into the container's
// root before it starts, as Docker Compose copies it, which a read-only
// root refuses.
func errReadOnlyFile(r fileRef) error {
	return fmt.Errorf("%s %q is not a file: it is written into the container's root, and read_only makes that root read-only (make it a file:)", r.kind, r.name)
}
