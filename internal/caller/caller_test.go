package caller_test

import (
	"context"
	"testing"

	"mlp/internal/caller"
)

func TestGone(t *testing.T) {
	if caller.Gone(context.Background()) != nil {
		t.Fatal("outside a request the client is never gone")
	}
	client, hangUp := context.WithCancel(context.Background())
	ctx := caller.WithClient(context.WithoutCancel(client), client)
	select {
	case <-caller.Gone(ctx):
		t.Fatal("gone before the client left")
	default:
	}
	hangUp()
	<-caller.Gone(ctx)
	if ctx.Err() != nil {
		t.Fatalf("the client's leaving ended the work's context: %v", ctx.Err())
	}
}
