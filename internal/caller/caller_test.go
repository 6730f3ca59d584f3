package caller_test

import (
	"context"
	"testing"

	"mlp/internal/caller"
)

func TestGone(t *testing.T) {
	if caller.Gone(context.Background()) != nil || caller.Left(context.Background()) {
		t.Fatal("outside a request the client is never gone")
	}
	client, hangUp := context.WithCancel(context.Background())
	ctx := caller.WithClient(context.WithoutCancel(client), client)
	if caller.Left(ctx) {
		t.Fatal("gone before the client left")
	}
	hangUp()
	<-caller.Gone(ctx)
	if !caller.Left(ctx) || ctx.Err() != nil {
		t.Fatalf("after the client left: left %v, work's context %v", caller.Left(ctx), ctx.Err())
	}
}
