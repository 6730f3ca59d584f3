package models

import (
	"time"

	"github.com/google/uuid"
)

// GuideAudience tells know-your-rights guides for patients from training for
// care teams.
type GuideAudience string

// The audiences of the contract.
const (
	AudiencePatients   GuideAudience = "PATIENTS"
	AudienceClinicians GuideAudience = "CLINICIANS"
)

// IsValid reports whether a is a known audience.
func (a GuideAudience) IsValid() bool {
	return oneOf(a, []GuideAudience{AudiencePatients, AudienceClinicians})
}

// GuideStatus is where a guide is in the editorial workflow.
type GuideStatus string

// The guide statuses of the contract.
const (
	GuideDraft     GuideStatus = "DRAFT"
	GuideInReview  GuideStatus = "IN_REVIEW"
	GuidePublished GuideStatus = "PUBLISHED"
	GuideArchived  GuideStatus = "ARCHIVED"
)

// AllGuideStatuses lists every status in contract order.
var AllGuideStatuses = []GuideStatus{GuideDraft, GuideInReview, GuidePublished, GuideArchived}

// IsValid reports whether s is one of AllGuideStatuses.
func (s GuideStatus) IsValid() bool { return oneOf(s, AllGuideStatuses) }

// Guide is a know-your-rights guide (or a care-team training) in one locale,
// identified by (Slug, Locale).
//
// A row of the guides table is the editors' working copy: the newest text in
// any status. What readers see lives apart, in PublishedGuide, so that editing
// a published guide (which moves the working copy back to DRAFT as a new
// version) leaves the published text in place until the new version is
// published. Guide values built from a PublishedGuide (see
// PublishedGuide.Guide) carry the published text and status PUBLISHED.
type Guide struct {
	ID            uuid.UUID     `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	Slug          string        `gorm:"not null"`
	Locale        string        `gorm:"not null"`
	Title         string        `gorm:"not null"`
	Summary       string        `gorm:"not null"`
	Body          string        `gorm:"not null"`
	Category      LegalCategory `gorm:"type:text;not null"`
	Audience      GuideAudience `gorm:"type:text;not null"`
	Jurisdictions []string      `gorm:"type:text[];serializer:textarray;not null"`
	ReadingGrade  float64       `gorm:"not null"`
	Status        GuideStatus   `gorm:"type:text;not null"`
	// Version counts the content revisions: 1 on creation, +1 on every update.
	// Status changes do not change it.
	Version int `gorm:"not null"`
	// PublishedVersion is the version readers see, nil while none is published.
	PublishedVersion *int
	PublishedAt      *time.Time
	AuthorID         uuid.UUID `gorm:"type:uuid;not null"`
	CreatedAt        time.Time `gorm:"not null"`
	UpdatedAt        time.Time `gorm:"not null"`
}

// GuideRevision is the full text of one version of a guide, kept on every
// save; the editor is whoever saved it.
type GuideRevision struct {
	ID            uuid.UUID     `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	GuideID       uuid.UUID     `gorm:"type:uuid;not null"`
	Version       int           `gorm:"not null"`
	Title         string        `gorm:"not null"`
	Summary       string        `gorm:"not null"`
	Body          string        `gorm:"not null"`
	Category      LegalCategory `gorm:"type:text;not null"`
	Audience      GuideAudience `gorm:"type:text;not null"`
	Jurisdictions []string      `gorm:"type:text[];serializer:textarray;not null"`
	ReadingGrade  float64       `gorm:"not null"`
	EditorID      uuid.UUID     `gorm:"type:uuid;not null"`
	CreatedAt     time.Time     `gorm:"not null"`
}

// PublishedGuide is the text readers see of a guide: a copy of the revision
// that was last published, with the stored full-text search vector (a
// generated column the model leaves out, so that it is never read or
// written through GORM). Publishing replaces the row; archiving deletes it.
type PublishedGuide struct {
	GuideID       uuid.UUID     `gorm:"type:uuid;primaryKey"`
	Slug          string        `gorm:"not null"`
	Locale        string        `gorm:"not null"`
	Title         string        `gorm:"not null"`
	Summary       string        `gorm:"not null"`
	Body          string        `gorm:"not null"`
	Category      LegalCategory `gorm:"type:text;not null"`
	Audience      GuideAudience `gorm:"type:text;not null"`
	Jurisdictions []string      `gorm:"type:text[];serializer:textarray;not null"`
	ReadingGrade  float64       `gorm:"not null"`
	Version       int           `gorm:"not null"`
	AuthorID      uuid.UUID     `gorm:"type:uuid;not null"`
	PublishedAt   time.Time     `gorm:"not null"`
}

// Guide returns the reader's view of the published text.
func (p *PublishedGuide) Guide() *Guide {
	v, at := p.Version, p.PublishedAt
	return &Guide{
		ID: p.GuideID, Slug: p.Slug, Locale: p.Locale, Title: p.Title, Summary: p.Summary, Body: p.Body,
		Category: p.Category, Audience: p.Audience, Jurisdictions: p.Jurisdictions, ReadingGrade: p.ReadingGrade,
		Status: GuidePublished, Version: p.Version, PublishedVersion: &v, PublishedAt: &at,
		AuthorID: p.AuthorID, CreatedAt: p.PublishedAt, UpdatedAt: p.PublishedAt,
	}
}

// GuideTranslation names another published locale of a guide's slug.
type GuideTranslation struct {
	Locale string
	Title  string
}

// GuideFilter narrows the public guide list.
type GuideFilter struct {
	Category     *LegalCategory
	Audience     *GuideAudience
	Jurisdiction *string
	Locale       *string
	Search       *string
}

// GuideInput is what an editor gives to create a guide.
type GuideInput struct {
	Slug          string
	Locale        string
	Title         string
	Summary       string
	Body          string
	Category      LegalCategory
	Audience      *GuideAudience
	Jurisdictions []string
}

// GuidePatch is what an editor changes in a guide; nil fields stay.
type GuidePatch struct {
	Title         *string
	Summary       *string
	Body          *string
	Category      *LegalCategory
	Audience      *GuideAudience
	Jurisdictions []string
}

func init() {
	register(&Guide{}, &GuideRevision{}, &PublishedGuide{})
}
