package auth_test

import (
	"testing"

	"mlp/internal/auth"
	"mlp/internal/authztest"
)

// TestPolicyCoversEveryMethod: every exported method of the sign-in service
// has a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, auth.SessionPolicy, &auth.Service{})
}
