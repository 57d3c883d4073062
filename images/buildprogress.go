package images

// BuildStep is one step of a build as BuildOptions.Progress sees it:
// once when the step starts (Done false) and once when it has ended well
// (Done true). A step that fails is not reported done; Build's error says
// why. Steps are numbered from 1 across every stage built, as the log's
// "STEP n/m:" lines.
type BuildStep struct {
	Number int // 1 for the first FROM
	Count  int // the steps of every stage the target needs
	// Instruction is the Dockerfile line as written ("RUN make").
	Instruction string
	// Cached says the step reused a layer from the build cache (set
	// when Done); a FROM is cached when its base image's ONBUILD
	// triggers were.
	Cached bool
	Done   bool
}

// startStep reports the step b.step starting.
func (b *builder) startStep(instruction string) {
	b.stepCached = false
	b.report(instruction, false)
}

// endStep reports the step b.step ended well.
func (b *builder) endStep(instruction string) {
	b.report(instruction, true)
}

func (b *builder) report(instruction string, done bool) {
	if b.opts.Progress == nil {
		return
	}
	b.opts.Progress(BuildStep{Number: b.step, Count: b.all, Instruction: instruction, Cached: done && b.stepCached, Done: done})
}
