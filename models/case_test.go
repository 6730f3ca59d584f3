package models

import (
	"testing"
	"time"
)

func TestCaseUrgent(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 23, 30, 0, 0, time.UTC)
	day := func(n int) *Date { d := NewDate(now.AddDate(0, 0, n)); return &d }
	for _, tc := range []struct {
		name     string
		deadline *Date
		status   CaseStatus
		want     bool
	}{
		{"NoDeadline", nil, CaseInProgress, false},
		{"Today", day(0), CaseSubmitted, true},
		{"In14Days", day(14), CaseReceived, true},
		{"In15Days", day(15), CaseReceived, false},
		{"PassedWhileOpen", day(-1), CaseWaitingOnPatient, true},
		{"PassedWhenClosed", day(-1), CaseResolved, false},
		{"SoonWhenClosed", day(3), CaseWithdrawn, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Deadline: tc.deadline, Status: tc.status}
			if got := c.Urgent(now); got != tc.want {
				t.Fatalf("Urgent = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFhirTaskStatus(t *testing.T) {
	t.Parallel()
	want := map[CaseStatus]string{
		CaseSubmitted: "requested", CaseReceived: "requested", CaseAccepted: "accepted",
		CaseInProgress: "in-progress", CaseWaitingOnPatient: "on-hold", CaseResolved: "completed",
		CaseUnresolved: "failed", CaseDeclined: "rejected", CaseWithdrawn: "cancelled",
	}
	for _, s := range AllCaseStatuses {
		if got := s.FhirTaskStatus(); got != want[s] {
			t.Errorf("%s: %q, want %q", s, got, want[s])
		}
	}
}
