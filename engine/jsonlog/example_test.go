package jsonlog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"berth/engine/jsonlog"
)

func Example() {
	dir, _ := os.MkdirTemp("", "jsonlog-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "container-json.log")

	// The shim: one Writer per container, one StreamWriter per stream.
	opts, _ := jsonlog.ParseOptions(map[string]string{"max-size": "10m", "max-file": "3"})
	w, _ := jsonlog.New(path, opts)
	fmt.Fprint(w.Stream("stdout"), "hello\nworld\n")
	fmt.Fprint(w.Stream("stderr"), "oops\n")
	w.Close()

	// `berth logs --tail 2`: the last two entries, oldest first.
	jsonlog.Read(context.Background(), path, jsonlog.ReadOptions{Tail: 2}, func(e jsonlog.Entry) error {
		fmt.Printf("%s %q\n", e.Stream, e.Line)
		return nil
	})

	// A viewer paging back: the entries before the oldest one it holds.
	older, _ := jsonlog.ReadBackward(path, jsonlog.Position{}, 3)
	fmt.Println(len(older), string(older[0].Line) == "hello\n")
	// Output:
	// stdout "world\n"
	// stderr "oops\n"
	// 3 true
}
