package ui

import (
	"image/color"

	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// styles is every colour and text attribute the views use; views never
// invent their own. newStyles picks colours readable on the terminal's
// background; with noColor only attributes (bold, reverse, faint) remain.
type styles struct {
	App          lipgloss.Style
	Title        lipgloss.Style
	Tab          lipgloss.Style
	ActiveTab    lipgloss.Style
	HeaderLabel  lipgloss.Style
	HeaderValue  lipgloss.Style
	ColumnHeader lipgloss.Style
	SortedColumn lipgloss.Style
	Cursor       lipgloss.Style
	Marked       lipgloss.Style
	Faint        lipgloss.Style
	Running      lipgloss.Style
	Exited       lipgloss.Style
	Paused       lipgloss.Style
	Spark        lipgloss.Style
	Stderr       lipgloss.Style
	Timestamp    lipgloss.Style
	Match        lipgloss.Style
	CurrentMatch lipgloss.Style
	Status       lipgloss.Style
	Error        lipgloss.Style
	HelpKey      lipgloss.Style
	HelpDesc     lipgloss.Style
	Dialog       lipgloss.Style
	Pane         lipgloss.Style
	FocusedPane  lipgloss.Style
	Dangling     lipgloss.Style
	JSONKey      lipgloss.Style
	JSONString   lipgloss.Style
	JSONNumber   lipgloss.Style
	// FileAdded, FileChanged and FileRemoved mark a layer's files.
	FileAdded   lipgloss.Style
	FileChanged lipgloss.Style
	FileRemoved lipgloss.Style
	// Services colour the prefixes of a compose project's log, one per
	// service, in turn.
	Services []lipgloss.Style
}

func newStyles(dark, noColor bool) styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(darkc))
	}
	accent := c("#5A3FC0", "#B7A6FF")
	green := c("#17702F", "#6BD68A")
	red := c("#B3261E", "#FF8A80")
	yellow := c("#8A6100", "#F2C94C")
	faint := c("#6B6B6B", "#9A9A9A")
	cursorBg := c("#DCD6F7", "#3B3363")
	matchBg := c("#F2C94C", "#5C4400")
	border := c("#808080", "#767676")

	s := styles{
		App:          lipgloss.NewStyle(),
		Title:        lipgloss.NewStyle().Bold(true).Foreground(accent),
		Tab:          lipgloss.NewStyle().Foreground(faint).Padding(0, 1),
		ActiveTab:    lipgloss.NewStyle().Bold(true).Foreground(accent).Underline(true).Padding(0, 1),
		HeaderLabel:  lipgloss.NewStyle().Foreground(faint),
		HeaderValue:  lipgloss.NewStyle().Bold(true),
		ColumnHeader: lipgloss.NewStyle().Bold(true).Foreground(faint),
		SortedColumn: lipgloss.NewStyle().Bold(true).Foreground(accent),
		Cursor:       lipgloss.NewStyle().Background(cursorBg).Bold(true),
		Marked:       lipgloss.NewStyle().Foreground(yellow).Bold(true),
		Faint:        lipgloss.NewStyle().Foreground(faint),
		Running:      lipgloss.NewStyle().Foreground(green),
		Exited:       lipgloss.NewStyle().Foreground(red),
		Paused:       lipgloss.NewStyle().Foreground(yellow),
		Spark:        lipgloss.NewStyle().Foreground(accent),
		Stderr:       lipgloss.NewStyle().Foreground(red),
		Timestamp:    lipgloss.NewStyle().Foreground(faint),
		Match:        lipgloss.NewStyle().Background(matchBg),
		CurrentMatch: lipgloss.NewStyle().Background(matchBg).Bold(true).Underline(true),
		Status:       lipgloss.NewStyle().Foreground(faint),
		Error:        lipgloss.NewStyle().Foreground(red).Bold(true),
		HelpKey:      lipgloss.NewStyle().Foreground(accent).Bold(true),
		HelpDesc:     lipgloss.NewStyle().Foreground(faint),
		Dialog:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		Pane:         lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border),
		FocusedPane:  lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent),
		Dangling:     lipgloss.NewStyle().Foreground(yellow),
		JSONKey:      lipgloss.NewStyle().Foreground(accent),
		JSONString:   lipgloss.NewStyle().Foreground(green),
		JSONNumber:   lipgloss.NewStyle().Foreground(yellow),
		FileAdded:    lipgloss.NewStyle().Foreground(green),
		FileChanged:  lipgloss.NewStyle().Foreground(yellow),
		FileRemoved:  lipgloss.NewStyle().Foreground(red).Strikethrough(true),
	}
	for _, pair := range [][2]string{
		{"#00707A", "#5FD7E0"}, {"#8A6100", "#F2C94C"}, {"#17702F", "#6BD68A"},
		{"#A0307A", "#F08ACB"}, {"#2F5FB3", "#8AB4FF"}, {"#A04A18", "#FFB37A"},
	} {
		s.Services = append(s.Services, lipgloss.NewStyle().Foreground(c(pair[0], pair[1])))
	}
	if noColor {
		s.Cursor = lipgloss.NewStyle().Reverse(true)
		s.Match = lipgloss.NewStyle().Underline(true)
		s.CurrentMatch = lipgloss.NewStyle().Reverse(true)
		s.Faint = lipgloss.NewStyle().Faint(true)
	}
	return s
}

// newTextInput is a text input drawn in the terminal's own colours, so
// that it reads the same on every background and needs no redraw when
// the background is learnt: Bubbles' default draws the prompt in light
// grey, unreadable on white. The placeholder is faint, the cursor a
// block of the terminal's foreground.
func newTextInput() textinput.Model {
	in := textinput.New()
	s := in.Styles()
	for _, st := range []*textinput.StyleState{&s.Focused, &s.Blurred} {
		st.Prompt = lipgloss.NewStyle()
		st.Text = lipgloss.NewStyle()
		st.Placeholder = lipgloss.NewStyle().Faint(true)
		st.Suggestion = lipgloss.NewStyle().Faint(true)
	}
	s.Cursor.Color = lipgloss.NoColor{}
	in.SetStyles(s)
	return in
}

// bar is a progress bar in the styles' colours: filled as the accent,
// empty as a pane's border (Bubbles' own are fixed whatever the
// background, and coloured under NO_COLOR).
func (st *styles) bar(b progress.Model) progress.Model {
	b.FullColor = st.Spark.GetForeground()
	b.EmptyColor = st.Pane.GetBorderTopForeground()
	return b
}
