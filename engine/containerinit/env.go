package containerinit

import "strings"

// buildEnv completes a container's environment as docker does: PATH when
// missing, HOME from the user's passwd entry, HOSTNAME, and TERM=xterm for
// a terminal. Variables already in env win.
func buildEnv(env []string, home, hostname string, terminal bool) []string {
	out := append([]string(nil), env...)
	add := func(key, value string) {
		if _, ok := lookupEnv(out, key); !ok {
			out = append(out, key+"="+value)
		}
	}
	add("PATH", DefaultPath)
	if hostname != "" {
		add("HOSTNAME", hostname)
	}
	if terminal {
		add("TERM", "xterm")
	}
	add("HOME", home)
	return out
}

// lookupEnv returns the value of key in env, the last one winning as in
// execve's consumers.
func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}
