package accounts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// freshEmail returns an address no other test uses.
func freshEmail(prefix string) string {
	return fmt.Sprintf("%s-%s@example.test", prefix, strings.ReplaceAll(uuid.NewString(), "-", "")[:16])
}

// freshName returns an organization name no other test uses.
func freshName(prefix string) string { return prefix + " " + uuid.NewString()[:8] }

// usersWithEmail counts the accounts stored under the normalised address.
func usersWithEmail(t *testing.T, s *apptest.Server, email string) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(&models.User{}).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// orgsNamed counts the organizations stored under name, in any case.
func orgsNamed(t *testing.T, s *apptest.Server, name string) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(&models.Organization{}).Where("lower(name) = lower(?)", strings.TrimSpace(name)).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// mustBadInput checks for BAD_USER_INPUT naming field.
func mustBadInput(t *testing.T, r *apptest.Response, field string) {
	t.Helper()
	r.MustCode(t, "BAD_USER_INPUT")
	if r.Field() != field {
		t.Fatalf("field = %q, want %q: %s", r.Field(), field, r.Raw)
	}
}

const (
	registerOp    = `mutation($in: RegisterInput!) { register(input: $in) { accessToken user { id } } }`
	createStaffOp = `mutation($in: CreateStaffUserInput!) { createStaffUser(input: $in) { id email role organization { id } } }`
	createOrgOp   = `mutation($in: CreateOrganizationInput!) { createOrganization(input: $in) { id name kind serviceAreas categories phone website } }`
	goodPassword  = "a long enough passphrase"
)

func ptr[T any](v T) *T { return &v }
