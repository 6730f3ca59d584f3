// Package i18n holds the message catalog of every text the server writes for
// a person (notification titles and bodies, the timeline notes it generates,
// error messages) and the reader's language.
//
// The catalog is nicksnyder/go-i18n over the JSON files in locales/, one per
// language. Messages the server composes have ids ("notify.status.ACCEPTED.title")
// with their English text in en.json; error messages are keyed by their
// English text itself (the format given to models.Errorf or InvalidField), so
// that the code stays readable and other languages translate that text. A
// test fails when a message, or an error text written anywhere in the code,
// has no Spanish translation.
//
// The reader's language is their preferredLanguage when they are signed in,
// else the request's Accept-Language, else English.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Default is the language of the fallback, and of the message ids' texts.
const Default = "en"

//go:embed locales/*.json
var files embed.FS

var (
	bundleOnce sync.Once
	bundle     *goi18n.Bundle
	matcher    language.Matcher
	// localizers are made once per supported language.
	localizers map[string]*goi18n.Localizer
)

func load() {
	bundle = goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	entries, err := files.ReadDir("locales")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if _, err := bundle.LoadMessageFileFS(files, "locales/"+e.Name()); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", e.Name(), err))
		}
	}
	tags := bundle.LanguageTags()
	matcher = language.NewMatcher(tags)
	localizers = make(map[string]*goi18n.Localizer, len(tags))
	for _, t := range tags {
		localizers[base(t)] = goi18n.NewLocalizer(bundle, t.String())
	}
}

func base(t language.Tag) string {
	b, _ := t.Base()
	return b.String()
}

// Languages returns the languages of the catalog ("en", "es", ...).
func Languages() []string {
	bundleOnce.Do(load)
	out := make([]string, 0, len(localizers))
	for _, t := range bundle.LanguageTags() {
		out = append(out, base(t))
	}
	return out
}

// Match returns the catalog language that serves best a reader asking for
// langs (language tags or Accept-Language values, the first the most
// wanted); English when none is served.
func Match(langs ...string) string {
	bundleOnce.Do(load)
	var wanted []language.Tag
	for _, l := range langs {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(l)
		if err != nil {
			continue
		}
		wanted = append(wanted, tags...)
	}
	if len(wanted) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(wanted...)
	if conf == language.No {
		return Default
	}
	return base(bundle.LanguageTags()[i])
}

// T returns the message id in lang (a catalog language or any tag; English
// when lang has no text for it), with data filled into its {{.Field}}s.
func T(lang, id string, data map[string]any) string {
	bundleOnce.Do(load)
	l, ok := localizers[Match(lang)]
	if !ok {
		l = localizers[Default]
	}
	s, err := l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		// A missing id is a programming error the catalog test catches;
		// never show a reader an empty text.
		return id
	}
	return s
}

// Text returns the English text english in lang: the translation keyed by
// that text, or english itself. It formats args into it as fmt does (the
// translation keeps the verbs of the English).
func Text(lang, english string, args ...any) string {
	bundleOnce.Do(load)
	s := english
	if l, ok := localizers[Match(lang)]; ok {
		if t, err := l.Localize(&goi18n.LocalizeConfig{
			DefaultMessage: &goi18n.Message{ID: english, Other: english},
		}); err == nil {
			s = t
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether lang's file has a text for id.
func Has(lang, id string) bool {
	bundleOnce.Do(load)
	l, ok := localizers[lang]
	if !ok {
		return false
	}
	_, tag, err := l.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil && base(tag) == lang
}

// IDs returns the ids of the messages in lang's file.
func IDs(lang string) []string {
	b, err := files.ReadFile("locales/" + lang + ".json")
	if err != nil {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	return out
}

type langKey struct{}

type langs struct{ user, accept string }

// WithAcceptLanguage returns ctx carrying the request's Accept-Language,
// the language of a caller who is not signed in.
func WithAcceptLanguage(ctx context.Context, header string) context.Context {
	l, _ := ctx.Value(langKey{}).(langs)
	l.accept = header
	return context.WithValue(ctx, langKey{}, l)
}

// WithUserLanguage returns ctx carrying the signed-in caller's
// preferredLanguage, which wins over Accept-Language.
func WithUserLanguage(ctx context.Context, preferred string) context.Context {
	l, _ := ctx.Value(langKey{}).(langs)
	l.user = preferred
	return context.WithValue(ctx, langKey{}, l)
}

// Language returns the catalog language of ctx's reader: their
// preferredLanguage, else Accept-Language, else English.
func Language(ctx context.Context) string {
	l, _ := ctx.Value(langKey{}).(langs)
	if l.user != "" {
		return Match(l.user)
	}
	return Match(l.accept)
}

// Middleware puts the request's Accept-Language in its context.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Accept-Language"); h != "" {
			r = r.WithContext(WithAcceptLanguage(r.Context(), h))
		}
		next.ServeHTTP(w, r)
	})
}
