package devices_test

import (
	"testing"

	"mlp/internal/authztest"
	"mlp/internal/devices"
)

// TestPolicyCoversEveryMethod: every exported method of the device service
// has a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, devices.Policy, &devices.Service{})
}
