package push_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"mlp/internal/apptest"
	"mlp/internal/push"
	"mlp/models"
)

const profileDoc = `mutation($in: UpdateMyProfileInput!) { updateMyProfile(input: $in) { id safeContact { safeHoursStart safeHoursEnd timeZone } } }`

// base is the test's "now" for the hours it writes and the openings it
// expects, taken once so that a minute turning over in between cannot
// shift one against the other.
var base = time.Now()

// hhmm is the wall-clock time of base+d in loc, as safe hours are written.
func hhmm(loc *time.Location, d time.Duration) string { return base.Add(d).In(loc).Format("15:04") }

// TestSafeHoursHoldPushes drives the hold over HTTP with the workers running:
// a patient's push outside their safe hours is scheduled in the outbox at the
// window's opening and not sent, while the in-app notification is there at
// once; inside the window it is sent. The hours are read in the time zone the
// patient chose, else in the main time zone of their case's state. At send
// time the worker reads the hours again: changed hours snooze the push to
// the new opening, cleared hours send it.
func TestSafeHoursHoldPushes(t *testing.T) {
	base = time.Now()
	fake := newFake(nil)
	s := apptest.New(t, apptest.WithWorkers(), apptest.WithPush(push.Senders{models.PlatformAndroid: fake}))
	org := s.Org(t, models.OrgLegalAid, []string{"CA"}, models.CategoryHousing)
	_, advTok := s.User(t, models.RoleAdvocate, org)
	chicago, _ := time.LoadLocation("America/Chicago")
	la, _ := time.LoadLocation("America/Los_Angeles")

	// patient makes a patient with a device, a case in CA and the profile
	// given, and returns them, their token and their case.
	patient := func(token string, profile map[string]any) (*models.User, string, string) {
		t.Helper()
		u, tok := s.User(t, models.RolePatient, nil)
		s.Do(t, tok, registerDoc, map[string]any{"p": "ANDROID", "t": token}).MustOK(t)
		var c struct{ RequestLegalHelp struct{ ID string } }
		s.Do(t, tok, `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"idempotencyKey": uuid.NewString(), "category": "HOUSING", "description": "The heating is off.", "jurisdiction": "CA", "consentToShare": true,
		}}).Decode(t, &c)
		s.Do(t, tok, profileDoc, map[string]any{"in": profile}).MustOK(t)
		return u, tok, c.RequestLegalHelp.ID
	}
	// message has the advocate write to the patient of case (a CASE_MESSAGE
	// notification and its push) and checks the in-app row is there at once.
	message := func(u *models.User, caseID string) uuid.UUID {
		t.Helper()
		s.Do(t, advTok, `mutation($id: ID!) { addCaseMessage(caseId: $id, body: "Please bring the lease.") { id } }`,
			map[string]any{"id": caseID}).MustOK(t)
		var n models.Notification
		if err := s.DB.Order("created_at DESC").Take(&n, "user_id = ? AND kind = 'CASE_MESSAGE'", u.ID).Error; err != nil {
			t.Fatalf("no in-app notification at once: %v", err)
		}
		return n.ID
	}
	type jobRow struct {
		ID          int64
		State       string
		ScheduledAt time.Time
	}
	pushJob := func(notification uuid.UUID) jobRow {
		t.Helper()
		var j jobRow
		if err := s.DB.Raw(`SELECT id, state, scheduled_at FROM river_job WHERE kind = ? AND args ->> 'notification_id' = ?`,
			push.Kind, notification.String()).Scan(&j).Error; err != nil || j.ID == 0 {
			t.Fatalf("no push job: %v", err)
		}
		return j
	}
	// opening is the instant base+d cut to the minute (hours are HH:MM).
	opening := func(d time.Duration) time.Time { return base.Add(d).Truncate(time.Minute) }
	sc := func(start, end string) map[string]any {
		return map[string]any{"channels": []string{"APP"}, "safeHoursStart": start, "safeHoursEnd": end, "voicemailOk": false}
	}

	var heldUser *models.User
	var heldNote uuid.UUID
	var heldTok string
	t.Run("OutsideTheWindowIsHeldUntilItOpens", func(t *testing.T) {
		u, tok, c := patient("held-token-001", map[string]any{"timeZone": "America/Chicago",
			"safeContact": sc(hhmm(chicago, 3*time.Hour), hhmm(chicago, 5*time.Hour))})
		n := message(u, c)
		j := pushJob(n)
		if want := opening(3 * time.Hour); j.State != "scheduled" || !j.ScheduledAt.Equal(want) {
			t.Fatalf("push job %+v, want scheduled at %v", j, want)
		}
		time.Sleep(500 * time.Millisecond)
		if c := fake.callsOf("held-token-001"); c != 0 {
			t.Fatalf("%d pushes outside the safe hours", c)
		}
		heldUser, heldNote, heldTok = u, n, tok
	})
	t.Run("InsideTheWindowIsSent", func(t *testing.T) {
		u, _, c := patient("inside-token-1", map[string]any{"timeZone": "America/Chicago",
			"safeContact": sc(hhmm(chicago, -time.Hour), hhmm(chicago, time.Hour))})
		message(u, c)
		waitFor(t, "the push", func() bool { return len(fake.delivered("inside-token-1")) == 1 })
	})
	t.Run("HoursReadInTheCaseStatesZoneByDefault", func(t *testing.T) {
		// No time zone of their own: the case is in CA, so the hours are
		// Los Angeles time (Chicago's would open two hours off).
		u, _, c := patient("default-zone-1", map[string]any{"safeContact": sc(hhmm(la, 3*time.Hour), hhmm(la, 4*time.Hour))})
		if j := pushJob(message(u, c)); !j.ScheduledAt.Equal(opening(3 * time.Hour)) {
			t.Fatalf("scheduled at %v, want %v (Los Angeles time)", j.ScheduledAt, opening(3*time.Hour))
		}
	})
	t.Run("MidnightSpanningWindow", func(t *testing.T) {
		// From an hour ahead to an hour ago: a window that passes midnight
		// (unless the two hours around now do) and excludes now.
		u, _, c := patient("wrap-token-001", map[string]any{"timeZone": "America/Chicago",
			"safeContact": sc(hhmm(chicago, time.Hour), hhmm(chicago, -time.Hour))})
		if j := pushJob(message(u, c)); !j.ScheduledAt.Equal(opening(time.Hour)) {
			t.Fatalf("scheduled at %v, want %v", j.ScheduledAt, opening(time.Hour))
		}
		// From an hour ago to two hours ago: the rest of the day, now inside.
		u, _, c = patient("wrap-token-002", map[string]any{"timeZone": "America/Chicago",
			"safeContact": sc(hhmm(chicago, -time.Hour), hhmm(chicago, -2*time.Hour))})
		message(u, c)
		waitFor(t, "the push", func() bool { return len(fake.delivered("wrap-token-002")) == 1 })
	})
	t.Run("NoAppChannelIsNotPushed", func(t *testing.T) {
		// "Phone only, after 6 pm": the app is not a safe way to reach them,
		// whatever the hours; the in-app row is still written.
		u, _, c := patient("phone-only-001", map[string]any{"safeContact": map[string]any{"channels": []string{"PHONE"}, "voicemailOk": false}})
		j := pushJob(message(u, c))
		waitFor(t, "the push job to finish", func() bool {
			var state string
			s.DB.Raw(`SELECT state FROM river_job WHERE id = ?`, j.ID).Scan(&state)
			return state == "completed"
		})
		if n := fake.callsOf("phone-only-001"); n != 0 {
			t.Fatalf("%d pushes to a patient who left out the app", n)
		}
	})
	t.Run("ChangedHoursAreHonouredAtSendTime", func(t *testing.T) {
		if heldUser == nil {
			t.Skip("needs the held push")
		}
		// The worker as it runs at the old opening (three hours from now).
		at := opening(3 * time.Hour)
		w := push.NewWorker(s.DB, push.Senders{models.PlatformAndroid: fake}, func() time.Time { return at }, nil)
		var device models.Device
		if err := s.DB.Take(&device, "user_id = ?", heldUser.ID).Error; err != nil {
			t.Fatal(err)
		}
		job := &river.Job[push.Args]{JobRow: &rivertype.JobRow{}, Args: push.Args{NotificationID: heldNote, DeviceID: device.ID}}

		// The patient moved their window three hours later: snoozed to it.
		s.Do(t, heldTok, profileDoc, map[string]any{"in": map[string]any{
			"safeContact": sc(hhmm(chicago, 6*time.Hour), hhmm(chicago, 8*time.Hour))}}).MustOK(t)
		var snooze *rivertype.JobSnoozeError
		if err := w.Work(context.Background(), job); !errors.As(err, &snooze) || snooze.Duration != 3*time.Hour {
			t.Fatalf("work at the old opening: %v, want a snooze of 3h", err)
		}
		if c := fake.callsOf("held-token-001"); c != 0 {
			t.Fatalf("%d pushes outside the new hours", c)
		}
		// Then they dropped the hours: sent.
		s.Do(t, heldTok, profileDoc, map[string]any{"in": map[string]any{
			"safeContact": map[string]any{"channels": []string{"APP"}, "voicemailOk": false}}}).MustOK(t)
		if err := w.Work(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		if d := fake.delivered("held-token-001"); len(d) != 1 {
			t.Fatalf("%d pushes after the hours were cleared", len(d))
		}
	})
	t.Run("TimeZoneIsValidated", func(t *testing.T) {
		_, tok := s.User(t, models.RolePatient, nil)
		for _, tz := range []string{"Mars/Olympus", "Local", "../etc/passwd", "/usr/share/zoneinfo/UTC"} {
			r := s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{"timeZone": tz}}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "input.timeZone" {
				t.Fatalf("%q: field %q", tz, r.Field())
			}
		}
		var got struct {
			UpdateMyProfile struct{ SafeContact *struct{ TimeZone *string } }
		}
		s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{"timeZone": "America/Chicago", "safeContact": sc("18:00", "21:00")}}).Decode(t, &got)
		if tz := got.UpdateMyProfile.SafeContact.TimeZone; tz == nil || *tz != "America/Chicago" {
			t.Fatalf("time zone %v", tz)
		}
		s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{"timeZone": ""}}).Decode(t, &got)
		if tz := got.UpdateMyProfile.SafeContact.TimeZone; tz != nil {
			t.Fatalf("cleared time zone reads %q", *tz)
		}
		s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{"safeContact": sc("18:00", "18:00")}}).MustCode(t, "BAD_USER_INPUT")
	})
}
