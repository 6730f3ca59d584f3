package guides

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadingGrade runs any body through the Markdown-to-text of the reading
// grade: no panic; the text keeps no emphasis marks, every line of it ends a
// sentence, it grows at most linearly (regexp is RE2: linear time too), it is
// UTF-8 when the body is; the grade is a finite number, never below 0, and 0
// for a language without a formula.
func FuzzReadingGrade(f *testing.F) {
	for _, seed := range []string{
		"", "# Your rights\n\nYour landlord must give you notice. You can ask for help.",
		"- one\n- two\n1. three\n> quoted *bold* _it_ `code`",
		"| a | b |\n|---|---|\n| 1 | 2 |", "```\ncode\n```\ntext", "~~~\nunclosed",
		"[link](http://x) ![img](y.png) <b>html</b> https://example.org/a",
		"Dr. Smith vs. the U.S. e.g. this. ¿Qué? ¡Sí! El Sr. Pérez.", "***\n---\n___",
		"\r\n\r\n", "\xff\xfe", "a|b|c|d|e", "[[[[]]]]((((", strings.Repeat("*_", 100),
	} {
		f.Add(seed, "en")
		f.Add(seed, "es")
	}
	f.Add("Hola.", "zh-Hant")
	f.Fuzz(func(t *testing.T, body, locale string) {
		text := PlainText(body)
		if strings.ContainsAny(text, "*_~`") {
			t.Fatalf("PlainText(%q) kept emphasis: %q", body, text)
		}
		if len(text) > 3*len(body)+2 {
			t.Fatalf("PlainText(%q) grew to %d bytes", body, len(text))
		}
		if utf8.ValidString(body) && !utf8.ValidString(text) {
			t.Fatalf("PlainText(%q) broke UTF-8: %q", body, text)
		}
		for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if line != "" && !strings.ContainsAny(line[len(line)-1:], ".!?") {
				t.Fatalf("PlainText(%q): line %q ends no sentence", body, line)
			}
		}
		g := ReadingGrade(locale, body)
		if math.IsNaN(g) || math.IsInf(g, 0) || g < 0 {
			t.Fatalf("ReadingGrade(%q, %q) = %v", locale, body, g)
		}
		if l := primaryLanguage(locale); l != "en" && l != "es" && g != 0 {
			t.Fatalf("ReadingGrade(%q) = %v for a language without a formula", locale, g)
		}
	})
}
