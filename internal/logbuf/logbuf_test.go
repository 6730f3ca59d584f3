package logbuf_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"mlp/internal/logbuf"
)

// stuck is an output that blocks until released, like a pipe nobody reads.
type stuck struct {
	release chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (s *stuck) Write(p []byte) (int, error) {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func TestWriterNeverBlocks(t *testing.T) {
	t.Parallel()
	out := &stuck{release: make(chan struct{})}
	w := logbuf.New(out, 10)
	done := make(chan struct{})
	go func() {
		for i := range 1000 {
			fmt.Fprintf(w, "line %d\n", i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("writes blocked on a stuck output")
	}
	// One line is held by the stuck Write, ten wait in the buffer.
	if d := w.Dropped(); d < 1000-11 || d > 1000-10 {
		t.Fatalf("dropped %d, want about 989", d)
	}
	close(out.release)
	// Once the output moves, lines are taken again.
	for {
		before := w.Dropped()
		fmt.Fprintf(w, "after\n")
		if w.Dropped() == before {
			break
		}
		runtime.Gosched()
	}
	_ = w.Close()
	got := out.buf.String()
	if !strings.Contains(got, "lines dropped") || !strings.Contains(got, "line 0\n") || !strings.HasSuffix(got, "after\n") {
		t.Fatalf("output = %q", got)
	}
}
