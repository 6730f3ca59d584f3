// Package accounts manages partner organizations and staff accounts.
package accounts

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/clock"
	"mlp/internal/database"
	"mlp/internal/geo"
	"mlp/internal/unit"
	"mlp/models"
)

// Service manages organizations and users.
type Service struct {
	db    *gorm.DB
	auth  *auth.Service
	clock clock.Clock
	// servesMore runs in the transaction of a change that may let a
	// legal-aid organization take cases it did not (see OnServesMore).
	servesMore []func(ctx context.Context, tx *gorm.DB) error
	// recovery is password reset's wiring (UseRecovery).
	recovery Recovery
}

// OnServesMore registers h to run in the transaction that creates a LEGAL_AID
// organization or changes an organization's service areas or categories (the
// cases service enqueues the routing of waiting cases). Register while wiring
// the application. An error from h rolls the change back.
func (s *Service) OnServesMore(h func(ctx context.Context, tx *gorm.DB) error) {
	s.servesMore = append(s.servesMore, h)
}

func (s *Service) runServesMore(ctx context.Context, tx *gorm.DB) error {
	for _, h := range s.servesMore {
		if err := h(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// NewService returns the accounts service; clk is the application's clock.
func NewService(db *gorm.DB, a *auth.Service, clk clock.Clock) *Service {
	return &Service{db: db, auth: a, clock: clk}
}

// ParseID parses a GraphQL ID; a malformed one is reported as not found, like
// any object the caller cannot see.
func ParseID(id, what string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, models.NotFound(what)
	}
	return u, nil
}

// CreateOrganization adds a partner organization. ADMIN only (Policy).
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (input.name,
// input.serviceAreas, input.categories, input.phone, input.website), CONFLICT
// for a taken name.
func (s *Service) CreateOrganization(ctx context.Context, in models.CreateOrganizationInput) (*models.Organization, error) {
	p, err := Policy.Authorize(ctx, "CreateOrganization")
	if err != nil {
		return nil, err
	}
	org, err := validateOrganization(in)
	if err != nil {
		return nil, err
	}
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if err := tx.Create(org).Error; err != nil {
			if database.IsUniqueViolation(err, "organizations_name_key") {
				return models.Errorf(models.ECONFLICT, "An organization with this name already exists.")
			}
			return err
		}
		if err := audit.Record(tx, p, audit.ActionCreate, "Organization", &org.ID); err != nil {
			return err
		}
		if org.Kind != models.OrgLegalAid {
			return nil
		}
		return s.runServesMore(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}

// UpdateOrganization changes an organization's name, phone, website, service
// areas or categories (nil fields stay; an empty phone or website clears it),
// by the rules of CreateOrganization. When a legal-aid organization's areas
// or categories change, cases that wait for a partner are routed after it
// commits. ADMIN.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (input.name,
// input.serviceAreas, input.categories, input.phone, input.website), CONFLICT
// for a taken name.
func (s *Service) UpdateOrganization(ctx context.Context, in models.UpdateOrganizationInput) (*models.Organization, error) {
	p, err := Policy.Authorize(ctx, "UpdateOrganization")
	if err != nil {
		return nil, err
	}
	oid, err := ParseID(in.ID, "Organization")
	if err != nil {
		return nil, err
	}
	var org models.Organization
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&org, "id = ?", oid).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.NotFound("Organization")
			}
			return err
		}
		next := models.CreateOrganizationInput{Name: org.Name, Kind: org.Kind, ServiceAreas: org.ServiceAreas,
			Categories: org.Categories, Phone: org.Phone, Website: org.Website}
		if in.Name != nil {
			next.Name = *in.Name
		}
		if in.Phone != nil {
			next.Phone = in.Phone
		}
		if in.Website != nil {
			next.Website = in.Website
		}
		if in.ServiceAreas != nil {
			next.ServiceAreas = in.ServiceAreas
		}
		if in.Categories != nil {
			next.Categories = in.Categories
		}
		v, err := validateOrganization(next)
		if err != nil {
			return err
		}
		more := org.Kind == models.OrgLegalAid && (!slices.Equal(v.ServiceAreas, org.ServiceAreas) || !slices.Equal(v.Categories, org.Categories))
		org.Name, org.ServiceAreas, org.Categories, org.Phone, org.Website = v.Name, v.ServiceAreas, v.Categories, v.Phone, v.Website
		org.UpdatedAt = tx.NowFunc()
		if err := tx.Model(&org).Select("name", "service_areas", "categories", "phone", "website", "updated_at").Updates(&org).Error; err != nil {
			if database.IsUniqueViolation(err, "organizations_name_key") {
				return models.Errorf(models.ECONFLICT, "An organization with this name already exists.")
			}
			return err
		}
		if err := audit.Record(tx, p, audit.ActionUpdate, "Organization", &org.ID); err != nil {
			return err
		}
		if !more {
			return nil
		}
		return s.runServesMore(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return &org, nil
}

// ServiceAreas validates a list of service areas (state codes or county FIPS
// codes) given in field and returns it normalised, without repeats.
// Errors: BAD_USER_INPUT (field) for an unknown area or an empty list.
func ServiceAreas(field string, in []string) ([]string, error) {
	areas, ok := geo.NormalizeAreas(in)
	if !ok {
		return nil, models.InvalidField(field, "Service areas are US state codes such as OR, or 5-digit county FIPS codes such as 06037 (Los Angeles County).")
	}
	if len(areas) == 0 {
		return nil, models.InvalidField(field, "Name at least one state or county the organization serves.")
	}
	return areas, nil
}

func validateOrganization(in models.CreateOrganizationInput) (*models.Organization, error) {
	name := strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 200 {
		return nil, models.InvalidField("input.name", "Names are 1 to 200 characters long.")
	}
	areas, err := ServiceAreas("input.serviceAreas", in.ServiceAreas)
	if err != nil {
		return nil, err
	}
	cats := make([]models.LegalCategory, 0, len(in.Categories))
	for _, c := range in.Categories {
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	if in.Kind == models.OrgLegalAid && len(cats) == 0 {
		return nil, models.InvalidField("input.categories", "A legal-aid organization takes at least one category.")
	}
	if in.Kind == models.OrgHealthSystem && len(cats) > 0 {
		return nil, models.InvalidField("input.categories", "Only legal-aid organizations take categories.")
	}
	phone := models.Trimmed(in.Phone)
	if phone != nil && (len(*phone) > 40 || strings.Trim(*phone, "0123456789+-() .x") != "") {
		return nil, models.InvalidField("input.phone", "Enter a phone number of digits, spaces and + - ( ).")
	}
	site := models.Trimmed(in.Website)
	if site != nil {
		u, err := url.Parse(*site)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(*site) > 500 {
			return nil, models.InvalidField("input.website", "Enter a web address starting with https://.")
		}
	}
	return &models.Organization{Name: name, Kind: in.Kind, ServiceAreas: areas, Categories: cats, Phone: phone, Website: site}, nil
}

// CreateStaffUser creates a CLINICIAN, ADVOCATE, EDITOR or ADMIN account.
// ADMIN only (Policy). CLINICIANs belong to a HEALTH_SYSTEM, ADVOCATEs to a LEGAL_AID
// organization, EDITORs to either; ADMINs may have none.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (input.email,
// input.password, input.displayName, input.role, input.organizationId,
// input.preferredLanguage), CONFLICT for a taken email.
func (s *Service) CreateStaffUser(ctx context.Context, in models.CreateStaffUserInput) (*models.User, error) {
	p, err := Policy.Authorize(ctx, "CreateStaffUser")
	if err != nil {
		return nil, err
	}
	u, err := s.staffUser(ctx, in)
	if err != nil {
		return nil, err
	}
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if err := tx.Create(u).Error; err != nil {
			if database.IsUniqueViolation(err, "users_email_key") {
				return models.Errorf(models.ECONFLICT, "An account with this email already exists.")
			}
			return err
		}
		return audit.Record(tx, p, audit.ActionCreate, "User", &u.ID)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) staffUser(ctx context.Context, in models.CreateStaffUserInput) (*models.User, error) {
	email := auth.NormalizeEmail(in.Email)
	if err := auth.ValidateEmail("input.email", email); err != nil {
		return nil, err
	}
	if err := auth.ValidatePassword("input.password", in.Password); err != nil {
		return nil, err
	}
	name, err := auth.ValidateDisplayName("input.displayName", in.DisplayName)
	if err != nil {
		return nil, err
	}
	if !in.Role.IsStaff() {
		return nil, models.InvalidField("input.role", "Staff accounts are CLINICIAN, ADVOCATE, EDITOR or ADMIN; patients register themselves.")
	}
	lang, err := auth.NormalizeLanguage("input.preferredLanguage", in.PreferredLanguage)
	if err != nil {
		return nil, err
	}
	u := &models.User{Email: email, DisplayName: name, Role: in.Role, PreferredLanguage: lang}
	if in.OrganizationID != nil {
		var org models.Organization
		id, perr := uuid.Parse(*in.OrganizationID)
		if perr != nil || s.db.WithContext(ctx).Take(&org, "id = ?", id).Error != nil {
			return nil, models.InvalidField("input.organizationId", "No such organization.")
		}
		switch {
		case in.Role == models.RoleClinician && org.Kind != models.OrgHealthSystem:
			return nil, models.InvalidField("input.organizationId", "Clinicians belong to a health system.")
		case in.Role == models.RoleAdvocate && org.Kind != models.OrgLegalAid:
			return nil, models.InvalidField("input.organizationId", "Advocates belong to a legal-aid organization.")
		}
		u.OrganizationID = &org.ID
	} else if in.Role != models.RoleAdmin {
		return nil, models.InvalidField("input.organizationId", "Clinicians, advocates and editors belong to an organization.")
	}
	if u.PasswordHash, err = s.auth.Hash(in.Password); err != nil {
		return nil, err
	}
	return u, nil
}

// AdminExists reports whether an enabled ADMIN account exists. It is for the
// server's start (a deployment without one cannot manage anything), not
// for any caller of the API; it reveals nothing but that one bit.
func (s *Service) AdminExists(ctx context.Context) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.User{}).
		Where("role = ? AND disabled_at IS NULL", models.RoleAdmin).Limit(1).Count(&n).Error
	return n > 0, err
}

// EnsureAdmin creates an ADMIN with email and password when no ADMIN exists;
// it is how the first admin of a deployment is made. It reports whether one
// was created.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) (bool, error) {
	email = auth.NormalizeEmail(email)
	if err := auth.ValidateEmail("BOOTSTRAP_ADMIN_EMAIL", email); err != nil {
		return false, err
	}
	if err := auth.ValidatePassword("BOOTSTRAP_ADMIN_PASSWORD", password); err != nil {
		return false, err
	}
	hash, err := s.auth.Hash(password)
	if err != nil {
		return false, err
	}
	created := false
	err = unit.Do(ctx, s.db, s.clock, nil, func(w *unit.Work) error {
		tx := w.Tx
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(73110002)`).Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&models.User{}).Where("role = ?", models.RoleAdmin).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		u := &models.User{Email: email, PasswordHash: hash, DisplayName: "Administrator", Role: models.RoleAdmin, PreferredLanguage: "en"}
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		created = true
		return audit.Record(tx, nil, audit.ActionCreate, "User", &u.ID)
	})
	return created, err
}

// SetDisabled disables or re-enables an account. Disabling ends every session
// of the account, so its tokens stop working at the next request and stay
// dead after it is enabled again (the user signs in anew). ADMIN only; an
// admin cannot disable themself.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool) (*models.User, error) {
	p, err := Policy.Authorize(ctx, "SetDisabled")
	if err != nil {
		return nil, err
	}
	uid, err := ParseID(id, "User")
	if err != nil {
		return nil, err
	}
	if disabled && uid == p.ID {
		return nil, models.Errorf(models.ECONFLICT, "You cannot disable your own account.")
	}
	var u models.User
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if err := tx.Take(&u, "id = ?", uid).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.NotFound("User")
			}
			return err
		}
		var at any
		if disabled {
			at = tx.NowFunc()
			// End every session of the account: enabling it again must not
			// bring back tokens that may have been stolen.
			if err := tx.Model(&models.Session{}).Where("user_id = ? AND revoked_at IS NULL", u.ID).
				Update("revoked_at", at).Error; err != nil {
				return err
			}
			// Nor may its phones keep receiving pushes: drop its devices.
			if err := tx.Where("user_id = ?", u.ID).Delete(&models.Device{}).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&u).Update("disabled_at", at).Error; err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, "User", &u.ID)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// LegalPartners lists LEGAL_AID organizations by name, those serving
// serviceArea when it is given: for a state, those serving the state or any
// county in it; for a county (FIPS code), those serving it or its whole state.
// Public.
// Errors: UNAUTHENTICATED (a refused token), BAD_USER_INPUT (serviceArea).
func (s *Service) LegalPartners(ctx context.Context, serviceArea *string) ([]*models.Organization, error) {
	if _, err := Policy.Authorize(ctx, "LegalPartners"); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("kind = ?", models.OrgLegalAid).Order("name")
	if serviceArea != nil {
		area, ok := geo.NormalizeArea(*serviceArea)
		switch {
		case !ok:
			return nil, models.InvalidField("serviceArea", "Use a US state code such as CA, or a 5-digit county FIPS code such as 06037.")
		case models.IsStateCode(area):
			q = q.Where("area_states @> ARRAY[?]::text[]", area)
		default:
			q = q.Where("service_areas && ARRAY[?, ?]::text[]", area, geo.StateOfArea(area))
		}
	}
	var orgs []*models.Organization
	return orgs, q.Find(&orgs).Error
}

// Me returns the caller's account, or nil for an anonymous request.
// Errors: UNAUTHENTICATED when a refused token was presented.
func (s *Service) Me(ctx context.Context) (*models.User, error) {
	p, err := Policy.Authorize(ctx, "Me")
	if err != nil || p == nil {
		return nil, err
	}
	var u models.User
	if err := s.db.WithContext(ctx).Take(&u, "id = ?", p.ID).Error; err != nil {
		return nil, err
	}
	return &u, nil
}

// UsersByID loads users by id, for dataloaders.
func (s *Service) UsersByID(ctx context.Context, ids []uuid.UUID) ([]*models.User, error) {
	var us []*models.User
	return us, s.db.WithContext(ctx).Where("id IN ?", ids).Find(&us).Error
}

// OrganizationsByID loads organizations by id, for dataloaders.
func (s *Service) OrganizationsByID(ctx context.Context, ids []uuid.UUID) ([]*models.Organization, error) {
	var os []*models.Organization
	return os, s.db.WithContext(ctx).Where("id IN ?", ids).Find(&os).Error
}

// Organizations lists every organization, of one kind when kind is given, by
// name. ADMIN only (Policy).
func (s *Service) Organizations(ctx context.Context, kind *models.OrganizationKind) ([]*models.Organization, error) {
	if _, err := Policy.Authorize(ctx, "Organizations"); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Order("name")
	if kind != nil {
		q = q.Where("kind = ?", *kind)
	}
	var orgs []*models.Organization
	return orgs, q.Find(&orgs).Error
}

// HealthSystemID returns the health system patient u comes through, to u
// themself and to an ADMIN; to anyone else nil (which health system cares for
// a patient is theirs to share).
func (s *Service) HealthSystemID(ctx context.Context, u *models.User) *uuid.UUID {
	p, _ := auth.UserFrom(ctx)
	if p == nil || (p.ID != u.ID && !p.Is(models.RoleAdmin)) {
		return nil
	}
	return u.HealthSystemID
}

// DisabledAt returns when u was disabled, to an ADMIN and to u themself; to
// anyone else it is null.
func (s *Service) DisabledAt(ctx context.Context, u *models.User) (*time.Time, error) {
	p, _ := auth.UserFrom(ctx)
	if p == nil || (p.ID != u.ID && !p.Is(models.RoleAdmin)) {
		return nil, nil
	}
	return u.DisabledAt, nil
}

// DiscreetNotifications returns u's discreet-notifications setting, to u
// themself and to an ADMIN; to anyone else it is null (it may say that the
// user hides their use of the app from someone).
func (s *Service) DiscreetNotifications(ctx context.Context, u *models.User) (*bool, error) {
	p, _ := auth.UserFrom(ctx)
	if p == nil || (p.ID != u.ID && !p.Is(models.RoleAdmin)) {
		return nil, nil
	}
	v := u.DiscreetNotifications
	return &v, nil
}

// UpdateMyProfile changes the caller's own display name, preferred language,
// discreet notifications, time zone and, for a PATIENT, health system and
// safe contact (the fields given), audited in the same transaction. Any
// signed-in user.
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (input.displayName,
// input.preferredLanguage, input.healthSystemId, input.safeContact.*,
// input.timeZone; input when no field is given).
func (s *Service) UpdateMyProfile(ctx context.Context, in models.UpdateMyProfileInput) (*models.User, error) {
	p, err := Policy.Authorize(ctx, "UpdateMyProfile")
	if err != nil {
		return nil, err
	}
	updates := map[string]any{}
	if in.DisplayName != nil {
		name, err := auth.ValidateDisplayName("input.displayName", *in.DisplayName)
		if err != nil {
			return nil, err
		}
		updates["display_name"] = name
	}
	if in.PreferredLanguage != nil {
		if strings.TrimSpace(*in.PreferredLanguage) == "" {
			return nil, models.InvalidField("input.preferredLanguage", "Use a language tag such as en, es or zh-Hant.")
		}
		lang, err := auth.NormalizeLanguage("input.preferredLanguage", in.PreferredLanguage)
		if err != nil {
			return nil, err
		}
		updates["preferred_language"] = lang
	}
	if in.DiscreetNotifications != nil {
		updates["discreet_notifications"] = *in.DiscreetNotifications
	}
	var healthSystem *uuid.UUID
	if in.HealthSystemID != nil {
		if !p.Is(models.RolePatient) {
			return nil, models.InvalidField("input.healthSystemId", "Only patients choose a health system.")
		}
		updates["health_system_id"] = nil
		if id := strings.TrimSpace(*in.HealthSystemID); id != "" {
			u, err := uuid.Parse(id)
			if err != nil {
				return nil, models.InvalidField("input.healthSystemId", "Choose a health system.")
			}
			healthSystem, updates["health_system_id"] = &u, u
		}
	}
	if sc := in.SafeContact; sc != nil {
		if !p.Is(models.RolePatient) {
			return nil, models.InvalidField("input.safeContact", "Only patients set a safe contact.")
		}
		if err := sc.Validate("input.safeContact"); err != nil {
			return nil, err
		}
		channels := make([]string, len(sc.Channels))
		for i, c := range sc.Channels {
			channels[i] = string(c)
		}
		updates["safe_contact_channels"] = gorm.Expr("?::text[]", "{"+strings.Join(channels, ",")+"}")
		updates["safe_hours_start"], updates["safe_hours_end"] = sc.SafeHoursStart, sc.SafeHoursEnd
		updates["safe_voicemail_ok"], updates["safe_contact_note"] = sc.VoicemailOk, sc.Note
	}
	if in.TimeZone != nil {
		updates["time_zone"] = nil
		if tz := strings.TrimSpace(*in.TimeZone); tz != "" {
			if err := models.ValidateTimeZone("input.timeZone", tz); err != nil {
				return nil, err
			}
			updates["time_zone"] = tz
		}
	}
	if len(updates) == 0 {
		return nil, models.InvalidField("input", "Change at least one field.")
	}
	var u models.User
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		updates["updated_at"] = tx.NowFunc()
		if healthSystem != nil {
			var n int64
			if err := tx.Model(&models.Organization{}).Where("id = ? AND kind = ?", *healthSystem, models.OrgHealthSystem).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.InvalidField("input.healthSystemId", "Choose a health system.")
			}
		}
		res := tx.Model(&models.User{}).Where("id = ? AND disabled_at IS NULL", p.ID).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.ErrUnauthenticated
		}
		if err := tx.Take(&u, "id = ?", p.ID).Error; err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, "User", &u.ID)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}
