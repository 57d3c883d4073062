package engine

import "strings"

// commitInstructions are the Dockerfile instructions a commit's changes
// may use, as dockerd's (the CLI checks them too; an API client may not).
var commitInstructions = map[string]bool{
	"cmd": true, "entrypoint": true, "env": true, "expose": true, "label": true,
	"onbuild": true, "stopsignal": true, "user": true, "volume": true, "workdir": true,
}

// checkCommitChanges refuses a change dockerd's commit refuses, in its
// words.
func checkCommitChanges(changes []string) error {
	for _, c := range changes {
		fields := strings.Fields(c)
		if len(fields) == 0 {
			return invalidf("empty change command")
		}
		if word := strings.ToLower(fields[0]); !commitInstructions[word] {
			return invalidf("%s is not a valid change command", word)
		}
	}
	return nil
}
