package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/database/dbtest"
)

func TestAuditVerify(t *testing.T) {
	t.Parallel()
	db, url := dbtest.OpenFresh(t)
	verify := func() (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"audit", "verify"}, env(map[string]string{"DATABASE_URL": url}), &stdout, &stderr)
		return stdout.String(), err
	}
	var ids []uuid.UUID
	for range 3 {
		id := uuid.New()
		if err := db.Transaction(func(tx *gorm.DB) error { return audit.Record(tx, nil, audit.ActionRead, "Case", &id) }); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("OKOnAWholeTrail", func(t *testing.T) {
		// The command chains the pending entries itself.
		out, err := verify()
		if err != nil || !strings.Contains(out, "3 entries checked, 0 pending") {
			t.Fatalf("audit verify = %v, printed %q", err, out)
		}
		if err := db.Table("audit_chain").Order("seq").Pluck("entry_id", &ids).Error; err != nil || len(ids) != 3 {
			t.Fatalf("links after audit verify: %v, %v", ids, err)
		}
	})
	t.Run("FailsAtTheChangedEntry", func(t *testing.T) {
		err := db.Connection(func(c *gorm.DB) error {
			if err := c.Exec(`SET session_replication_role = replica`).Error; err != nil {
				return err
			}
			defer c.Exec(`SET session_replication_role = DEFAULT`)
			return c.Exec(`UPDATE audit_entries SET action = 'UPDATE' WHERE id = ?`, ids[1]).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := verify()
		if !errors.Is(err, errAuditBroken) || !strings.Contains(out, "broken at entry "+ids[1].String()) {
			t.Fatalf("audit verify = %v, printed %q; want broken at entry %s", err, out, ids[1])
		}
	})
	t.Run("UnknownSubcommand", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"audit", "rewrite"}, env(map[string]string{"DATABASE_URL": url}), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "rewrite") {
			t.Fatalf("audit rewrite = %v", err)
		}
	})
}
