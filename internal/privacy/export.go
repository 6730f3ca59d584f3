package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/models"
)

// Export is everything stored about a patient, as exportMyData and
// GET /me/export.json give it (JSON): top-level keys profile, cases (each
// with its outcome and the timeline the patient sees, their messages
// included), consents, referrals, notifications, devices, accessLog.
type Export struct {
	ExportedAt    time.Time              `json:"exportedAt"`
	Profile       exportProfile          `json:"profile"`
	Cases         []exportCase           `json:"cases"`
	Consents      []exportConsent        `json:"consents"`
	Referrals     []exportReferral       `json:"referrals"`
	Notifications []exportNotification   `json:"notifications"`
	Devices       []exportDevice         `json:"devices"`
	AccessLog     []exportAccessLogEntry `json:"accessLog"`
}

type exportProfile struct {
	ID                    uuid.UUID   `json:"id"`
	Email                 string      `json:"email"`
	DisplayName           string      `json:"displayName"`
	Role                  models.Role `json:"role"`
	PreferredLanguage     string      `json:"preferredLanguage"`
	DiscreetNotifications bool        `json:"discreetNotifications"`
	// SafeContact is how they may be reached safely (nil when not set),
	// with the time zone of its hours.
	SafeContact *exportSafeContact `json:"safeContact"`
	TimeZone    *string            `json:"timeZone"`
	CreatedAt   time.Time          `json:"createdAt"`
	UpdatedAt   time.Time          `json:"updatedAt"`
}

type exportSafeContact struct {
	Channels       []models.ContactMethod `json:"channels"`
	SafeHoursStart *string                `json:"safeHoursStart"`
	SafeHoursEnd   *string                `json:"safeHoursEnd"`
	VoicemailOk    bool                   `json:"voicemailOk"`
	Note           *string                `json:"note"`
}

type exportCase struct {
	ID                 uuid.UUID             `json:"id"`
	Reference          string                `json:"reference"`
	Category           models.LegalCategory  `json:"category"`
	Description        string                `json:"description"`
	Status             models.CaseStatus     `json:"status"`
	Jurisdiction       string                `json:"jurisdiction"`
	Deadline           *models.Date          `json:"deadline"`
	PreferredContact   *models.ContactMethod `json:"preferredContact"`
	HouseholdSize      *int                  `json:"householdSize"`
	MonthlyIncomeCents *int64                `json:"monthlyIncomeCents"`
	Organization       *string               `json:"organization"`
	CreatedAt          time.Time             `json:"createdAt"`
	UpdatedAt          time.Time             `json:"updatedAt"`
	Outcome            *exportOutcome        `json:"outcome"`
	Timeline           []exportEvent         `json:"timeline"`
}

type exportOutcome struct {
	Code               models.OutcomeCode `json:"code"`
	BenefitAmountCents *int64             `json:"benefitAmountCents"`
	Notes              *string            `json:"notes"`
	RecordedAt         time.Time          `json:"recordedAt"`
}

type exportEvent struct {
	ID         uuid.UUID            `json:"id"`
	Kind       models.CaseEventKind `json:"kind"`
	FromStatus *models.CaseStatus   `json:"fromStatus"`
	ToStatus   *models.CaseStatus   `json:"toStatus"`
	Message    *string              `json:"message"`
	ActorRole  *models.Role         `json:"actorRole"`
	CreatedAt  time.Time            `json:"createdAt"`
}

type exportConsent struct {
	ID          uuid.UUID           `json:"id"`
	Scope       models.ConsentScope `json:"scope"`
	TextVersion string              `json:"textVersion"`
	CaseID      *uuid.UUID          `json:"caseId"`
	GrantedAt   time.Time           `json:"grantedAt"`
	RevokedAt   *time.Time          `json:"revokedAt"`
}

