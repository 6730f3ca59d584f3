// Package guides holds know-your-rights guides for patients and training for
// care teams: the editorial workflow (draft, review by a second editor,
// publish, archive), translations, jurisdictions, and full-text search.
//
// # Editing a published guide
//
// A guide is one row of the guides table per (slug, locale): the editors'
// working copy, in any status. Every save appends the full text to
// guide_revisions. What readers see is a separate copy in published_guides,
// written only by PublishGuide (which copies the working copy in) and removed
// by ArchiveGuide. Updating a PUBLISHED guide therefore changes only the
// working copy, which moves back to DRAFT as a new version, while readers keep
// getting the published_guides row (the last published version) until the new
// version is reviewed and published. guides.published_version tells editors
// which version readers see. Public queries and the full-text index read
// published_guides only, so drafts can never leak into them.
package guides

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/language"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/clock"
	"mlp/internal/database"
	"mlp/internal/unit"
	"mlp/models"
)

// Limits of a guide's fields, in characters.
const (
	MaxTitle   = 200
	MaxSummary = 500
	MaxBody    = 100_000
)

// Audit actions of the editorial workflow, besides audit.ActionCreate and
// audit.ActionUpdate.
const (
	ActionSubmit  = "SUBMIT_FOR_REVIEW"
	ActionPublish = "PUBLISH"
	ActionArchive = "ARCHIVE"
)

// entityType is the audit log's name for guides.
const entityType = "Guide"

// Service holds the rules of guides.
type Service struct {
	db    *gorm.DB
	clock clock.Clock
}

