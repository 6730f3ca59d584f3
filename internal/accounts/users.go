package accounts

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"mlp/internal/audit"
	"mlp/internal/page"
	"mlp/internal/unit"
	"mlp/models"
)

// Users lists every account for an ADMIN's support work, newest first,
// narrowed by f: a role, an organization, and a search over the email and
// display name (part of either, case-insensitive). Each listed account's read
// is audited (READ User) in the read's transaction.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an ADMIN), BAD_USER_INPUT
// (filter.role, filter.organizationId, filter.search, first, after).
func (s *Service) Users(ctx context.Context, f *models.UserFilter, args page.Args) (page.Page[*models.User], error) {
	var none page.Page[*models.User]
	p, err := Policy.Authorize(ctx, "Users")
	if err != nil {
		return none, err
	}
	if f == nil {
		f = &models.UserFilter{}
	}
	if f.Role != nil && !f.Role.IsValid() {
		return none, models.InvalidField("filter.role", "Unknown role.")
	}
	org, err := models.OrganizationIDFilter("filter.organizationId", f.OrganizationID)
	if err != nil {
		return none, err
	}
	var search string
	if f.Search != nil {
		search = strings.TrimSpace(*f.Search)
		if utf8.RuneCountInString(search) > maxSearch {
			return none, models.InvalidField("filter.search", "Search for %d characters at most.", maxSearch)
		}
	}
	var pg page.Page[*models.User]
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		tx := w.Tx
		q := tx.Model(&models.User{})
		if f.Role != nil {
			q = q.Where("role = ?", *f.Role)
		}
		if org != nil {
			q = q.Where("organization_id = ?", *org)
		}
		if search != "" {
			pattern := "%" + likeEscaper.Replace(search) + "%"
			q = q.Where(`(email ILIKE ? ESCAPE '\' OR display_name ILIKE ? ESCAPE '\')`, pattern, pattern)
		}
		var err error
		pg, err = page.Newest(q, args, "created_at", func(u *models.User) (time.Time, uuid.UUID) { return u.CreatedAt, u.ID })
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(pg.Items))
		for i, u := range pg.Items {
			ids[i] = u.ID
		}
		return audit.RecordEach(tx, p, audit.ActionRead, "User", ids)
	})
	if err != nil {
		return none, err
	}
	return pg, nil
}

// maxSearch is the longest search of Users, in characters.
const maxSearch = 200

// likeEscaper escapes LIKE's wildcards (and its escape character) in text
// searched for as it is.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
