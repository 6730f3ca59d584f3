package audit_test

import (
	"testing"

	"mlp/internal/audit"
	"mlp/internal/authztest"
)

// TestPolicyCoversEveryMethod: every exported method of the audit service has
// a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, audit.Policy, &audit.Service{})
}
