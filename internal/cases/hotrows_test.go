package cases_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/apptest"
	"mlp/models"
)

// nextReference takes the next reference number of year in tx.
func nextReference(t *testing.T, tx *gorm.DB, year int) int {
	t.Helper()
	var n int
	if err := tx.Raw(`SELECT case_reference_next(?)`, year).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// waitForAdvisoryWaiter waits until a session waits on an advisory lock (the
// year's first case being created elsewhere).
func waitForAdvisoryWaiter(t *testing.T, db *gorm.DB) {
	t.Helper()
	for range 500 {
		var n int64
		if err := db.Raw(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no session waited for the year's sequence")
}

// TestReferenceSequences: references come from one sequence a year, which
// the year's first case creates while others wait for it; numbers never
// collide, also when that first creation rolls back.
func TestReferenceSequences(t *testing.T) {
	s := apptest.New(t)
	t.Run("YearsFirstCaseConcurrent", func(t *testing.T) {
		first := s.DB.Begin()
		if got := nextReference(t, first, 2091); got != 1 {
			t.Fatalf("first number of the year = %d", got)
		}
		second := make(chan int)
		go func() {
			var n int
			_ = s.DB.Raw(`SELECT case_reference_next(2091)`).Scan(&n).Error
			second <- n
		}()
		waitForAdvisoryWaiter(t, s.DB)
		if err := first.Commit().Error; err != nil {
			t.Fatal(err)
		}
		if got := <-second; got != 2 {
			t.Fatalf("second number of the year = %d", got)
		}
	})
	t.Run("YearsFirstCaseRolledBack", func(t *testing.T) {
		first := s.DB.Begin()
		nextReference(t, first, 2092)
		second := make(chan int)
		go func() {
			var n int
			_ = s.DB.Raw(`SELECT case_reference_next(2092)`).Scan(&n).Error
			second <- n
		}()
		waitForAdvisoryWaiter(t, s.DB)
		first.Rollback()
		// the sequence went with the rollback: the waiter made it again
		if got := <-second; got != 1 {
			t.Fatalf("number after a rolled-back first case = %d", got)
		}
	})
	t.Run("ConcurrentNumbersAreUnique", func(t *testing.T) {
		const n = 40
		got := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = s.DB.Transaction(func(tx *gorm.DB) error {
					return tx.Raw(`SELECT case_reference_next(2093)`).Scan(&got[i]).Error
				})
			}()
		}
		wg.Wait()
		slices.Sort(got)
		for i, v := range got {
			if v != i+1 {
				t.Fatalf("numbers of 40 concurrent cases = %v", got)
			}
		}
	})
	t.Run("YearOutOfRange", func(t *testing.T) {
		var n int
		if err := s.DB.Raw(`SELECT case_reference_next(1999)`).Scan(&n).Error; err == nil {
			t.Fatalf("year 1999 gave %d", n)
		}
	})
}

// TestOpenCaseCounters: the 64 counters of a partner sum to its open cases
// through creations, moves to a final status, reopening, transfers (also
// with a status change in the same update) and deletions of open and closed
// cases, and no counter goes below zero.
func TestOpenCaseCounters(t *testing.T) {
	s := apptest.New(t)
	st := freeState(t)
	a := s.Org(t, models.OrgLegalAid, []string{st}, models.CategoryHousing)
	b := s.Org(t, models.OrgLegalAid, []string{st}, models.CategoryHousing)
	patient, _ := s.User(t, models.RolePatient, nil)
	check := func(step string) {
		t.Helper()
		for _, org := range []*models.Organization{a, b} {
			var counted, open, negative int64
			if err := s.DB.Raw(`SELECT coalesce(sum(open_cases), 0), count(*) FILTER (WHERE open_cases < 0)
				FROM organization_open_cases WHERE organization_id = ?`, org.ID).Row().Scan(&counted, &negative); err != nil {
				t.Fatal(err)
			}
			if err := s.DB.Model(&models.Case{}).Where("organization_id = ? AND status NOT IN ?", org.ID, models.FinalCaseStatuses).
				Count(&open).Error; err != nil {
				t.Fatal(err)
			}
			if counted != open || negative != 0 {
				t.Fatalf("%s: counters of %s sum to %d (%d below zero), open cases %d", step, org.Name, counted, negative, open)
			}
		}
	}
	var ids []uuid.UUID
	for range 40 {
		ids = append(ids, insertCase(t, s, patient, a, models.CaseSubmitted).ID)
	}
	check("created")
	var shards int64
	s.DB.Model(&models.OrganizationOpenCases{}).Where("organization_id = ?", a.ID).Count(&shards)
	if shards < 20 {
		t.Fatalf("40 cases used %d of the 64 counters", shards)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := s.DB.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE cases SET status = 'RESOLVED' WHERE id IN ?`, ids[:10])
	check("resolved")
	exec(`UPDATE cases SET status = 'IN_PROGRESS' WHERE id IN ?`, ids[:5])
	check("reopened")
	exec(`UPDATE cases SET organization_id = ? WHERE id IN ?`, b.ID, ids[10:25])
	check("transferred")
	exec(`UPDATE cases SET organization_id = NULL WHERE id IN ?`, ids[25:30])
	check("unrouted")
	exec(`UPDATE cases SET organization_id = ?, status = 'DECLINED' WHERE id IN ?`, b.ID, ids[30:33])
	check("transferred and closed at once")
	exec(`UPDATE cases SET organization_id = ?, status = 'ACCEPTED' WHERE id IN ?`, a.ID, ids[30:32])
	check("transferred back and reopened at once")
	exec(`DELETE FROM case_events WHERE case_id IN ?`, ids[32:])
	exec(`DELETE FROM cases WHERE id IN ?`, ids[32:])
	check("deleted, closed and open")
}
