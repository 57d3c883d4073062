package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/config"
	"berth/engine"
)

// Messages the root handles.
type (
	tickMsg struct{}
	hostMsg struct {
		of   int // the host sampled
		host Host
		err  error
	}
	// statusMsg puts a line in the status bar; an error is shown as one.
	statusMsg struct {
		text string
		err  error
	}
	// actionMsg is the end of a change the user asked for (stop, remove
	// …); the screen on view refreshes at once.
	actionMsg struct {
		what string
		err  error
	}
	// openMsg asks the root to open a screen on a container or image;
	// sh is the shared of its host, nil for the current host.
	openMsg struct {
		to        state
		container *engine.Container
		image     *Image
		sh        *shared
		// project is a compose project's (or service's) heading: the
		// logs of all its containers (composelogs.go).
		project *composeGroup
		// marked are the marked containers: their logs interleaved
		// (markedlogs.go).
		marked []*engine.Container
	}
	// dialogMsg asks the root to show a dialog over the screen.
	dialogMsg struct{ d dialog }
	// clipboardMsg copies text through OSC 52.
	clipboardMsg struct{ text, what string }
)

// state is the screen on view.
type state int

const (
	stateContainers state = iota
	stateImages
	stateLogs
	stateTop
	stateInspect
	stateTimeline
	stateRunForm
	stateBuildForm
	stateHelp
	stateLayerFiles
	stateEvents
)

