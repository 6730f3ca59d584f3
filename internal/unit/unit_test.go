package unit_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/clock"
	"mlp/internal/database/dbtest"
	"mlp/internal/unit"
	"mlp/models"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// TestOneNow: everything GORM stamps in a unit is the unit's Now, taken once
// from the clock, whatever the clock does meanwhile; an error rolls back.
func TestOneNow(t *testing.T) {
	db := dbtest.Open(t)
	m := clock.NewManual(time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC))
	p := &models.Principal{ID: uuid.New(), Role: models.RoleAdmin}
	var org models.Organization
	err := unit.Do(context.Background(), db, m.Clock(), p, func(w *unit.Work) error {
		if w.By != p || !w.Now.Equal(time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)) {
			t.Errorf("work: by %v, now %v", w.By, w.Now)
		}
		m.Add(time.Hour) // the unit keeps its Now
		org = models.Organization{Name: "Unit " + uuid.NewString(), Kind: models.OrgHealthSystem, ServiceAreas: []string{"CA"}, Categories: []models.LegalCategory{}}
		return w.Tx.Create(&org).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	var got models.Organization
	if err := db.Take(&got, "id = ?", org.ID).Error; err != nil {
		t.Fatal(err)
	}
	want := time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)
	if !got.CreatedAt.Equal(want) {
		t.Fatalf("created_at %v, want %v", got.CreatedAt, want)
	}

	boom := errors.New("boom")
	name := "Rolled back " + uuid.NewString()
	err = unit.Do(context.Background(), db, m.Clock(), p, func(w *unit.Work) error {
		if err := w.Tx.Create(&models.Organization{Name: name, Kind: models.OrgHealthSystem, ServiceAreas: []string{"CA"}, Categories: []models.LegalCategory{}}).Error; err != nil {
			return err
		}
		return boom
	})
	var n int64
	db.Model(&models.Organization{}).Where("name = ?", name).Count(&n)
	if !errors.Is(err, boom) || n != 0 {
		t.Fatalf("err %v, rows %d: want boom and nothing written", err, n)
	}
}
