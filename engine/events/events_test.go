package events

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// When the test binary is re-run as an appender (see appendFromProcesses),
// it appends events and exits instead of running tests.
func TestMain(m *testing.M) {
	if dir := os.Getenv("BERTH_EVENTS_APPENDER_DIR"); dir != "" {
		os.Exit(runAppender(dir))
	}
	os.Exit(m.Run())
}

func runAppender(dir string) int {
	n, _ := strconv.Atoi(os.Getenv("BERTH_EVENTS_APPENDER_N"))
	max, _ := strconv.ParseInt(os.Getenv("BERTH_EVENTS_APPENDER_MAX"), 10, 64)
	who := os.Getenv("BERTH_EVENTS_APPENDER_WHO")
	l, err := OpenOptions(dir, Options{MaxSize: max})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer l.Close()
	for i := range n {
		if err := l.Append(numbered(who, i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// numbered is event i of writer who, padded so lines are long enough that
// torn writes would show.
func numbered(who string, i int) Event {
	return Event{
		Type: TypeContainer, Action: ActionStart, ID: who, Name: "c-" + who,
		Attributes: map[string]string{"seq": strconv.Itoa(i), "pad": strings.Repeat("<&>", 200)},
	}
}

func openLog(t *testing.T, dir string, opts Options) *Log {
	t.Helper()
	l, err := OpenOptions(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// readLines parses every line of the files in dir, failing on a bad one.
func readLines(t *testing.T, dir string) []Event {
	t.Helper()
	var out []Event
	for _, name := range []string{oldName, currentName} {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var e Event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("%s: torn or bad line %.100q: %v", name, sc.Text(), err)
			}
			out = append(out, e)
		}
		f.Close()
	}
	return out
}

// checkOrder verifies that each writer's events appear in increasing
// sequence, and returns how many of each there are.
func checkOrder(t *testing.T, evs []Event) map[string]int {
	t.Helper()
	last := map[string]int{}
	count := map[string]int{}
	for _, e := range evs {
		seq, err := strconv.Atoi(e.Attributes["seq"])
		if err != nil {
			t.Fatalf("event without seq: %+v", e)
		}
		if prev, ok := last[e.ID]; ok && seq <= prev {
			t.Fatalf("writer %s: seq %d after %d", e.ID, seq, prev)
		}
		last[e.ID] = seq
		count[e.ID]++
	}
	return count
}

func TestAppendAndQuery(t *testing.T) {
	t.Parallel()
	l := openLog(t, t.TempDir(), Options{})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	all := []Event{
		{Time: at(0), Type: TypeImage, Action: ActionImport, ID: "img1", Name: "busybox:latest"},
		{Time: at(1), Type: TypeContainer, Action: ActionCreate, ID: "c1", Name: "web", Attributes: map[string]string{AttrImage: "busybox"}},
		{Time: at(2), Type: TypeContainer, Action: ActionStart, ID: "c1", Name: "web"},
		{Time: at(3), Type: TypeContainer, Action: ActionCreate, ID: "c2", Name: "db"},
		{Time: at(4), Type: TypeContainer, Action: ActionDie, ID: "c1", Name: "web", Attributes: map[string]string{AttrExitCode: "137"}},
		{Time: at(5), Type: TypeContainer, Action: ActionOOM, ID: "c1", Name: "web"},
		{Time: at(6), Type: TypeContainer, Action: ActionDestroy, ID: "c2", Name: "db"},
	}
	for _, e := range all {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		f    Filter
		want []int
	}{
		{"all", Filter{}, []int{0, 1, 2, 3, 4, 5, 6}},
		{"one container", Filter{ID: "c1"}, []int{1, 2, 4, 5}},
		{"images", Filter{Types: []string{TypeImage}}, []int{0}},
		{"actions", Filter{Actions: []string{ActionCreate, ActionDestroy}}, []int{1, 3, 6}},
		{"since", Filter{Since: at(4)}, []int{4, 5, 6}},
		{"until", Filter{Until: at(1)}, []int{0, 1}},
		{"window and id", Filter{ID: "c1", Since: at(2), Until: at(4)}, []int{2, 4}},
		{"by name", Filter{Name: "db"}, []int{3, 6}},
		{"image by reference", Filter{Name: "busybox:latest"}, []int{0}},
		{"id prefix is not a match", Filter{ID: "c"}, nil},
		{"nothing", Filter{ID: "nope"}, nil},
	}
	for _, tt := range tests {
		got, err := l.Query(tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var want []Event
		for _, i := range tt.want {
			want = append(want, all[i])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, want)
		}
	}
	got, _ := l.Query(Filter{ID: "c1", Actions: []string{ActionDie}})
	if len(got) != 1 || got[0].Attributes[AttrExitCode] != "137" || !got[0].Time.Equal(at(4)) {
		t.Errorf("die event round trip: %+v", got)
	}
}

func TestQueryNameThatJSONEscapes(t *testing.T) {
	t.Parallel()
	l := openLog(t, t.TempDir(), Options{})
	l.Append(Event{Type: TypeImage, Action: ActionTag, ID: "i", Name: "odd<&>name"})
	if got, _ := l.Query(Filter{Name: "odd<&>name"}); len(got) != 1 {
		t.Errorf("got %v", got)
	}
}

func TestAppendSetsTimeAndRejectsIncomplete(t *testing.T) {
	t.Parallel()
	l := openLog(t, t.TempDir(), Options{})
	before := time.Now()
	if err := l.Append(Event{Type: TypeContainer, Action: ActionPause, ID: "c"}); err != nil {
		t.Fatal(err)
	}
	got, _ := l.Query(Filter{})
	if len(got) != 1 || got[0].Time.Before(before) || got[0].Time.After(time.Now()) {
		t.Errorf("time not set to now: %+v", got)
	}
	for _, e := range []Event{{Action: ActionStart}, {Type: TypeContainer}} {
		if err := l.Append(e); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("Append(%+v) = %v; want ErrInvalidEvent", e, err)
		}
	}
	l.Close()
	if err := l.Append(Event{Type: TypeContainer, Action: ActionStart}); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
}

func TestQueryEmptyDir(t *testing.T) {
	t.Parallel()
	l := openLog(t, filepath.Join(t.TempDir(), "new", "events"), Options{})
	if got, err := l.Query(Filter{}); err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestQuerySkipsTornLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := openLog(t, dir, Options{})
	l.Append(Event{Type: TypeContainer, Action: ActionStart, ID: "a"})
	f, _ := os.OpenFile(filepath.Join(dir, currentName), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"time":"2026-` + "\n")
	f.Close()
	l.Append(Event{Type: TypeContainer, Action: ActionStop, ID: "a"})
	got, err := l.Query(Filter{})
	if err != nil || len(got) != 2 || got[1].Action != ActionStop {
		t.Errorf("got %v, %v", got, err)
	}
}

// Many goroutines on two Log values (as two packages of one process would
// have) append at once: every line whole, each writer's order kept.
func TestConcurrentAppendsFromGoroutines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	logs := []*Log{openLog(t, dir, Options{}), openLog(t, dir, Options{})}
	const writers, each = 16, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := logs[w%2].Append(numbered(fmt.Sprint("g", w), i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	count := checkOrder(t, readLines(t, dir))
	for w := range writers {
		if n := count[fmt.Sprint("g", w)]; n != each {
			t.Errorf("writer %d: %d events, want %d", w, n, each)
		}
	}
}

// appendFromProcesses re-runs the test binary as n appender processes.
func appendFromProcesses(t *testing.T, dir string, procs, each int, maxSize int64) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(),
			"BERTH_EVENTS_APPENDER_DIR="+dir,
			"BERTH_EVENTS_APPENDER_N="+strconv.Itoa(each),
			"BERTH_EVENTS_APPENDER_MAX="+strconv.FormatInt(maxSize, 10),
			fmt.Sprintf("BERTH_EVENTS_APPENDER_WHO=p%d", p))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
		})
		cmds = append(cmds, cmd)
	}
	return cmds
}

func TestConcurrentAppendsFromProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const procs, each = 4, 300
	cmds := appendFromProcesses(t, dir, procs, each, 0)
	l := openLog(t, dir, Options{})
	for i := range each {
		if err := l.Append(numbered("parent", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("appender: %v", err)
		}
	}
	count := checkOrder(t, readLines(t, dir))
	for _, who := range []string{"parent", "p0", "p1", "p2", "p3"} {
		if count[who] != each {
			t.Errorf("%s: %d events, want %d", who, count[who], each)
		}
	}
}

// With a small limit, processes rotating under each other never tear a
// line, never leave more than two files or one over the limit, keep each
// writer's order, and the newest event survives.
func TestRotationAcrossProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const procs, each, max = 3, 200, 64 << 10
	cmds := appendFromProcesses(t, dir, procs, each, max)
	l := openLog(t, dir, Options{MaxSize: max})
	for i := range each {
		if err := l.Append(numbered("parent", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("appender: %v", err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("files: %v; want events.log, events.log.1, events.lock", entries)
	}
	for _, name := range []string{currentName, oldName} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > max {
			t.Errorf("%s: %d bytes, over %d", name, st.Size(), max)
		}
	}
	evs := readLines(t, dir)
	checkOrder(t, evs)
	if len(evs) >= (procs+1)*each {
		t.Errorf("%d events kept: rotation dropped nothing", len(evs))
	}
	if err := l.Append(numbered("last", 0)); err != nil {
		t.Fatal(err)
	}
	got, _ := l.Query(Filter{})
	if len(got) == 0 || got[len(got)-1].ID != "last" {
		t.Errorf("newest event missing after rotations")
	}
}

// recv reads n events from ch or fails after a while.
func recv(t *testing.T, ch <-chan Event, n int) []Event {
	t.Helper()
	var out []Event
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed after %d of %d events", len(out), n)
			}
			out = append(out, e)
		case <-timeout:
			t.Fatalf("got %d of %d events", len(out), n)
		}
	}
	return out
}

func TestFollowSeesNewEventsAcrossRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// events are ~3.7 KB: 256 KiB rotates every ~70 of them
	reader := openLog(t, dir, Options{MaxSize: 256 << 10})
	writer := openLog(t, dir, Options{MaxSize: 256 << 10})
	writer.Append(numbered("old", 0))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := reader.Follow(ctx, Filter{ID: "w"})
	if err != nil {
		t.Fatal(err)
	}
	// 240 events rotate several times; the writer never gets more than one
	// file ahead of the follower because it paces on what was received.
	for i := range 120 {
		writer.Append(numbered("other", i))
		writer.Append(numbered("w", i))
		if i%10 == 9 {
			got := recv(t, ch, 10)
			for k, e := range got {
				if want := strconv.Itoa(i - 9 + k); e.ID != "w" || e.Attributes["seq"] != want {
					t.Fatalf("got %s seq %s; want w seq %s", e.ID, e.Attributes["seq"], want)
				}
			}
		}
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Error("event after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Error("channel not closed after cancel")
	}
}

func TestFollowSinceReplaysAndUntilStops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := openLog(t, dir, Options{})
	t0 := time.Now().Add(-time.Hour)
	l.Append(Event{Time: t0, Type: TypeContainer, Action: ActionCreate, ID: "c"})
	l.Append(Event{Time: t0.Add(time.Minute), Type: TypeContainer, Action: ActionStart, ID: "c"})
	until := time.Now().Add(time.Hour)
	ch, err := l.Follow(context.Background(), Filter{Since: t0.Add(time.Second), Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if got := recv(t, ch, 1); got[0].Action != ActionStart {
		t.Errorf("replayed %+v", got)
	}
	l.Append(Event{Type: TypeContainer, Action: ActionDie, ID: "c"})
	if got := recv(t, ch, 1); got[0].Action != ActionDie {
		t.Errorf("followed %+v", got)
	}
	l.Append(Event{Time: until.Add(time.Second), Type: TypeContainer, Action: ActionDestroy, ID: "c"})
	select {
	case e, ok := <-ch:
		if ok {
			t.Errorf("event past until: %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Error("follow did not stop past until")
	}
}

// TestFollowUntilTheClockPasses: a follow with --until in the near future
// ends once that time has passed, though no event comes after it.
func TestFollowUntilTheClockPasses(t *testing.T) {
	t.Parallel()
	l := openLog(t, t.TempDir(), Options{})
	ch, err := l.Follow(context.Background(), Filter{Until: time.Now().Add(300 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	l.Append(Event{Type: TypeContainer, Action: ActionStart, ID: "c"})
	if got := recv(t, ch, 1); got[0].Action != ActionStart {
		t.Errorf("got %+v", got)
	}
	select {
	case e, ok := <-ch:
		if ok {
			t.Errorf("event after the follow should have ended: %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Error("follow did not end after its until passed")
	}
}

func TestFollowBeforeFirstEvent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := openLog(t, dir, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := l.Follow(ctx, Filter{Types: []string{TypeImage}})
	if err != nil {
		t.Fatal(err)
	}
	other := openLog(t, dir, Options{})
	other.Append(Event{Type: TypeContainer, Action: ActionStart, ID: "c"})
	other.Append(Event{Type: TypeImage, Action: ActionPull, ID: "i", Name: "busybox:latest"})
	if got := recv(t, ch, 1); got[0].Action != ActionPull {
		t.Errorf("got %+v", got)
	}
}