func (s state) String() string {
	switch s {
	case stateContainers:
		return "Containers"
	case stateImages:
		return "Images"
	case stateLogs:
		return "Logs"
	case stateTop:
		return "Top"
	case stateInspect:
		return "Inspect"
	case stateTimeline:
		return "Timeline"
	case stateRunForm:
		return "Run"
	case stateBuildForm:
		return "Build"
	case stateHelp:
		return "Help"
	case stateLayerFiles:
		return "Layers"
	case stateEvents:
		return "Events"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// shared is what every screen reads and none changes: the backend, the
// keys, the styles (replaced by the root's Update when the terminal
// reports its background) and the clock.
type shared struct {
	ctx      context.Context
	backend  Backend
	host     int       // the index of backend's host in hosts (hosts.go)
	hostName string    // the name of backend's host
	hosts    []*shared // every host's shared, the program's first
	keys     keyMap
	styles   styles
	noColor  bool
	theme    theme      // forced, or auto: the terminal's background decides
	detach   detachKeys // ends an attach, named in its hints (detachkeys.go)
	now      func() time.Time
	interval time.Duration
	// runSettings are Options.RunSettings.
	runSettings *config.Config
}

// headerHeight and footerHeight are the lines around a screen's body.
const (
	headerHeight = 2
	footerHeight = 2
)

// model is the root: it owns the header, the status line, the dialog and
// the screens, and routes every message.
type model struct {
	sh     *shared
	width  int
	height int
	state  state
	back   []state // screens to return to on esc
	gen    int     // generation handed to the next screen opened
	mouse  bool
	dialog *dialog
	// current is the host the header samples and new things go to.
	current int

	status    string
	statusErr bool
	statusAt  time.Time

	hostPrev   *Host
	host       Host
	hostCPU    history
	hostLoaded bool
	hostAsked  bool // a sample is on its way: a host slow to answer is not asked again

	containers containersModel
	images     imagesModel
	logs       logsModel
	top        topModel
	inspect    inspectModel
	timeline   timelineModel
	events     eventsModel
	runForm    runFormModel
	buildForm  buildFormModel
	help       helpModel
	layerFiles layerFilesModel
	terms      terminalsModel
	actions    actionsModel // the container actions running (actions.go)
}

func newModel(ctx context.Context, hosts []HostBackend, opts Options) (model, error) {
	if len(hosts) == 0 {
		return model{}, ErrNoHost
	}
	b := hosts[0].Backend
	keys, refused, err := loadKeys(opts.KeysFile)
	if err != nil {
		return model{}, err
	}
	keys.Global.Host.SetEnabled(len(hosts) > 1)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	th, err := parseTheme(opts.Theme)
	if err != nil {
		return model{}, err
	}
	detach, err := parseDetachKeys(opts.DetachKeys)
	if err != nil {
		return model{}, err
	}
	interval := opts.Interval
	if interval <= 0 {
		interval = time.Second
	}
	sh := &shared{
		ctx: ctx, backend: b, keys: keys, noColor: opts.NoColor, theme: th, detach: detach,
		styles: newStyles(th.startsDark(), opts.NoColor), now: now, interval: interval,
		runSettings: opts.RunSettings,
	}
	sh = hostShareds(*sh, hosts)[0]
	m := model{sh: sh, mouse: !opts.NoMouse, width: 100, height: 30}
	m.gen = 1
	m.containers = newContainersModel(sh, m.gen)
	m.images = newImagesModel(sh, 0)
	m.events = newEventsModel(sh, 0)
	m.help = newHelpModel(sh)
	m.terms = newTerminalsModel(sh)
	m.resize()
	if len(refused) > 0 {
		m.setError(refusedKeys(refused))
	}
	return m, nil
}

// Init asks for the background colour (theme.go) and loads the first
// screen.
func (m model) Init() tea.Cmd {
	return tea.Batch(
		m.sh.theme.askBackground(),
		hostCmd(m.cur()),
		m.containers.init(),
		tickCmd(m.sh.interval),
	)
}

// Update routes a message: first the root's own, then keys (dialog, a
// focused terminal, a screen typing text, global keys, the screen), then
// each screen's messages to that screen.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, m.terms.resizeCmd()
	case tea.BackgroundColorMsg:
		return m.updateBackground(msg), nil
	case tickMsg:
		m.expireStatus()
		// The screen on view refreshes here, not by a refreshMsg: a
		// message, and so a frame drawn, less each tick.
		var refresh tea.Cmd
		m, refresh = m.updateScreen(refreshMsg{})
		cmds := []tea.Cmd{tickCmd(m.sh.interval), refresh}
		if !m.hostAsked {
			m.hostAsked = true
			cmds = append(cmds, hostCmd(m.cur()))
		}
		if m.state != stateContainers {
			var cmd tea.Cmd
			m.containers, cmd = m.containers.tickCovered()
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case hostMsg:
		if msg.of != m.current {
			return m, nil
		}
		m.hostAsked = false
		if msg.err != nil {
			m.setError(fmt.Errorf("host: %w", msg.err))
			return m, nil
		}
		if m.hostPrev != nil {
			m.hostCPU = m.hostCPU.push(hostCPUPercent(m.hostPrev, &msg.host), 60)
		}
		h := msg.host
		m.hostPrev, m.host, m.hostLoaded = &h, h, true
		return m, nil
	case statusMsg:
		if msg.err != nil {
			m.setError(msg.err)
		} else {
			m.setInfo(msg.text)
		}
		return m, nil
	case composeProgressMsg:
		m.setInfo(strings.TrimSpace(msg.line))
		return m, msg.next
	case actionMsg:
		if msg.err != nil {
			m.setError(fmt.Errorf("%s: %w", msg.what, msg.err))
		} else {
			m.setInfo(msg.what)
		}
		return m, m.refreshCmd()
	case actionAskMsg, actionDoneMsg, actionStoppedMsg, jobAskMsg, jobDoneMsg, quitAbandonMsg:
		return m.updateActions(msg)
	case runFailedMsg:
		if m.runForm.ownedBy(m.state, msg.gen) {
			m.runForm, _ = m.runForm.update(msg)
			return m, nil
		}
		m.setError(fmt.Errorf("%s: %w", msg.what, msg.err))
		return m, nil
	case runStartedMsg:
		m.setInfo("started " + msg.name)
		if m.runForm.ownedBy(m.state, msg.gen) {
			return m.goBack(), m.refreshCmd()
		}
		return m, m.refreshCmd()
	case openMsg:
		return m.open(msg)
	case hostPickMsg:
		return m.pickHost(msg.host)
	case backMsg:
		return m.goBack(), m.refreshCmd()
	case dialogMsg:
		d := msg.d
		m.dialog = &d
		return m, m.dialog.focus()
	case clipboardMsg:
		m.setInfo("copied " + msg.what)
		return m, tea.SetClipboard(msg.text)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if m.terms.focused && m.terms.onView(m.state) {
			var cmd tea.Cmd
			m.terms, cmd = m.terms.update(msg)
			return m, cmd
		}
	case tea.MouseWheelMsg:
		return m.wheel(msg)
	case tea.MouseClickMsg:
		return m.click(msg)
	}
	return m.route(msg)
}

// route hands a screen's own messages to it.
func (m model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case refreshMsg:
		return m.updateScreen(msg)
	case containersMsg, changesStartMsg, changesBatchMsg:
		m.containers, cmd = m.containers.update(msg)
	case imagesMsg, layersMsg, pullRequestMsg, pullStartMsg, pullProgressMsg,
		buildRequestMsg, buildStartMsg, buildOutputMsg, buildCancelMsg, spinner.TickMsg:
		m.images, cmd = m.images.update(msg)
	case logBatchMsg, logStartMsg, projectBacklogMsg, projectListMsg:
		m.logs, cmd = m.logs.update(msg)
	case topMsg:
		m.top, cmd = m.top.update(msg)
	case inspectMsg:
		m.inspect, cmd = m.inspect.update(msg)
	case timelineMsg:
		m.timeline, cmd = m.timeline.update(msg)
	case layerFilesMsg, fileTreeMsg:
		m.layerFiles, cmd = m.layerFiles.update(msg)
	case eventsStartMsg, eventsBatchMsg, eventActionMsg:
		m.events, cmd = m.events.update(msg)
	case termOutputMsg, handoffReadyMsg, handoffDoneMsg:
		m.terms, cmd = m.terms.update(msg)
	case terminalMsg:
		cols, rows := m.terms.openSize(m.width, m.bodyHeight())
		return m, openTerminalCmd(msg.sh, msg.ref, msg.name+msg.sh.onHost(), msg.kind, cols, rows)
	case termOpenedMsg, termClosedMsg:
		m.terms, cmd = m.terms.update(msg)
		m.resize()
		return m, tea.Batch(cmd, m.terms.resizeCmd())
	default:
		return m.withForwarded(msg)
	}
	return m, cmd
}

