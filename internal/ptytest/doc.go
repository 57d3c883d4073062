// Package ptytest runs a program on the slave side of a real PTY pair and
// drives it through the master, as a person at a terminal would: type keys,
// wait for what the screen shows, resize the window, signal the program,
// and check that it left the terminal's settings as it found them.
//
// Start is where to begin: it returns a Terminal whose every wait has a
// deadline (Patience) and fails the test with what the terminal showed.
// Output is kept as the raw bytes the program wrote, escape sequences
// included; the package does not emulate a screen.
package ptytest
