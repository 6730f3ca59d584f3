package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// TestClientGoneMutationCompletes: a patient whose phone loses its network
// after sending requestLegalHelp, while the server waits on a lock, does not
// cancel the request: once the lock is released the case is committed whole,
// the request is logged at info as cancelled (the client went away), and the
// app's retry with the same key answers that case.
func TestClientGoneMutationCompletes(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	patient, tok := s.User(t, models.RolePatient, nil)
	key := uuid.NewString()
	const doc = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`
	vars := map[string]any{"in": map[string]any{"idempotencyKey": key, "category": "HOUSING", "jurisdiction": "CA",
		"consentToShare": true, "description": "My landlord changed the locks."}}

	// A transaction that keeps the patient's new cases waiting: it locks
	// their user row, which the case's foreign key needs to share.
	blocker := s.DB.Begin()
	var blockerPID int
	if err := blocker.Raw(`SELECT pg_backend_pid()`).Scan(&blockerPID).Error; err != nil {
		t.Fatal(err)
	}
	if err := blocker.Exec(`SELECT 1 FROM users WHERE id = ? FOR UPDATE`, patient.ID).Error; err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	waiting := func() int64 {
		var n int64
		s.DB.Raw(`SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))`, blockerPID).Scan(&n)
		return n
	}

	ctx, hangUp := context.WithCancel(context.Background())
	sent := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(s.Request(t, tok, doc, vars).WithContext(ctx))
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	for i := 0; waiting() == 0; i++ {
		if i == 500 {
			t.Fatal("the request never waited for the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	hangUp()
	if err := <-sent; err == nil {
		t.Fatal("the client got an answer while the server waited")
	}
	// The server has seen the connection close; the statement still waits.
	time.Sleep(300 * time.Millisecond)
	if waiting() == 0 {
		t.Fatal("the client hanging up cancelled the statement")
	}
	blocker.Rollback()

	var n int64
	for i := 0; ; i++ {
		s.DB.Model(&models.Case{}).Where("patient_id = ? AND idempotency_key = ?", patient.ID, key).Count(&n)
		if n == 1 && strings.Contains(s.LogText(), `"cancelled":true`) {
			break
		}
		if i == 500 {
			t.Fatalf("cases %d; log: %s", n, s.LogText())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, line := range strings.Split(s.LogText(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Fatalf("logged %s", line)
		}
	}
	var first, again struct{ RequestLegalHelp struct{ ID string } }
	s.DB.Raw(`SELECT id::text AS id FROM cases WHERE patient_id = ? AND idempotency_key = ?`, patient.ID, key).Scan(&first.RequestLegalHelp)
	s.Do(t, tok, doc, vars).Decode(t, &again)
	if again.RequestLegalHelp.ID != first.RequestLegalHelp.ID {
		t.Fatalf("retry answered %s, the committed case is %s", again.RequestLegalHelp.ID, first.RequestLegalHelp.ID)
	}
}
