package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/app"
	"mlp/internal/apptest"
	"mlp/internal/audit"
	"mlp/internal/database/dbtest"
)

// With workers, Start runs the audit sequencer: an entry written afterwards
// is chained without anyone calling ChainPending, and Close stops it.
func TestStartRunsTheAuditSequencer(t *testing.T) {
	t.Parallel()
	db, url := dbtest.OpenFresh(t)
	a := app.New(app.Options{DB: db, DatabaseURL: url, Logger: slog.New(slog.DiscardHandler), JWTSecret: []byte(apptest.JWTSecret),
		Workers: true, AuditChainInterval: 5 * time.Millisecond})
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			a.Close()
		}
	}()
	id := uuid.New()
	if err := db.Transaction(func(tx *gorm.DB) error { return audit.Record(tx, nil, audit.ActionRead, "Case", &id) }); err != nil {
		t.Fatal(err)
	}
	// The sequencer works on its own schedule: wait for it, within a bound.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var linked int64
		if err := db.Raw(`SELECT count(*) FROM audit_chain`).Row().Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if linked == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the entry was not chained within 10 s of its commit")
		}
	}
	a.Close()
	closed = true
	// Stopped: a later entry stays pending.
	if err := db.Transaction(func(tx *gorm.DB) error { return audit.Record(tx, nil, audit.ActionRead, "Case", &id) }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // ten of its periods
	v, err := audit.Verify(context.Background(), db)
	if err != nil || !v.OK() || v.Checked != 1 || v.Pending != 1 {
		t.Fatalf("after Close: %v %s (pending %d)", err, v, v.Pending)
	}
}
