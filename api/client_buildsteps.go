package api

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"berth/images"
)

// logTextSteps is the remote build's fallback for BuildOptions.Progress:
// the Docker API's build stream (the classic builder's, which berth's
// server speaks) carries only log text, so the steps are read back from
// its step lines ("STEP n/m: …" from berth, "Step n/m : …" from Docker)
// and its cache lines. A RUN on the far side that prints such a line is
// taken for a step; a local build never goes through here.
type logTextSteps struct {
	out      io.Writer
	progress func(images.BuildStep)
	partial  []byte
	cur      images.BuildStep // Number 0 until the first step line
}

func newLogTextSteps(out io.Writer, progress func(images.BuildStep)) *logTextSteps {
	if out == nil {
		out = io.Discard
	}
	return &logTextSteps{out: out, progress: progress}
}

// Write passes p on and reads its complete lines.
func (s *logTextSteps) Write(p []byte) (int, error) {
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		s.line(strings.TrimSpace(string(s.partial[:i])))
		s.partial = s.partial[i+1:]
	}
	return s.out.Write(p)
}

func (s *logTextSteps) line(l string) {
	if n, count, instruction, ok := parseStepLine(l); ok {
		s.endStep()
		s.cur = images.BuildStep{Number: n, Count: count, Instruction: instruction}
		s.progress(s.cur)
		return
	}
	if l == "--> CACHED" || l == "---> Using cache" {
		s.cur.Cached = true
	}
}

// endStep reports the step under way done; finish does so for the last
// once the build has succeeded.
func (s *logTextSteps) endStep() {
	if s.cur.Number == 0 {
		return
	}
	s.cur.Done = true
	s.progress(s.cur)
	s.cur = images.BuildStep{}
}

func (s *logTextSteps) finish() { s.endStep() }

// parseStepLine reads "STEP 3/7: RUN make" (berth) or "Step 3/7 : RUN
// make" (Docker's classic builder).
func parseStepLine(l string) (n, count int, instruction string, ok bool) {
	rest, found := strings.CutPrefix(l, "STEP ")
	if !found {
		if rest, found = strings.CutPrefix(l, "Step "); !found {
			return 0, 0, "", false
		}
	}
	frac, instruction, found := strings.Cut(rest, ":")
	if !found {
		return 0, 0, "", false
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(frac), "%d/%d", &n, &count); err != nil || n < 1 || count < n {
		return 0, 0, "", false
	}
	return n, count, strings.TrimSpace(instruction), true
}
