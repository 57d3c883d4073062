package ui

// BuildStep is one step of a build as the backend reports it, when it
// starts (Done false) and when it has ended well (Done true). The build
// screen's bar follows these, never the log's text, so a RUN that prints
// "STEP 9/9:" moves nothing.
type BuildStep struct {
	Number, Count int // step Number of Count, from 1
	Instruction   string
	Cached        bool // the step reused the build cache
	Done          bool
}

// buildItem is what a build's stream carries: a line of its log, or a
// step (then line is empty), in the order the backend handed them over.
type buildItem struct {
	line string
	step *BuildStep
}

// stepsDone is how many steps the bar shows finished.
func (m buildModel) stepsDone() int {
	if m.ended {
		return m.step
	}
	return max(m.step-1, 0)
}