type exportReferral struct {
	ID                    uuid.UUID                 `json:"id"`
	Status                models.ReferralStatus     `json:"status"`
	Categories            []models.LegalCategory    `json:"categories"`
	Screening             []*models.ScreeningAnswer `json:"screening"`
	Jurisdiction          string                    `json:"jurisdiction"`
	Deadline              *models.Date              `json:"deadline"`
	RecommendedGuideSlugs []string                  `json:"recommendedGuideSlugs"`
	ReferredBy            *string                   `json:"referredBy"`
	CreatedAt             time.Time                 `json:"createdAt"`
	ClaimedAt             *time.Time                `json:"claimedAt"`
}

type exportNotification struct {
	ID        uuid.UUID  `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	CaseID    *uuid.UUID `json:"caseId"`
	CreatedAt time.Time  `json:"createdAt"`
	ReadAt    *time.Time `json:"readAt"`
}

type exportDevice struct {
	Platform   models.DevicePlatform `json:"platform"`
	CreatedAt  time.Time             `json:"createdAt"`
	LastSeenAt time.Time             `json:"lastSeenAt"`
}

type exportAccessLogEntry struct {
	CaseID           uuid.UUID           `json:"caseId"`
	OrganizationName *string             `json:"organizationName"`
	Role             models.Role         `json:"role"`
	Action           models.AccessAction `json:"action"`
	At               time.Time           `json:"at"`
}

// ExportMyData returns, as one JSON document (see Export), everything stored
// about the calling PATIENT, read in one snapshot: what the API shows them
// (the timeline events visible to them, outcome notes marked for them; the
// referring clinician's notes for the legal team stay out), their devices
// without push tokens, and who looked at their cases. Nothing of another
// user is in it but the organization names and roles of the access log and
// the name of the clinic that referred them.
// Errors: UNAUTHENTICATED, FORBIDDEN (not a PATIENT).
func (s *Service) ExportMyData(ctx context.Context) (json.RawMessage, error) {
	p, err := Policy.Authorize(ctx, "ExportMyData")
	if err != nil {
		return nil, err
	}
	ex := Export{ExportedAt: s.clock.Now(), Cases: []exportCase{}, Consents: []exportConsent{}, Referrals: []exportReferral{},
		Notifications: []exportNotification{}, Devices: []exportDevice{}, AccessLog: []exportAccessLogEntry{}}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.gather(tx, p.ID, &ex)
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	return json.Marshal(ex)
}

func (s *Service) gather(tx *gorm.DB, id uuid.UUID, ex *Export) error {
	var u models.User
	if err := tx.Take(&u, "id = ?", id).Error; err != nil {
		return err
	}
	ex.Profile = exportProfile{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Role: u.Role,
		PreferredLanguage: u.PreferredLanguage, DiscreetNotifications: u.DiscreetNotifications, TimeZone: u.TimeZone,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if sc := models.SafeContactOf(&u); sc != nil {
		ex.Profile.SafeContact = &exportSafeContact{Channels: sc.Channels, SafeHoursStart: sc.SafeHoursStart,
			SafeHoursEnd: sc.SafeHoursEnd, VoicemailOk: sc.VoicemailOk, Note: sc.Note}
	}

	var cs []models.Case
	if err := tx.Where("patient_id = ?", id).Order("created_at, id").Find(&cs).Error; err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	orgNames := map[uuid.UUID]string{}
	var orgs []models.Organization
	if err := tx.Select("id, name").Where("id IN (?)", tx.Model(&models.Case{}).Select("organization_id").Where("patient_id = ?", id)).
		Find(&orgs).Error; err != nil {
		return err
	}
	for _, o := range orgs {
		orgNames[o.ID] = o.Name
	}
	var outcomes []models.CaseOutcome
	var events []models.CaseEvent
	if len(ids) > 0 {
		if err := tx.Where("case_id IN ?", ids).Find(&outcomes).Error; err != nil {
			return err
		}
		if err := tx.Where("case_id IN ? AND visible_to_patient", ids).Order("created_at, id").Find(&events).Error; err != nil {
			return err
		}
	}
	outcomeOf := map[uuid.UUID]*models.CaseOutcome{}
	for i := range outcomes {
		outcomeOf[outcomes[i].CaseID] = &outcomes[i]
	}
	eventsOf := map[uuid.UUID][]exportEvent{}
	for _, e := range events {
		eventsOf[e.CaseID] = append(eventsOf[e.CaseID], exportEvent{ID: e.ID, Kind: e.Kind, FromStatus: e.FromStatus,
			ToStatus: e.ToStatus, Message: e.Message, ActorRole: e.ActorRole, CreatedAt: e.CreatedAt})
	}
	for _, c := range cs {
		ec := exportCase{ID: c.ID, Reference: c.Reference, Category: c.Category, Description: c.Description, Status: c.Status,
			Jurisdiction: c.Jurisdiction, Deadline: c.Deadline, PreferredContact: c.PreferredContact, HouseholdSize: c.HouseholdSize,
			MonthlyIncomeCents: c.MonthlyIncomeCents, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Timeline: eventsOf[c.ID]}
		if ec.Timeline == nil {
			ec.Timeline = []exportEvent{}
		}
		if c.OrganizationID != nil {
			name := orgNames[*c.OrganizationID]
			ec.Organization = &name
		}
		if o := outcomeOf[c.ID]; o != nil {
			ec.Outcome = &exportOutcome{Code: o.Code, BenefitAmountCents: o.BenefitAmountCents, Notes: o.NotesFor(models.RolePatient), RecordedAt: o.RecordedAt}
		}
		ex.Cases = append(ex.Cases, ec)
	}

	var consents []models.Consent
	if err := tx.Where("patient_id = ?", id).Order("granted_at, id").Find(&consents).Error; err != nil {
		return err
	}
	for _, c := range consents {
		ex.Consents = append(ex.Consents, exportConsent{ID: c.ID, Scope: c.Scope, TextVersion: c.TextVersion, CaseID: c.CaseID,
			GrantedAt: c.GrantedAt, RevokedAt: c.RevokedAt})
	}

	var refs []models.Referral
	if err := tx.Where("claimed_by = ?", id).Order("claimed_at, id").Find(&refs).Error; err != nil {
		return err
	}
	for _, r := range refs {
		er := exportReferral{ID: r.ID, Status: r.StatusAt(ex.ExportedAt), Categories: r.Categories, Screening: r.Screening,
			Jurisdiction: r.Jurisdiction, Deadline: r.Deadline, RecommendedGuideSlugs: r.RecommendedGuideSlugs,
			CreatedAt: r.CreatedAt, ClaimedAt: r.ClaimedAt}
		if r.OrganizationID != nil {
			var name string
			if err := tx.Model(&models.Organization{}).Where("id = ?", *r.OrganizationID).Pluck("name", &name).Error; err != nil {
				return err
			}
			er.ReferredBy = &name
		}
		ex.Referrals = append(ex.Referrals, er)
	}

	var ns []models.Notification
	if err := tx.Where("user_id = ?", id).Order("created_at, id").Find(&ns).Error; err != nil {
		return err
	}
	for _, n := range ns {
		ex.Notifications = append(ex.Notifications, exportNotification{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body,
			CaseID: n.CaseID, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt})
	}

	var ds []models.Device
	if err := tx.Select("platform, created_at, last_seen_at").Where("user_id = ?", id).Order("created_at").Find(&ds).Error; err != nil {
		return err
	}
	for _, d := range ds {
		ex.Devices = append(ex.Devices, exportDevice{Platform: d.Platform, CreatedAt: d.CreatedAt, LastSeenAt: d.LastSeenAt})
	}

	if len(ids) == 0 {
		return nil
	}
	byCase, err := s.accessEntries(tx, ids, -1, nil)
	if err != nil {
		return err
	}
	for _, c := range cs {
		for _, e := range byCase[c.ID] {
			ex.AccessLog = append(ex.AccessLog, exportAccessLogEntry{CaseID: c.ID, OrganizationName: e.OrganizationName,
				Role: e.Role, Action: e.Action, At: e.At})
		}
	}
	return nil
}
