package host

import "strings"

// CommandLine is a container's command as docker's daemon lists it (ps's
// COMMAND, the Command of a container list): the path and its arguments,
// one with a space in it between single quotes.
func CommandLine(path string, args []string) string {
	words := []string{path}
	for _, a := range args {
		if strings.Contains(a, " ") {
			a = "'" + a + "'"
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}
