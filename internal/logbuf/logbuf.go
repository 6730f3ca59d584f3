// Package logbuf keeps logging from ever blocking the server: log lines go
// into a bounded buffer that one goroutine writes out; when the output is
// slow or stuck (nobody reads stderr) and the buffer is full, new lines are
// dropped and counted instead of waiting, and once the output moves again a
// line says how many were lost.
package logbuf

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultLines is the buffer's size in lines (LOG_BUFFER_LINES).
const DefaultLines = 10000

// Writer is an io.Writer that never blocks. Each Write must be one log line
// (slog handlers write one line per call).
type Writer struct {
	out     io.Writer
	lines   chan []byte
	dropped atomic.Uint64
	pending atomic.Uint64 // dropped, not yet reported
	done    chan struct{}
	once    sync.Once
}

// New returns a Writer buffering up to lines lines for out (DefaultLines
// when lines <= 0), and starts the goroutine that writes them.
func New(out io.Writer, lines int) *Writer {
	if lines <= 0 {
		lines = DefaultLines
	}
	w := &Writer{out: out, lines: make(chan []byte, lines), done: make(chan struct{})}
	go w.run()
	return w
}

// Write queues a copy of p, or drops it when the buffer is full. It always
// reports success: a log line is not worth failing or waiting for.
func (w *Writer) Write(p []byte) (int, error) {
	line := append([]byte(nil), p...)
	select {
	case w.lines <- line:
	default:
		w.dropped.Add(1)
		w.pending.Add(1)
	}
	return len(p), nil
}

// Dropped returns how many lines were dropped since the start.
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

func (w *Writer) run() {
	defer close(w.done)
	for line := range w.lines {
		if n := w.pending.Swap(0); n > 0 {
			fmt.Fprintf(w.out, "log: %d lines dropped: the log output was not keeping up\n", n)
		}
		_, _ = w.out.Write(line)
	}
}

// Close stops accepting lines and waits, at most two seconds, until the
// buffered ones are written (at shutdown: a stuck output does not hold the
// process). Nothing may be written after Close.
func (w *Writer) Close() error {
	w.once.Do(func() { close(w.lines) })
	select {
	case <-w.done:
	case <-time.After(2 * time.Second):
	}
	return nil
}