// withForwarded sends anything else (cursor blinks of text inputs) to
// the screen on view and the dialog.
func (m model) withForwarded(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	if m.dialog != nil {
		d, cmd := m.dialog.update(msg)
		m.dialog = d
		cmds = append(cmds, cmd)
	}
	var cmd tea.Cmd
	m, cmd = m.updateScreen(msg)
	cmds = append(cmds, cmd)
	return m, tea.Batch(cmds...)
}

func (m *model) setError(err error) {
	m.status, m.statusErr, m.statusAt = err.Error(), true, m.sh.now()
}

func (m *model) setInfo(text string) {
	m.status, m.statusErr, m.statusAt = text, false, m.sh.now()
}

// Status lines clear themselves: news after a few seconds, errors after
// long enough to be read.
const (
	infoLasts  = 5 * time.Second
	errorLasts = 20 * time.Second
)

// expireStatus clears a status line that has been shown long enough.
func (m *model) expireStatus() {
	lasts := infoLasts
	if m.statusErr {
		lasts = errorLasts
	}
	if m.status != "" && m.sh.now().Sub(m.statusAt) >= lasts {
		m.status, m.statusErr = "", false
	}
}

func (m model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := &m.sh.keys.Global
	// A focused terminal pane is a terminal: every key is the child's
	// (ctrl+c interrupts its command) but the one that leaves it.
	if m.terms.focused && m.terms.onView(m.state) {
		var cmd tea.Cmd
		m.terms, cmd = m.terms.update(msg)
		return m, cmd
	}
	if key.Matches(msg, g.ForceQuit) {
		return m.quit(true)
	}
	if m.dialog != nil {
		d, cmd := m.dialog.update(msg)
		m.dialog = d
		return m, cmd
	}
	if m.capturing() {
		return m.updateScreen(msg)
	}
	switch {
	case key.Matches(msg, g.Quit):
		return m.quit(false)
	case key.Matches(msg, g.Help):
		if m.state == stateHelp {
			return m.goBack(), m.refreshCmd()
		}
		m.help = m.help.open(m.state)
		m.push(stateHelp)
		return m, nil
	case key.Matches(msg, g.Back):
		if m.state == stateContainers || m.state == stateImages || m.state == stateEvents {
			return m.updateScreen(msg)
		}
		if m, cmd, cleared := m.clearSearch(); cleared {
			return m, cmd
		}
		return m.goBack(), m.refreshCmd()
	case key.Matches(msg, g.Host):
		return m, dialogCmd(hostMenu(m.sh, m.current))
	case key.Matches(msg, g.Mouse):
		m.mouse = !m.mouse
		if m.mouse {
			m.setInfo("mouse capture on")
		} else {
			m.setInfo("mouse capture off: the terminal selects text")
		}
		return m, nil
	case key.Matches(msg, g.NextPane):
		return m.nextPane()
	case key.Matches(msg, g.Copy):
		if text, what := m.copyText(); text != "" {
			return m, func() tea.Msg { return clipboardMsg{text: text, what: what} }
		}
		return m, nil
	}
	if m.terms.onView(m.state) {
		if cmd, ok := m.terms.screenKey(msg); ok {
			return m, cmd
		}
	}
	return m.updateScreen(msg)
}

