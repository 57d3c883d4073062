package events_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"berth/engine/events"
)

func Example() {
	dir, _ := os.MkdirTemp("", "events-example")
	defer os.RemoveAll(dir)
	l, _ := events.Open(dir)
	defer l.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	live, _ := l.Follow(ctx, events.Filter{ID: "c1", Actions: []string{events.ActionDie}})

	l.Append(events.Event{Type: events.TypeContainer, Action: events.ActionStart, ID: "c1", Name: "web"})
	l.Append(events.Event{Type: events.TypeContainer, Action: events.ActionDie, ID: "c1", Name: "web",
		Attributes: map[string]string{events.AttrExitCode: "137"}})

	timeline, _ := l.Query(events.Filter{ID: "c1"})
	for _, e := range timeline {
		fmt.Println(e.Action, e.Attributes)
	}
	e := <-live
	fmt.Println("followed:", e.Action)
	// Output:
	// start map[]
	// die map[exitCode:137]
	// followed: die
}
