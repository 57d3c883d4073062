// Package exepages lets a long-lived berth process (a monitor, the TUI)
// give back the pages of its own binary that the kernel mapped for it
// but it does not use.
//
// The kernel maps a file's pages a page-cache folio at a time, and
// folios of a binary written or read in large blocks reach megabytes:
// touching one function maps its neighbours too, so a Go process that
// ran its start-up once holds most of a 45 MB binary resident (the
// monitor's RSS was 31 MiB of it, for code it ran once). Trim removes
// this process's mappings of the binary's read-only segments; the pages
// stay in the page cache, shared, and what the process touches again is
// mapped again on its next fault. Start reading at Trim; a Trimmer trims
// once a burst of work (container starts, a screen's first frame) has
// been quiet for a moment.
package exepages