// updateScreen hands msg to the screen on view.
func (m model) updateScreen(msg tea.Msg) (model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.state {
	case stateContainers:
		m.containers, cmd = m.containers.update(msg)
	case stateImages:
		m.images, cmd = m.images.update(msg)
	case stateLogs:
		m.logs, cmd = m.logs.update(msg)
	case stateTop:
		m.top, cmd = m.top.update(msg)
	case stateInspect:
		m.inspect, cmd = m.inspect.update(msg)
	case stateTimeline:
		m.timeline, cmd = m.timeline.update(msg)
	case stateEvents:
		m.events, cmd = m.events.update(msg)
	case stateRunForm:
		m.runForm, cmd = m.runForm.update(msg)
	case stateBuildForm:
		m.buildForm, cmd = m.buildForm.update(msg)
	case stateHelp:
		m.help, cmd = m.help.update(msg)
	case stateLayerFiles:
		m.layerFiles, cmd = m.layerFiles.update(msg)
	}
	return m, cmd
}

// capturing says the screen on view is reading text (filter, search,
// form), so printable keys are its, not global shortcuts.
func (m model) capturing() bool {
	switch m.state {
	case stateContainers:
		return m.containers.capturing()
	case stateImages:
		return m.images.capturing()
	case stateLogs:
		return m.logs.capturing()
	case stateInspect:
		return m.inspect.capturing()
	case stateEvents:
		return m.events.capturing()
	case stateRunForm, stateBuildForm:
		return true
	default:
		return false
	}
}

func (m model) copyText() (string, string) {
	switch m.state {
	case stateContainers:
		return m.containers.copyText()
	case stateImages:
		return m.images.copyText()
	case stateLogs:
		return m.logs.copyText()
	case stateTop:
		return m.top.copyText()
	case stateInspect:
		return m.inspect.copyText()
	case stateLayerFiles:
		return m.layerFiles.copyText()
	default:
		return "", ""
	}
}

// nextPane moves the focus: to the terminal pane beside logs or top when
// one is open, else through the containers, images and events lists, by
// way of a build's log when the images screen shows one.
func (m model) nextPane() (tea.Model, tea.Cmd) {
	if m.terms.onView(m.state) {
		m.terms.focused = true
		return m, nil
	}
	switch m.state {
	case stateContainers:
		return m.switchTo(stateImages)
	case stateImages:
		var kept bool
		if m.images, kept = m.images.nextPane(); kept {
			return m, nil
		}
		return m.switchTo(stateEvents)
	case stateEvents:
		return m.switchTo(stateContainers)
	case stateLayerFiles:
		m.layerFiles = m.layerFiles.nextPane()
		return m, nil
	default:
		return m, nil
	}
}

// switchTo replaces the list on view with another top-level list.
func (m model) switchTo(s state) (tea.Model, tea.Cmd) {
	m.back = nil
	m.state = s
	m.gen++
	m.events = m.events.close() // it follows only while it is a tab's
	var cmd tea.Cmd
	switch s {
	case stateContainers:
		m.containers = m.containers.reopen(m.gen)
		cmd = m.containers.init()
	case stateImages:
		m.images = m.images.reopen(m.gen)
		cmd = m.images.init()
	case stateEvents:
		m.events, cmd = m.events.open(m.cur(), m.gen)
	default:
		// Only the three lists are top-level.
	}
	m.resize()
	return m, cmd
}

