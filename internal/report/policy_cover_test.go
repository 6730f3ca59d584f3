package report_test

import (
	"testing"

	"mlp/internal/authztest"
	"mlp/internal/report"
)

// TestPolicyCoversEveryMethod: every exported method of the report service
// has a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, report.Policy, &report.Service{})
}
