package engine

// cleanup is a stack of undo steps for something half-built: add a step
// after each thing made, run them all (last first) on failure, release
// them on success.
type cleanup struct{ steps []func() }

func (c *cleanup) add(step func()) { c.steps = append(c.steps, step) }

func (c *cleanup) run() {
	for i := len(c.steps) - 1; i >= 0; i-- {
		c.steps[i]()
	}
	c.steps = nil
}

func (c *cleanup) release() { c.steps = nil }
