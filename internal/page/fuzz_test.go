package page

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"mlp/models"
)

// FuzzCursor decodes any text as a cursor of 1 to 3 parts: no panic; a
// refusal is BAD_USER_INPUT on after; an accepted cursor has one spelling
// (Encode of its parts gives it back) and parts PostgreSQL can hold as text;
// a (time, id) cursor TimeCursor accepts gives the same key back.
func FuzzCursor(f *testing.F) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 123456000, time.UTC)
	for _, seed := range []string{
		"", Encode("a"), Encode("a", "b"), Encode("x", "y", "z"),
		TimeKey(at, uuid.MustParse("7c9e6679-7425-40de-944b-e07fc1f90ae7")),
		Encode("2026-12-01T12:00:00Z", "not-a-uuid"), Encode("\xff\xfe", "x"), Encode("a\x00b"),
		"!!!", "YQ", "YR", "YWJj=", "a b", "////", "\x00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for n := 1; n <= 3; n++ {
			parts, err := Args{After: &s}.Cursor(n)
			if err != nil {
				var e *models.Error
				if !errors.As(err, &e) || e.Code != models.EINVALID || e.Field != "after" {
					t.Fatalf("Cursor(%q, %d): %v, want BAD_USER_INPUT on after", s, n, err)
				}
				continue
			}
			if s == "" {
				if parts != nil {
					t.Fatalf("empty cursor gave %q", parts)
				}
				continue
			}
			if len(parts) != n {
				t.Fatalf("Cursor(%q, %d) gave %d parts", s, n, len(parts))
			}
			if Encode(parts...) != s {
				t.Fatalf("Cursor(%q) accepted a second spelling of %q", s, Encode(parts...))
			}
			for _, p := range parts {
				if !utf8.ValidString(p) {
					t.Fatalf("Cursor(%q) accepted a part that is not UTF-8: %q", s, p)
				}
				for _, r := range p {
					if r == 0 {
						t.Fatalf("Cursor(%q) accepted U+0000", s)
					}
				}
			}
			if n == 2 {
				when, id, err := TimeCursor(parts[0], parts[1])
				if err == nil {
					back, _ := Args{After: ptr(TimeKey(when, id))}.Cursor(2)
					w2, id2, err := TimeCursor(back[0], back[1])
					if err != nil || !w2.Equal(when) || id2 != id {
						t.Fatalf("TimeCursor(%q) does not survive a round trip", parts)
					}
				}
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
