package guides

import (
	"math"
	"testing"
)

// The expected counts below were made by hand, word by word, from a
// dictionary's syllable breaks; the grades from the published formulas.
func TestReadingGrade(t *testing.T) {
	cases := []struct {
		name, locale, text string
		stats              TextStats
		grade              float64
	}{
		{
			// Your(1) rights(1). | If(1) your(1) land-lord(2) gives(1) you(1) a(1) no-tice(2) read(1) it(1) now(1). |
			// You(1) have(1) the(1) right(1) to(1) an-swer(2) in(1) court(1). | Call(1) a(1) law-yer(2) to-day(2). |
			// Keep(1) each(1) pa-per(2).
			// 27 words, 5 sentences, 33 syllables:
			// 0.39 x 27/5 + 11.8 x 33/27 - 15.59 = 2.106 + 14.4222 - 15.59 = 0.938 -> 0.9
			name: "EnglishMarkdown", locale: "en",
			text: "# Your rights\n\nIf your landlord gives you a notice, read it now.\n" +
				"You have the right to answer in court.\n\n- Call a [lawyer](https://example.org/help) today.\n- Keep **each** paper.\n",
			stats: TextStats{Words: 27, Sentences: 5, Syllables: 33},
			grade: 0.9,
		},
		{
			// Fed-er-al(3) law(1) re-quires(2) non-prof-it(3) hos-pi-tals(3) to(1) pub-lish(2) a(1)
			// fi-nan-cial(3) as-sis-tance(3) pol-i-cy(3). | The(1) hos-pi-tal(3) must(1) ex-plain(2) how(1)
			// pa-tients(2) ap-ply(2).
			// 18 words, 2 sentences, 37 syllables:
			// 0.39 x 9 + 11.8 x 37/18 - 15.59 = 3.51 + 24.2556 - 15.59 = 12.1756 -> 12.2
			name: "EnglishHard", locale: "en-US",
			text:  "Federal law requires nonprofit hospitals to publish a financial assistance policy. The hospital must explain how patients apply.",
			stats: TextStats{Words: 18, Sentences: 2, Syllables: 37},
			grade: 12.2,
		},
		{
			// Us-ted(2) tie-ne(2) de-re-cho(3) a(1) u-na(2) au-dien-cia(3). | Pi-da(2) a-yu-da(3) hoy(1).
			// 9 words, 2 sentences, 19 syllables.
			// Fernandez-Huerta: 206.84 - 60 x 19/9 - 1.02 x 9/2 = 206.84 - 126.6667 - 4.59 = 75.5833,
			// between 80 (grade 5) and 70 (grade 6): 5 + 4.4167/10 = 5.4417 -> 5.4
			name: "Spanish", locale: "es",
			text:  "Usted tiene derecho a una audiencia.\n\n## Pida ayuda hoy",
			stats: TextStats{Words: 9, Sentences: 2, Syllables: 19},
			grade: 5.4,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			syl := EnglishSyllables
			if c.locale == "es" {
				syl = SpanishSyllables
			}
			if got := Stats(PlainText(c.text), syl); got != c.stats {
				t.Fatalf("stats %+v, want %+v (plain text %q)", got, c.stats, PlainText(c.text))
			}
			if got := ReadingGrade(c.locale, c.text); got != c.grade {
				t.Fatalf("grade %v, want %v", got, c.grade)
			}
		})
	}
	t.Run("OtherLanguagesNotMeasured", func(t *testing.T) {
		if got := ReadingGrade("zh-Hant", "这是一个测试。"); got != 0 {
			t.Fatalf("grade %v, want 0", got)
		}
	})
}

func TestFernandezHuertaGrade(t *testing.T) {
	for _, c := range []struct{ ease, grade float64 }{
		{110, 2}, {100, 3}, {95, 3.5}, {90, 4}, {80, 5}, {70, 6}, {65, 7}, {60, 8}, {55, 10}, {50, 12}, {40, 13}, {30, 14}, {0, 16}, {-15, 17},
	} {
		if got := FernandezHuertaGrade(c.ease); math.Abs(got-c.grade) > 1e-9 {
			t.Errorf("ease %v: grade %v, want %v", c.ease, got, c.grade)
		}
	}
}

func TestSyllables(t *testing.T) {
	for word, want := range map[string]int{
		"the": 1, "notice": 2, "notices": 3, "table": 2, "tables": 2, "makes": 1, "pages": 2, "wanted": 2,
		"served": 1, "evicted": 3, "eviction": 3, "landlord": 2, "people": 2, "whole": 1, "money": 2, "day": 1,
	} {
		if got := EnglishSyllables(word); got != want {
			t.Errorf("English %q: %d, want %d", word, got, want)
		}
	}
	for word, want := range map[string]int{
		"desalojo": 4, "audiencia": 3, "leí": 2, "país": 2, "ciudad": 2, "hoy": 1, "muy": 1, "Uruguay": 3,
		"que": 1, "guerra": 2, "aéreo": 4, "poeta": 3, "ayuda": 3, "prohibir": 3,
	} {
		if got := SpanishSyllables(word); got != want {
			t.Errorf("Spanish %q: %d, want %d", word, got, want)
		}
	}
}

func TestPlainText(t *testing.T) {
	md := "# Title\n\nSome *bold* and `code`.\n\n```\nignored code\n```\n\n| Col | Two |\n|---|---|\n| a b | c |\n\n> Quote line\n\n![img](x.png) <b>tag</b> See https://example.org now"
	want := "Title.\nSome bold and code.\nCol.\nTwo.\na b.\nc.\nQuote line.\ntag See now.\n"
	if got := PlainText(md); got != want {
		t.Fatalf("plain text %q, want %q", got, want)
	}
}
