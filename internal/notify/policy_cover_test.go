package notify_test

import (
	"testing"

	"mlp/internal/authztest"
	"mlp/internal/notify"
)

// TestPolicyCoversEveryMethod: every exported method of the notification service
// has a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, notify.Policy, &notify.Service{})
}
