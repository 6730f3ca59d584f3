package compiled

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// A compiled read that fails because its request ended (the client left, the
// deadline passed) is not a warning: the resolvers' path reports the
// cancellation as it reports every cancelled request. A real failure is.
func TestFailedLogsOnlyRealFailures(t *testing.T) {
	var buf bytes.Buffer
	pl := &Planner{log: slog.New(slog.NewTextHandler(&buf, nil))}

	gone, cancel := context.WithCancel(context.Background())
	cancel()
	pl.failed(gone, context.Canceled)
	pl.failed(context.Background(), errHandOver)
	if buf.Len() != 0 {
		t.Fatalf("logged %q for a cancelled request or a hand-over", buf.String())
	}
	pl.failed(context.Background(), errors.New("statement failed"))
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "compiled read failed") {
		t.Fatalf("a real failure logged %q", buf.String())
	}
}
