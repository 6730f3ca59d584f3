package audit_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/database/dbtest"
	"mlp/models"
)

// actors makes an organization with an advocate in db and returns the
// advocate as a principal (every audit field set) and a patient (no
// organization).
func actors(t testing.TB, db *gorm.DB) (staff, patient *auth.Principal) {
	t.Helper()
	org := models.Organization{Name: "Chain Legal Aid " + uuid.NewString()[:8], Kind: models.OrgLegalAid}
	if err := db.Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	mk := func(role models.Role, orgID *uuid.UUID) *auth.Principal {
		u := models.User{Email: uuid.NewString() + "@chain.test", PasswordHash: "x", DisplayName: "Chain " + string(role),
			Role: role, PreferredLanguage: "en", OrganizationID: orgID}
		if err := db.Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{ID: u.ID, Role: role, OrganizationID: orgID}
	}
	return mk(models.RoleAdvocate, &org.ID), mk(models.RolePatient, nil)
}

// write commits n audit entries, one transaction each, alternating actors
// (nil is the system), chains them, and returns every entry's id in chain
// order.
func write(t *testing.T, db *gorm.DB, n int, who ...*auth.Principal) []uuid.UUID {
	t.Helper()
	for i := range n {
		var actor *auth.Principal
		if len(who) > 0 {
			actor = who[i%len(who)]
		}
		id := uuid.New()
		if err := db.Transaction(func(tx *gorm.DB) error {
			return audit.Record(tx, actor, audit.ActionRead, "Case", &id)
		}); err != nil {
			t.Fatal(err)
		}
	}
	chain(t, db)
	var ids []uuid.UUID
	if err := db.Table("audit_chain").Order("seq").Pluck("entry_id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// chain chains every committed entry (audit.ChainPending) and returns how
// many it chained.
func chain(t testing.TB, db *gorm.DB) int {
	t.Helper()
	n, err := audit.ChainPending(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// verify chains what is pending, then verifies.
func verify(t *testing.T, db *gorm.DB) audit.Verification {
	t.Helper()
	chain(t, db)
	return verifyOnly(t, db)
}

// verifyOnly verifies without chaining first.
func verifyOnly(t *testing.T, db *gorm.DB) audit.Verification {
	t.Helper()
	v, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// superuser runs stmts on one connection of db with every trigger off
// (session_replication_role = replica needs the superuser): a change behind
// the application's back.
func superuser(t *testing.T, db *gorm.DB, stmts ...string) {
	t.Helper()
	err := db.Connection(func(c *gorm.DB) error {
		if err := c.Exec(`SET session_replication_role = replica`).Error; err != nil {
			return err
		}
		defer c.Exec(`SET session_replication_role = DEFAULT`)
		for _, s := range stmts {
			if err := c.Exec(s).Error; err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDigestCoversEveryColumn(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	var cols []string
	if err := db.Raw(`SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'audit_entries' ORDER BY column_name`).Scan(&cols).Error; err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(audit.DigestColumns)
	slices.Sort(want)
	if !slices.Equal(cols, want) {
		t.Fatalf("audit_entries has columns %v, the digest covers %v: add the new ones to audit_entry_digest and audit.digest", cols, want)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	t.Run("OKOnAnEmptyTrail", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		v := verify(t, db)
		if !v.OK() || v.Checked != 0 {
			t.Fatalf("empty trail: %s", v)
		}
	})
	t.Run("OKOnAnUntouchedTrail", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		staff, patient := actors(t, db)
		ids := write(t, db, 12, staff, patient, nil)
		// A page of reads in one statement, and a rolled-back entry that
		// must leave no link.
		if err := audit.RecordEach(db, staff, audit.ActionRead, "Case", []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}); err != nil {
			t.Fatal(err)
		}
		_ = db.Transaction(func(tx *gorm.DB) error {
			if err := audit.Record(tx, staff, audit.ActionUpdate, "Case", nil); err != nil {
				t.Fatal(err)
			}
			return fmt.Errorf("roll back")
		})
		v := verify(t, db)
		if !v.OK() || v.Checked != int64(len(ids)+3) {
			t.Fatalf("untouched trail of %d entries: %s", len(ids)+3, v)
		}
		if len(v.Head) != 64 {
			t.Errorf("head = %q", v.Head)
		}
	})
	t.Run("BrokenAtAChangedEntry", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		staff, patient := actors(t, db)
		ids := write(t, db, 6, staff, patient)
		// The append-only trigger alone, as a superuser would.
		if err := db.Exec(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update`).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`UPDATE audit_entries SET actor_role = 'ADMIN', actor_organization_id = NULL WHERE id = ?`, ids[3]).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_update`).Error; err != nil {
			t.Fatal(err)
		}
		v := verify(t, db)
		if v.OK() || v.BrokenAt == nil || *v.BrokenAt != ids[3] || v.Checked != 3 {
			t.Fatalf("changed entry %s: %s", ids[3], v)
		}
	})
	t.Run("BrokenAtAChangedTime", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		staff, _ := actors(t, db)
		ids := write(t, db, 4, staff)
		superuser(t, db, fmt.Sprintf(`UPDATE audit_entries SET at = at + interval '1 microsecond' WHERE id = '%s'`, ids[1]))
		if v := verify(t, db); v.BrokenAt == nil || *v.BrokenAt != ids[1] {
			t.Fatalf("changed time of %s: %s", ids[1], v)
		}
	})
	t.Run("BrokenAtADeletedEntry", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		staff, patient := actors(t, db)
		ids := write(t, db, 6, staff, patient)
		superuser(t, db, fmt.Sprintf(`DELETE FROM audit_entries WHERE id = '%s'`, ids[2]))
		v := verify(t, db)
		if v.BrokenAt == nil || *v.BrokenAt != ids[2] || v.Checked != 2 {
			t.Fatalf("deleted entry %s: %s", ids[2], v)
		}
	})
	t.Run("BrokenAfterAnEntryDeletedWithItsLink", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		staff, _ := actors(t, db)
		ids := write(t, db, 6, staff)
		superuser(t, db,
			fmt.Sprintf(`DELETE FROM audit_chain WHERE entry_id = '%s'`, ids[2]),
			fmt.Sprintf(`DELETE FROM audit_entries WHERE id = '%s'`, ids[2]))
		if v := verify(t, db); v.BrokenAt == nil || *v.BrokenAt != ids[3] {
			t.Fatalf("deleted entry and link %s: %s", ids[2], v)
		}
	})
	t.Run("BrokenAfterTheLastEntriesDeleted", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		staff, _ := actors(t, db)
		ids := write(t, db, 5, staff)
		superuser(t, db,
			fmt.Sprintf(`DELETE FROM audit_chain WHERE entry_id = '%s'`, ids[4]),
			fmt.Sprintf(`DELETE FROM audit_entries WHERE id = '%s'`, ids[4]))
		if v := verify(t, db); v.OK() || v.BrokenAt == nil || *v.BrokenAt != ids[3] {
			t.Fatalf("deleted last entry: %s", v)
		}
	})
	t.Run("BrokenAtAnEntryWrittenWithoutItsLink", func(t *testing.T) {
		t.Parallel()
		db, _ := dbtest.OpenFresh(t)
		staff, _ := actors(t, db)
		write(t, db, 3, staff)
		forged := uuid.New()
		superuser(t, db, fmt.Sprintf(`INSERT INTO audit_entries (id, action, entity_type, at) VALUES ('%s', 'READ', 'Case', now())`, forged))
		if v := verify(t, db); v.BrokenAt == nil || *v.BrokenAt != forged {
			t.Fatalf("entry %s without a link: %s", forged, v)
		}
	})
}

// Concurrent writers, with a sequencer chaining while they write and
// ChainPending after them: every committed entry gets exactly one link, the
// links are numbered without gaps, each points at the one before (Verify
// checks all three), and rolled-back entries leave neither a link nor a
// pending mark.
func TestConcurrentWritersDoNotForkTheChain(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.OpenFresh(t)
	staff, patient := actors(t, db)
	const writers, each = 8, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := 0
	errs := make(chan error, writers)
	ctx, stop := context.WithCancel(context.Background())
	sequenced := make(chan struct{})
	go func() {
		defer close(sequenced)
		audit.NewSequencer(db, time.Millisecond, nil).Run(ctx)
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := 1 + (w+i)%3
				rollback := i%5 == 4
				err := db.Transaction(func(tx *gorm.DB) error {
					ids := make([]uuid.UUID, n)
					for j := range ids {
						ids[j] = uuid.New()
					}
					if err := audit.RecordEach(tx, []*auth.Principal{staff, patient}[w%2], audit.ActionRead, "Case", ids); err != nil {
						return err
					}
					time.Sleep(time.Duration(w%3) * time.Millisecond)
					if rollback {
						return errRollback
					}
					return nil
				})
				if err != nil && err != errRollback {
					errs <- err
					return
				}
				if !rollback {
					mu.Lock()
					committed += n
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	stop()
	<-sequenced
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	v := verify(t, db)
	if !v.OK() || v.Checked != int64(committed) || v.Pending != 0 {
		t.Fatalf("after %d committed entries from %d writers: %s", committed, writers, v)
	}
	var links, distinct int64
	db.Raw(`SELECT count(*), count(DISTINCT prev_hash) FROM audit_chain`).Row().Scan(&links, &distinct)
	if links != int64(committed) || distinct != links {
		t.Fatalf("%d links, %d distinct previous hashes, %d entries: the chain forked", links, distinct, committed)
	}
	var entries, pending int64
	db.Raw(`SELECT (SELECT count(*) FROM audit_entries), (SELECT count(*) FROM audit_unchained)`).Row().Scan(&entries, &pending)
	if entries != int64(committed) || pending != 0 {
		t.Fatalf("%d entries and %d pending marks after %d committed: a rolled-back entry left a trace", entries, pending, committed)
	}
}

var errRollback = fmt.Errorf("roll back")