func (m *model) push(s state) {
	m.back = append(m.back, m.state)
	m.state = s
}

// goBack closes the screen on view and returns to the one below it.
func (m model) goBack() model {
	if len(m.back) == 0 {
		return m
	}
	m.closeScreen(m.state)
	m.state = m.back[len(m.back)-1]
	m.back = m.back[:len(m.back)-1]
	m.terms.focused = false
	return m
}

// closeScreen stops what a screen streams.
func (m *model) closeScreen(s state) {
	switch s {
	case stateLogs:
		m.logs = m.logs.close()
	case stateTop:
		m.top = m.top.close()
	default:
		// The other screens stream nothing.
	}
}

func (m model) closeAll() {
	m.logs.close()
	m.events.close()
	m.terms.closeAll()
}

// open starts a screen on a container or image.
func (m model) open(msg openMsg) (tea.Model, tea.Cmd) {
	m.gen++
	m.closeScreen(msg.to)
	sh := msg.sh
	if sh == nil {
		sh = m.cur()
	}
	var cmd tea.Cmd
	switch msg.to {
	case stateLogs:
		if msg.project != nil {
			m.logs, cmd = newProjectLogsModel(sh, m.gen, msg.project).start()
			break
		}
		if len(msg.marked) > 0 {
			m.logs, cmd = newMarkedLogsModel(sh, m.gen, msg.marked).start()
			break
		}
		m.logs, cmd = newLogsModel(sh, m.gen, msg.container).start()
	case stateTop:
		m.top = newTopModel(sh, m.gen, msg.container)
		cmd = m.top.init()
	case stateInspect:
		m.inspect = newInspectModel(sh, m.gen, msg.container)
		cmd = m.inspect.init()
	case stateTimeline:
		m.timeline = newTimelineModel(sh, m.gen, msg.container)
		cmd = m.timeline.init()
	case stateRunForm:
		m.runForm = newRunFormModel(sh, m.gen, msg.image)
		cmd = m.runForm.init()
	case stateBuildForm:
		m.buildForm = newBuildFormModel(sh)
		cmd = m.buildForm.init()
	case stateLayerFiles:
		m.layerFiles = newLayerFilesModel(sh, m.gen, msg.image)
		cmd = m.layerFiles.init()
	default:
		return m, nil
	}
	if m.state != msg.to {
		m.push(msg.to)
	}
	m.resize()
	return m, cmd
}

// refreshCmd asks the screen on view to reload what it shows.
func (m model) refreshCmd() tea.Cmd {
	return func() tea.Msg { return refreshMsg{} }
}

func (m model) bodyHeight() int { return max(m.height-headerHeight-footerHeight, 1) }

func (m *model) resize() {
	w, h := m.width, m.bodyHeight()
	mainW := w
	if m.terms.hasPanes() {
		mainW = w - m.terms.paneWidth(w)
	}
	m.containers = m.containers.setSize(w, h)
	m.images = m.images.setSize(w, h)
	m.logs = m.logs.setSize(mainW, h)
	m.top = m.top.setSize(mainW, h)
	m.inspect = m.inspect.setSize(w, h)
	m.timeline = m.timeline.setSize(w, h)
	m.events = m.events.setSize(w, h)
	m.runForm = m.runForm.setSize(w, h)
	m.buildForm = m.buildForm.setSize(w, h)
	m.help = m.help.setSize(w, h)
	m.layerFiles = m.layerFiles.setSize(w, h)
	m.terms = m.terms.setSize(m.terms.paneWidth(w), h)
}

func (m model) wheel(msg tea.MouseWheelMsg) (tea.Model, tea.Cmd) {
	d := 0
	switch msg.Button {
	case tea.MouseWheelUp:
		d = -3
	case tea.MouseWheelDown:
		d = 3
	default:
		// No screen scrolls sideways.
	}
	var cmd tea.Cmd
	switch m.state {
	case stateContainers:
		m.containers = m.containers.scroll(d)
	case stateImages:
		m.images = m.images.scroll(d)
	case stateLogs:
		m.logs = m.logs.scroll(d)
	case stateTop:
		m.top = m.top.scroll(d)
	case stateInspect:
		m.inspect = m.inspect.scroll(d)
	case stateTimeline:
		m.timeline = m.timeline.scroll(d)
	case stateLayerFiles:
		m.layerFiles, cmd = m.layerFiles.scroll(d)
	case stateEvents:
		m.events = m.events.scroll(d)
	default:
		// Forms and help do not scroll.
	}
	return m, cmd
}

