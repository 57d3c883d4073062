package api

import "sync"

// maxQuietLog bounds what a quiet build keeps of its log: its last bytes.
const maxQuietLog = 1 << 20

// quietLog is the log of a build asked with q=1: kept, not sent, and sent
// only if the build fails, before the error, as dockerd does (docker
// build -q then shows it, and exits with the failed step's code, which
// only a stream that started can carry).
type quietLog struct {
	mu  sync.Mutex
	buf []byte
}

func (l *quietLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - maxQuietLog; over > 0 {
		l.buf = append(l.buf[:0], l.buf[over:]...)
	}
	return len(p), nil
}

// String is the log kept.
func (l *quietLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
