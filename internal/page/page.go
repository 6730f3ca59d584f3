// Package page implements Relay cursor pagination for the services: first
// (default 20, max 100), after (an opaque cursor), and keyset cursors.
package page

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"mlp/models"
)

// Limits of first.
const (
	DefaultFirst = 20
	MaxFirst     = 100
)

// Args are the pagination arguments of a list field.
type Args struct {
	First *int
	After *string
	// WithTotal asks for totalCount; the GraphQL layer sets it only when the
	// client selected the field, so that lists that do not need it skip the
	// count statement.
	WithTotal bool
}

// Limit returns first, checked: BAD_USER_INPUT (first) outside 0..100.
func (a Args) Limit() (int, error) {
	if a.First == nil {
		return DefaultFirst, nil
	}
	if *a.First < 0 || *a.First > MaxFirst {
		return 0, models.InvalidField("first", "first is 0 to %d.", MaxFirst)
	}
	return *a.First, nil
}

// Cursor returns the parts of the after cursor (nil when there is none), which
// must have n parts: BAD_USER_INPUT (after) otherwise.
func (a Args) Cursor(n int) ([]string, error) {
	if a.After == nil || *a.After == "" {
		return nil, nil
	}
	// One cursor has one spelling (the decoder would skip newlines and
	// ignore padding bits). Its parts go to PostgreSQL as text, which holds
	// neither invalid UTF-8 nor U+0000.
	raw, err := base64.RawURLEncoding.DecodeString(*a.After)
	if err != nil || base64.RawURLEncoding.EncodeToString(raw) != *a.After ||
		!utf8.Valid(raw) || bytes.IndexByte(raw, 0) >= 0 {
		return nil, models.InvalidField("after", "This cursor is not valid.")
	}
	parts := strings.Split(string(raw), separator)
	if len(parts) != n {
		return nil, models.InvalidField("after", "This cursor is not valid.")
	}
	return parts, nil
}

// separator joins the parts of a cursor.
const separator = "\x1f"

// Encode makes an opaque cursor of the keyset values parts.
func Encode(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, separator)))
}

// Page is one page of a list.
type Page[T any] struct {
	Items   []T
	Cursors []string
	HasNext bool
	// Total is the size of the whole list, when Args.WithTotal asked for it.
	Total int
}

// Trim cuts a result fetched with limit+1 rows to limit and records whether
// there was more; cursor makes each item's cursor.
func Trim[T any](rows []T, limit int, cursor func(T) string) Page[T] {
	p := Page[T]{HasNext: len(rows) > limit}
	if p.HasNext {
		rows = rows[:limit]
	}
	p.Items = rows
	p.Cursors = make([]string, len(rows))
	for i, r := range rows {
		p.Cursors[i] = cursor(r)
	}
	return p
}

// EndCursor returns the cursor of the last item, or nil for an empty page.
func (p Page[T]) EndCursor() *string {
	if len(p.Cursors) == 0 {
		return nil
	}
	c := p.Cursors[len(p.Cursors)-1]
	return &c
}

// Key asks for one page of the list of one object (a case's access log):
// comparable, so that a dataloader can batch many of them.
type Key struct {
	Of uuid.UUID
	// First is the page size asked for, -1 when the client gave none.
	First int
	After string
	// WithTotal asks for the size of the whole list.
	WithTotal bool
}

// NewKey makes the key of a page of id's list.
func NewKey(id uuid.UUID, args Args) Key {
	k := Key{Of: id, First: -1, WithTotal: args.WithTotal}
	if args.First != nil {
		k.First = *args.First
	}
	if args.After != nil {
		k.After = *args.After
	}
	return k
}

// Args returns the pagination arguments k was made from.
func (k Key) Args() Args {
	a := Args{WithTotal: k.WithTotal}
	if k.First >= 0 {
		a.First = &k.First
	}
	if k.After != "" {
		a.After = &k.After
	}
	return a
}