func (m model) click(msg tea.MouseClickMsg) (tea.Model, tea.Cmd) {
	mouse := msg.Mouse()
	if mouse.Button != tea.MouseLeft {
		return m, nil
	}
	if mouse.Y == 1 {
		if s, ok := m.tabAt(mouse.X); ok && s != m.state {
			return m.switchTo(s)
		}
		return m, nil
	}
	y := mouse.Y - headerHeight
	if y < 0 || y >= m.bodyHeight() {
		return m, nil
	}
	if m.terms.onView(m.state) {
		m.terms.focused = mouse.X >= m.width-m.terms.paneWidth(m.width)
		if m.terms.focused {
			return m, nil
		}
	}
	var cmd tea.Cmd
	switch m.state {
	case stateContainers:
		m.containers, cmd = m.containers.click(mouse.X, y)
	case stateImages:
		m.images, cmd = m.images.click(mouse.X, y)
	case stateTop:
		m.top = m.top.click(mouse.X, y)
	case stateTimeline:
		m.timeline = m.timeline.click(y)
	case stateEvents:
		m.events = m.events.click(y)
	case stateLayerFiles:
		m.layerFiles, cmd = m.layerFiles.click(mouse.X, y)
	default:
		// The other screens take no clicks.
	}
	return m, cmd
}

// View draws the header, the screen (with a dialog over it), the status
// line and a line of help.
func (m model) View() tea.View {
	st := &m.sh.styles
	body := m.screenView()
	if m.terms.onView(m.state) {
		body = lipgloss.JoinHorizontal(lipgloss.Top,
			fitBlock(body, m.width-m.terms.paneWidth(m.width), m.bodyHeight()),
			m.terms.view())
	}
	body = fitBlock(body, m.width, m.bodyHeight())
	if m.dialog != nil {
		box := m.dialog.view(st, m.width)
		x := max((m.width-lipgloss.Width(box))/2, 0)
		y := max((m.bodyHeight()-lipgloss.Height(box))/2, 0)
		body = lipgloss.NewCompositor(
			lipgloss.NewLayer(body),
			lipgloss.NewLayer(box).X(x).Y(y).Z(1),
		).Render()
		body = fitBlock(body, m.width, m.bodyHeight())
	}
	content := strings.Join([]string{m.headerView(), m.tabsView(), body, m.statusView(), m.shortHelpView()}, "\n")
	v := tea.NewView(content)
	v.AltScreen = true
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "berth — " + m.state.String()
	if c := m.terms.cursor(m.width, m.state == stateLogs || m.state == stateTop); c != nil {
		c.Y += headerHeight
		v.Cursor = c
	}
	return v
}

func (m model) screenView() string {
	switch m.state {
	case stateContainers:
		return m.containers.view()
	case stateImages:
		return m.images.view()
	case stateLogs:
		return m.logs.view()
	case stateTop:
		return m.top.view()
	case stateInspect:
		return m.inspect.view()
	case stateTimeline:
		return m.timeline.view()
	case stateEvents:
		return m.events.view()
	case stateRunForm:
		return m.runForm.view()
	case stateBuildForm:
		return m.buildForm.view()
	case stateHelp:
		return m.help.view()
	case stateLayerFiles:
		return m.layerFiles.view()
	}
	return ""
}

// headerView is the machine line: host CPU and memory, containers,
// images, disk used by the data root.
func (m model) headerView() string {
	st := &m.sh.styles
	if !m.hostLoaded {
		return fitLine(st.Title.Render(" berth")+st.Faint.Render("  loading…"), m.width)
	}
	h := m.host
	running, all := m.containers.counts()
	cpu := 0.0
	if n := len(m.hostCPU); n > 0 {
		cpu = m.hostCPU[n-1]
	}
	field := func(label, value string) string {
		return st.HeaderLabel.Render(label+" ") + st.HeaderValue.Render(value)
	}
	parts := []string{st.Title.Render(" berth")}
	if m.sh.multi() {
		parts = append(parts, field("HOST", fmt.Sprintf("%s (%d/%d)", m.cur().hostName, m.current+1, len(m.sh.hosts))))
	}
	parts = append(parts,
		field("CPU", fmt.Sprintf("%5.1f%%", cpu))+" "+st.Spark.Render(sparkline(m.hostCPU, 10, 100)),
		field("MEM", humanIEC(h.MemUsed)+"/"+humanIEC(h.MemTotal)),
		field("CONTAINERS", fmt.Sprintf("%d/%d", running, all)),
		field("IMAGES", fmt.Sprint(h.Images)),
		field("DISK", diskText(h.DiskUsed)),
	)
	return fitLine(strings.Join(parts, "  "), m.width)
}

