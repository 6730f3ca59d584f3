package i18n_test

import (
	"sort"
	"testing"

	"mlp/internal/i18n"
	"mlp/internal/i18n/catalogtest"
)

// TestEveryMessageHasSpanish fails when a message of the catalog has no
// Spanish text.
func TestEveryMessageHasSpanish(t *testing.T) {
	ids := i18n.IDs("en")
	if len(ids) == 0 {
		t.Fatal("the English catalog is empty")
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !i18n.Has("es", id) {
			t.Errorf("message %q has no Spanish text (locales/es.json)", id)
		}
	}
}

// TestEveryErrorTextHasSpanish fails when an error text written anywhere in
// the module's code has no Spanish translation (internal/app runs it too).
func TestEveryErrorTextHasSpanish(t *testing.T) {
	catalogtest.CheckSpanish(t, "../..")
}

func TestLanguageChoice(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"es", "es"}, {"es-MX", "es"}, {"es-419,es;q=0.9,en;q=0.5", "es"}, {"fr-CA, es;q=0.5", "es"},
		{"fr", "en"}, {"", "en"}, {"not a tag!", "en"}, {"en-GB", "en"},
	} {
		if got := i18n.Match(c.in); got != c.want {
			t.Errorf("Match(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := i18n.Text("es", "Sign in to continue."); got == "Sign in to continue." {
		t.Error("no Spanish for a known error text")
	}
	if got := i18n.Text("fr", "Sign in to continue."); got != "Sign in to continue." {
		t.Errorf("French reader got %q, want the English fallback", got)
	}
}
