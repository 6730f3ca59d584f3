package devices_test

import (
	"context"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/authztest"
	"mlp/internal/devices"
	"mlp/models"
)

// TestServiceAuthorizationTable calls the device service directly (no
// GraphQL, no directive) as every role; a refused call changes no table.
// Not parallel: refused calls compare the whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Devices
	tb := w.Table(devices.Policy)
	tb.Matrix("Register", authztest.NoObject, authztest.Always(authztest.OK), func(models.Role, authztest.Object) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := svc.Register(ctx, models.PlatformIOS, newToken())
			return err
		}
	})
	t.Logf("%d rows", tb.Run(t))
}
