package database_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"mlp/internal/database"
	"mlp/internal/database/dbtest"
	"mlp/models"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestQueryLogNeverCarriesValues runs a failing and a slow statement on a
// pool that logs, and checks that the log names the statement and its
// SQLSTATE but none of the values bound to it.
func TestQueryLogNeverCarriesValues(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	db, err := database.Open(context.Background(), database.Options{
		URL: dbtest.URL(t), MaxConns: 2, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		SlowQueryThreshold: time.Nanosecond, // every statement is slow
	})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db) //nolint:errcheck
	const email = "private.person@example.test"
	u := models.User{Email: email, PasswordHash: "secret-hash-value", DisplayName: "Private Person", Role: models.RolePatient, PreferredLanguage: "en"}
	if err := db.Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	dup := u
	dup.ID = [16]byte{}
	err = db.Create(&dup).Error
	if !database.IsUniqueViolation(err, "users_email_key") {
		t.Fatalf("second insert = %v, want a unique violation on users_email_key", err)
	}
	var found models.User
	if err := db.Where("email = ?", email).Take(&found).Error; err != nil {
		t.Fatal(err)
	}
	// Raw(...).Scan traces through GORM's recorder, another path.
	var row struct{ DisplayName string }
	if err := db.Raw(`SELECT display_name FROM users WHERE email = ? AND display_name <> ?`, email, "Other Person 4242").Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	text := logs.String()
	for _, want := range []string{"query failed", "23505 users_email_key", "slow query", `INSERT INTO \"users\"`, "$1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the log does not say %q:\n%s", want, text)
		}
	}
	// the constraint's refusal is an answer the caller translates: INFO
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "23505 users_email_key") && !strings.Contains(line, `"level":"INFO"`) {
			t.Errorf("a unique violation is logged as %s", line)
		}
	}
	for _, secret := range []string{email, "secret-hash-value", "Private Person", "Other Person 4242"} {
		if strings.Contains(text, secret) {
			t.Errorf("the log carries %q:\n%s", secret, text)
		}
	}
}