var tabs = []state{stateContainers, stateImages, stateEvents}

// tabsView is the second header line: the three lists, then where the user
// is below them.
func (m model) tabsView() string {
	st := &m.sh.styles
	top := m.state
	if len(m.back) > 0 {
		top = m.back[0]
	}
	var b strings.Builder
	for _, t := range tabs {
		if t == top {
			b.WriteString(st.ActiveTab.Render(t.String()))
		} else {
			b.WriteString(st.Tab.Render(t.String()))
		}
	}
	if m.state != top {
		trail := []string{}
		for _, s := range append(m.back[1:], m.state) {
			trail = append(trail, m.crumb(s))
		}
		b.WriteString(st.Faint.Render(" › ") + st.Title.Render(strings.Join(trail, " › ")))
	}
	return fitLine(b.String(), m.width)
}

func (m model) crumb(s state) string {
	switch s {
	case stateLogs:
		return "Logs: " + m.logs.name + m.logs.sh.onHost()
	case stateTop:
		return "Top: " + m.top.name + m.top.sh.onHost()
	case stateInspect:
		return "Inspect: " + m.inspect.name + m.inspect.sh.onHost()
	case stateTimeline:
		return "Timeline: " + m.timeline.name + m.timeline.sh.onHost()
	case stateRunForm:
		return s.String() + m.runForm.sh.onHost()
	case stateBuildForm:
		return s.String() + m.buildForm.sh.onHost()
	case stateLayerFiles:
		return "Layers: " + m.layerFiles.name + m.layerFiles.sh.onHost()
	default:
		return s.String()
	}
}

// tabAt is the tab drawn at column x of the tabs line.
func (m model) tabAt(x int) (state, bool) {
	st := &m.sh.styles
	pos := 0
	for _, t := range tabs {
		w := lipgloss.Width(st.Tab.Render(t.String()))
		if x >= pos && x < pos+w {
			return t, true
		}
		pos += w
	}
	return 0, false
}

func (m model) statusView() string {
	st := &m.sh.styles
	if m.status == "" && m.working() {
		return fitLine(st.Status.Render(" "+m.workProgress(m.sh.now())), m.width)
	}
	if m.status == "" {
		return fitLine("", m.width)
	}
	if m.statusErr {
		return fitLine(st.Error.Render(" ✗ "+m.status), m.width)
	}
	return fitLine(st.Status.Render(" "+m.status), m.width)
}

// diskText is the data root's size; 0 means not measured yet.
func diskText(n uint64) string {
	if n == 0 {
		return "…"
	}
	return humanBytes(n)
}

// fitLine truncates or pads one line to exactly width cells.
func fitLine(s string, width int) string {
	return fit(s, width, false)
}

// fitBlock makes s exactly width×height: lines cut or padded, missing
// lines added.
func fitBlock(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		if ansi.StringWidth(l) != width {
			lines[i] = fitLine(l, width)
		}
	}
	return strings.Join(lines, "\n")
}

func tickCmd(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return tickMsg{} })
}

func hostCmd(sh *shared) tea.Cmd {
	return func() tea.Msg {
		h, err := sh.backend.Host(sh.ctx)
		return hostMsg{of: sh.host, host: h, err: err}
	}
}

// hostCPUPercent is the machine's busy share between two samples, 100
// meaning every CPU busy.
func hostCPUPercent(prev, cur *Host) float64 {
	if cur.CPUTotal <= prev.CPUTotal || cur.CPUBusy < prev.CPUBusy {
		return 0
	}
	return float64(cur.CPUBusy-prev.CPUBusy) / float64(cur.CPUTotal-prev.CPUTotal) * 100
}