// NewService returns the guides service; clk is the application's clock.
// Every change is one unit of work, whose one Now stamps published_at and
// the created_at and updated_at GORM fills in.
func NewService(db *gorm.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$`)

// ValidSlug reports whether s is a well-formed slug: 3 to 80 lower-case
// letters, digits and hyphens, not starting or ending with a hyphen.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// NormalizeLocale returns the canonical BCP 47 form of a locale tag;
// BAD_USER_INPUT naming field when it is not one.
func NormalizeLocale(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	tag, err := language.Parse(s)
	if err != nil || s == "" || len(s) > 35 || tag == language.Und {
		return "", models.InvalidField(field, "Use a language tag such as en, es or zh-Hant.")
	}
	return tag.String(), nil
}

// localeChain is the order in which a reader's locale falls back: the tag
// itself, its language (es-MX -> es), then English.
func localeChain(locale string) []string {
	chain := []string{locale}
	if tag, err := language.Parse(locale); err == nil {
		base, _ := tag.Base()
		chain = append(chain, base.String())
	}
	chain = append(chain, "en")
	out := chain[:0]
	for _, l := range chain {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func parseID(id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, models.NotFound("Guide")
	}
	return u, nil
}

// isEditorial reports whether the caller works on guides (EDITOR, ADMIN).
func isEditorial(p *auth.Principal) bool { return p.Is(models.RoleEditor, models.RoleAdmin) }

// Readable is the visibility scope of published guides, as a condition on
// published_guides under alias: the audiences the caller may read
// (audiencesFor). The readers' queries (Guide, Translations) and the
// compiled reads use it.
func Readable(p *auth.Principal, alias string) database.Cond {
	as := audiencesFor(p)
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = string(a)
	}
	return database.Cond{SQL: alias + ".audience = ANY(?::text[])", Args: []any{models.TextArray(names)}}
}

// audiencesFor lists the audiences whose published guides the caller may
// read: CLINICIANS training only for signed-in staff.
func audiencesFor(p *auth.Principal) []models.GuideAudience {
	if p.Is(models.RoleClinician, models.RoleAdvocate, models.RoleEditor, models.RoleAdmin) {
		return []models.GuideAudience{models.AudiencePatients, models.AudienceClinicians}
	}
	return []models.GuideAudience{models.AudiencePatients}
}

func validText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < 1 || n > max {
		return "", models.InvalidField(field, "Write 1 to %d characters.", max)
	}
	return s, nil
}

func validJurisdictions(field string, in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, j := range in {
		j = strings.ToUpper(strings.TrimSpace(j))
		if j != "US" && !models.IsStateCode(j) {
			return nil, models.InvalidField(field, "Jurisdictions are US (federal law) or state codes such as CA.")
		}
		if !slices.Contains(out, j) {
			out = append(out, j)
		}
	}
	if len(out) == 0 {
		return nil, models.InvalidField(field, "Name at least one jurisdiction: US or a state code.")
	}
	return out, nil
}

// validateInput checks a new guide and returns it with normalised fields.
func validateInput(in models.GuideInput) (*models.Guide, error) {
	slug := strings.TrimSpace(in.Slug)
	if !ValidSlug(slug) {
		return nil, models.InvalidField("input.slug", "Slugs are 3 to 80 lower-case letters, digits and hyphens.")
	}
	locale, err := NormalizeLocale("input.locale", in.Locale)
	if err != nil {
		return nil, err
	}
	g := &models.Guide{Slug: slug, Locale: locale, Category: in.Category, Audience: models.AudiencePatients}
	if g.Title, err = validText("input.title", in.Title, MaxTitle); err != nil {
		return nil, err
	}
	if g.Summary, err = validText("input.summary", in.Summary, MaxSummary); err != nil {
		return nil, err
	}
	if g.Body, err = validBody("input.body", in.Body); err != nil {
		return nil, err
	}
	if !in.Category.IsValid() {
		return nil, models.InvalidField("input.category", "Unknown category.")
	}
	if in.Audience != nil {
		g.Audience = *in.Audience
	}
	if g.Jurisdictions, err = validJurisdictions("input.jurisdictions", in.Jurisdictions); err != nil {
		return nil, err
	}
	return g, nil
}

// validBody checks a Markdown body; it is stored as written (not trimmed).
func validBody(field, s string) (string, error) {
	if n := utf8.RuneCountInString(s); strings.TrimSpace(s) == "" || n > MaxBody {
		return "", models.InvalidField(field, "Write 1 to %d characters of Markdown.", MaxBody)
	}
	return s, nil
}

// applyPatch changes g by p; BAD_USER_INPUT names the patch field.
func applyPatch(g *models.Guide, p models.GuidePatch) error {
	if p.Title == nil && p.Summary == nil && p.Body == nil && p.Category == nil && p.Audience == nil && p.Jurisdictions == nil {
		return models.InvalidField("patch", "Change at least one field.")
	}
	var err error
	if p.Title != nil {
		if g.Title, err = validText("patch.title", *p.Title, MaxTitle); err != nil {
			return err
		}
	}
	if p.Summary != nil {
		if g.Summary, err = validText("patch.summary", *p.Summary, MaxSummary); err != nil {
			return err
		}
	}
	if p.Body != nil {
		if g.Body, err = validBody("patch.body", *p.Body); err != nil {
			return err
		}
	}
	if p.Category != nil {
		if !p.Category.IsValid() {
			return models.InvalidField("patch.category", "Unknown category.")
		}
		g.Category = *p.Category
	}
	if p.Audience != nil {
		g.Audience = *p.Audience
	}
	if p.Jurisdictions != nil {
		if g.Jurisdictions, err = validJurisdictions("patch.jurisdictions", p.Jurisdictions); err != nil {
			return err
		}
	}
	return nil
}

func revisionOf(g *models.Guide, editor uuid.UUID) *models.GuideRevision {
	return &models.GuideRevision{
		GuideID: g.ID, Version: g.Version, Title: g.Title, Summary: g.Summary, Body: g.Body,
		Category: g.Category, Audience: g.Audience, Jurisdictions: g.Jurisdictions,
		ReadingGrade: g.ReadingGrade, EditorID: editor,
	}
}

// CreateGuide adds a guide as a DRAFT, version 1, by the calling EDITOR (Policy), and keeps its first revision.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (input.slug,
// input.locale, input.title, input.summary, input.body, input.category,
// input.jurisdictions), CONFLICT when (slug, locale) exists.
func (s *Service) CreateGuide(ctx context.Context, in models.GuideInput) (*models.Guide, error) {
	p, err := Policy.Authorize(ctx, "CreateGuide")
	if err != nil {
		return nil, err
	}
	g, err := validateInput(in)
	if err != nil {
		return nil, err
	}
	g.Status, g.Version, g.AuthorID = models.GuideDraft, 1, p.ID
	g.ReadingGrade = ReadingGrade(g.Locale, g.Body)
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if err := insertGuide(tx, g, p.ID); err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionCreate, entityType, &g.ID)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

func insertGuide(tx *gorm.DB, g *models.Guide, editor uuid.UUID) error {
	if err := tx.Create(g).Error; err != nil {
		if database.IsUniqueViolation(err, "guides_slug_locale_key") {
			return models.Errorf(models.ECONFLICT, "A guide with this slug already exists in this locale.")
		}
		return err
	}
	return tx.Create(revisionOf(g, editor)).Error
}

// lockGuide reads a guide for update inside tx; NOT_FOUND when it is missing.
func lockGuide(tx *gorm.DB, id string) (*models.Guide, error) {
	gid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	var g models.Guide
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&g, "id = ?", gid).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.NotFound("Guide")
		}
		return nil, err
	}
	return &g, nil
}

// UpdateGuide saves a new version of a DRAFT, IN_REVIEW or PUBLISHED guide
// and keeps it as a revision. Any EDITOR may edit (the schema directive
// checks the role). A PUBLISHED guide moves back to DRAFT while readers keep
// its published text until the new version is published; an IN_REVIEW guide
// stays in review. ARCHIVED guides are final.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (patch,
// patch.title, patch.summary, patch.body, patch.category,
// patch.jurisdictions), CONFLICT for a stale expectedVersion or an ARCHIVED
// guide.
func (s *Service) UpdateGuide(ctx context.Context, id string, patch models.GuidePatch, expectedVersion int) (*models.Guide, error) {
	p, err := Policy.Authorize(ctx, "UpdateGuide")
	if err != nil {
		return nil, err
	}
	var g *models.Guide
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if g, err = lockGuide(tx, id); err != nil {
			return err
		}
		if g.Version != expectedVersion {
			return models.Errorf(models.ECONFLICT, "This guide was changed by someone else (now version %d). Reload it and try again.", g.Version)
		}
		if g.Status == models.GuideArchived {
			return models.Errorf(models.ECONFLICT, "Archived guides cannot be edited.")
		}
		if err := applyPatch(g, patch); err != nil {
			return err
		}
		g.ReadingGrade = ReadingGrade(g.Locale, g.Body)
		g.Version++
		if g.Status == models.GuidePublished {
			g.Status = models.GuideDraft
		}
		if err := tx.Select("title", "summary", "body", "category", "audience", "jurisdictions", "reading_grade",
			"version", "status", "updated_at").Updates(g).Error; err != nil {
			return err
		}
		if err := tx.Create(revisionOf(g, p.ID)).Error; err != nil {
			return err
		}
		return audit.Record(tx, p, audit.ActionUpdate, entityType, &g.ID)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// transition moves a guide from one status to another in a transaction after
// check accepts it, and records action in the audit log.
func (s *Service) transition(ctx context.Context, op, id, action string, check func(tx *gorm.DB, p *auth.Principal, g *models.Guide) error, apply func(tx *gorm.DB, g *models.Guide) error) (*models.Guide, error) {
	p, err := Policy.Authorize(ctx, op)
	if err != nil {
		return nil, err
	}
	var g *models.Guide
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		if g, err = lockGuide(tx, id); err != nil {
			return err
		}
		if err := check(tx, p, g); err != nil {
			return err
		}
		if err := apply(tx, g); err != nil {
			return err
		}
		return audit.Record(tx, p, action, entityType, &g.ID)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// SubmitGuideForReview moves a DRAFT guide to IN_REVIEW. Any EDITOR (Policy).
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT unless DRAFT.
func (s *Service) SubmitGuideForReview(ctx context.Context, id string) (*models.Guide, error) {
	return s.transition(ctx, "SubmitGuideForReview", id, ActionSubmit,
		func(_ *gorm.DB, _ *auth.Principal, g *models.Guide) error {
			if g.Status != models.GuideDraft {
				return models.Errorf(models.ECONFLICT, "Only a draft can be submitted for review.")
			}
			return nil
		},
		func(tx *gorm.DB, g *models.Guide) error {
			g.Status = models.GuideInReview
			return tx.Select("status", "updated_at").Updates(g).Error
		})
}

// PublishGuide moves an IN_REVIEW guide to PUBLISHED and makes its text the
// one readers see. Two-person rule: an EDITOR may publish only a version that
// someone else wrote, so neither the guide's author nor the editor who saved
// the version under review; an ADMIN may publish alone (the schema directive
// checks the roles).
// Errors: UNAUTHENTICATED, FORBIDDEN (own guide or own version), NOT_FOUND,
// CONFLICT unless IN_REVIEW.
func (s *Service) PublishGuide(ctx context.Context, id string) (*models.Guide, error) {
	return s.transition(ctx, "PublishGuide", id, ActionPublish,
		func(tx *gorm.DB, p *auth.Principal, g *models.Guide) error {
			if g.Status != models.GuideInReview {
				return models.Errorf(models.ECONFLICT, "Only a guide in review can be published.")
			}
			if p.Is(models.RoleAdmin) {
				return nil
			}
			var rev models.GuideRevision
			if err := tx.Select("editor_id").Take(&rev, "guide_id = ? AND version = ?", g.ID, g.Version).Error; err != nil {
				return err
			}
			if g.AuthorID == p.ID || rev.EditorID == p.ID {
				return models.Errorf(models.EFORBIDDEN, "Another editor must review and publish what you wrote.")
			}
			return nil
		},
		func(tx *gorm.DB, g *models.Guide) error { return publish(tx, g, tx.NowFunc()) })
}

// publish makes the working copy g the published text at time at.
func publish(tx *gorm.DB, g *models.Guide, at time.Time) error {
	v := g.Version
	g.Status, g.PublishedVersion, g.PublishedAt = models.GuidePublished, &v, &at
	if err := tx.Select("status", "published_version", "published_at", "updated_at").Updates(g).Error; err != nil {
		return err
	}
	pg := &models.PublishedGuide{
		GuideID: g.ID, Slug: g.Slug, Locale: g.Locale, Title: g.Title, Summary: g.Summary, Body: g.Body,
		Category: g.Category, Audience: g.Audience, Jurisdictions: g.Jurisdictions, ReadingGrade: g.ReadingGrade,
		Version: g.Version, AuthorID: g.AuthorID, PublishedAt: at,
	}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "guide_id"}}, UpdateAll: true}).Create(pg).Error
}

// ArchiveGuide withdraws a guide from readers: it must have a published text
// (status PUBLISHED, or a DRAFT or IN_REVIEW edit of a published guide); the
// guide becomes ARCHIVED, which is final. EDITOR or ADMIN (Policy).
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT when nothing is
// published.
func (s *Service) ArchiveGuide(ctx context.Context, id string) (*models.Guide, error) {
	return s.transition(ctx, "ArchiveGuide", id, ActionArchive,
		func(_ *gorm.DB, _ *auth.Principal, g *models.Guide) error {
			if g.PublishedVersion == nil || g.Status == models.GuideArchived {
				return models.Errorf(models.ECONFLICT, "Only a published guide can be archived.")
			}
			return nil
		},
		func(tx *gorm.DB, g *models.Guide) error {
			g.Status, g.PublishedVersion = models.GuideArchived, nil
			if err := tx.Select("status", "published_version", "updated_at").Updates(g).Error; err != nil {
				return err
			}
			return tx.Delete(&models.PublishedGuide{}, "guide_id = ?", g.ID).Error
		})
}

// SeedPublished writes a published guide for demo data inside tx: written by
// author, published by publisher (who must differ from author, as
// PublishGuide demands), bypassing the request context. It validates in like
// CreateGuide.
func SeedPublished(tx *gorm.DB, in models.GuideInput, author, publisher uuid.UUID, at time.Time) (*models.Guide, error) {
	if author == publisher {
		return nil, errors.New("seed guides: author and publisher must differ")
	}
	now := tx.NowFunc
	tx = tx.Session(&gorm.Session{NowFunc: func() time.Time { return clock.Round(now()) }})
	at = clock.Round(at)
	g, err := validateInput(in)
	if err != nil {
		return nil, err
	}
	g.Status, g.Version, g.AuthorID = models.GuideInReview, 1, author
	g.ReadingGrade = ReadingGrade(g.Locale, g.Body)
	if err := insertGuide(tx, g, author); err != nil {
		return nil, err
	}
	return g, publish(tx, g, at)
}
