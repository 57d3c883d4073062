package cli

import "strings"

// hoistComposeFlags rewrites compose's -f FILE and -p NAME given between
// `compose` and its command (`berth compose -p web up`) as --file=FILE
// and --project-name=NAME. As in Docker Compose, they are compose's own
// flags only there: after the command, -f is rm's --force or logs'
// --follow and -p run's --publish.
func hoistComposeFlags(args []string) []string {
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		if globalTakesValue(args[i]) {
			i++
		}
		i++
	}
	if i >= len(args) || args[i] != "compose" {
		return args
	}
	out := append([]string{}, args[:i+1]...)
	for i++; i < len(args); i++ {
		a := args[i]
		long := map[string]string{"-f": "--file", "-p": "--project-name"}[a[:min(2, len(a))]]
		switch {
		case a == "--" || !strings.HasPrefix(a, "-"):
			return append(out, args[i:]...) // the command: the rest is its own
		case long != "" && len(a) == 2 && i+1 < len(args):
			out = append(out, long+"="+args[i+1])
			i++
		case long != "" && len(a) > 2:
			out = append(out, long+"="+strings.TrimPrefix(a[2:], "="))
		case composeTakesValue(a) && i+1 < len(args):
			out = append(out, a, args[i+1])
			i++
		default:
			out = append(out, a)
		}
	}
	return out
}

// composeTakesValue is a flag of compose itself given as "--flag VALUE".
func composeTakesValue(a string) bool {
	switch a {
	case "--file", "--project-name", "--profile", "--env-file", "--project-directory":
		return true
	}
	return false
}
