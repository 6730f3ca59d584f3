package guides

import (
	"math"
	"regexp"
	"strings"
	"unicode"
)

// TextStats are the counts readability formulas are made of.
type TextStats struct {
	Words     int
	Sentences int
	Syllables int
}

// ReadingGrade returns the school grade a reader needs for the Markdown body
// in the given locale; lower is easier.
//
//   - English (en, en-*): the Flesch-Kincaid grade level,
//     0.39 x words/sentence + 11.8 x syllables/word - 15.59.
//   - Spanish (es, es-*): the Fernandez-Huerta reading ease (1959, in its
//     corrected form L = 206.84 - 60 x syllables/word - 1.02 x words/sentence),
//     turned into a grade along Fernandez-Huerta's own scale; see
//     FernandezHuertaGrade.
//   - Other languages: 0, meaning not measured (no formula is applied).
//
// Either way the text is the body with its Markdown stripped (see PlainText),
// and the result is rounded to one decimal and never below 0.
func ReadingGrade(locale, markdown string) float64 {
	switch primaryLanguage(locale) {
	case "en":
		return round1(FleschKincaid(Stats(PlainText(markdown), EnglishSyllables)))
	case "es":
		return round1(FernandezHuertaGrade(FernandezHuerta(Stats(PlainText(markdown), SpanishSyllables))))
	}
	return 0
}

// primaryLanguage returns the primary language subtag of a BCP 47 tag.
func primaryLanguage(locale string) string {
	l, _, _ := strings.Cut(strings.ToLower(locale), "-")
	return l
}

func round1(f float64) float64 {
	if f < 0 || math.IsNaN(f) {
		return 0
	}
	return math.Round(f*10) / 10
}

// FleschKincaid returns the Flesch-Kincaid grade level of s.
func FleschKincaid(s TextStats) float64 {
	if s.Words == 0 || s.Sentences == 0 {
		return 0
	}
	return 0.39*float64(s.Words)/float64(s.Sentences) + 11.8*float64(s.Syllables)/float64(s.Words) - 15.59
}

// FernandezHuerta returns the Fernandez-Huerta reading ease of s (0 to 100,
// higher is easier), the adaptation of Flesch's reading ease to Spanish.
func FernandezHuerta(s TextStats) float64 {
	if s.Words == 0 || s.Sentences == 0 {
		return 100
	}
	return 206.84 - 60*float64(s.Syllables)/float64(s.Words) - 1.02*float64(s.Words)/float64(s.Sentences)
}

// fernandezHuertaScale is Fernandez-Huerta's table of reading ease against
// school grade, as points at the lower edge of each band: 90-100 "4th grade",
// 80-90 "5th", 70-80 "6th", 60-70 "7th or 8th", 50-60 "pre-university"
// (grade 12), 30-50 "selective courses" (grade 14), 0-30 "university"
// (grade 16).
var fernandezHuertaScale = []struct{ ease, grade float64 }{
	{100, 3}, {90, 4}, {80, 5}, {70, 6}, {60, 8}, {50, 12}, {30, 14}, {0, 16},
}

// FernandezHuertaGrade converts a Fernandez-Huerta reading ease into a school
// grade, linearly between the points of Fernandez-Huerta's scale (ease 90 is
// grade 4, 80 is 5, 70 is 6, 60 is 8, 50 is 12, 30 is 14, 0 is 16) and along
// the nearest segment beyond its ends.
func FernandezHuertaGrade(ease float64) float64 {
	sc := fernandezHuertaScale
	seg := func(i int) float64 { // on the segment from point i to point i+1
		a, b := sc[i], sc[i+1]
		return a.grade + (ease-a.ease)*(b.grade-a.grade)/(b.ease-a.ease)
	}
	if ease >= sc[0].ease {
		return math.Max(0, seg(0))
	}
	for i := 0; i < len(sc)-1; i++ {
		if ease >= sc[i+1].ease {
			return seg(i)
		}
	}
	return seg(len(sc) - 2)
}

var (
	fencedCode = regexp.MustCompile("(?ms)^[ \t]*(```|~~~).*?^[ \t]*(```|~~~)[ \t]*$")
	htmlTag    = regexp.MustCompile(`<[^>\n]*>`)
	image      = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	link       = regexp.MustCompile(`\[([^\]]+)\](\([^)]*\)|\[[^\]]*\])`)
	bareURL    = regexp.MustCompile(`https?://\S+`)
	heading    = regexp.MustCompile(`^\s{0,3}#{1,6}\s+`)
	listItem   = regexp.MustCompile(`^\s*([-*+]|\d{1,9}[.)])\s+`)
	quote      = regexp.MustCompile(`^\s*(>\s?)+`)
	rule       = regexp.MustCompile(`^\s*([-*_]\s*){3,}$`)
	tableRule  = regexp.MustCompile(`^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$`)
	emphasis   = regexp.MustCompile("[*_~`]+")
)

// PlainText strips Markdown from a body for readability counts: code blocks,
// HTML and images go; links keep their text; headings, list items, table rows
// and paragraphs each end a sentence (a full stop is added where the writer
// left none).
func PlainText(markdown string) string {
	s := strings.ReplaceAll(markdown, "\r\n", "\n")
	s = fencedCode.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, " ")
	s = image.ReplaceAllString(s, " ")
	s = link.ReplaceAllString(s, "$1")
	s = bareURL.ReplaceAllString(s, " ")

	var out strings.Builder
	var block []string
	flush := func() {
		text := strings.Join(strings.Fields(strings.Join(block, " ")), " ")
		block = block[:0]
		if text == "" {
			return
		}
		out.WriteString(text)
		if !strings.ContainsAny(text[len(text)-1:], ".!?") {
			out.WriteString(".")
		}
		out.WriteString("\n")
	}
	for _, line := range strings.Split(s, "\n") {
		if rule.MatchString(line) || tableRule.MatchString(line) || strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		line = quote.ReplaceAllString(line, "")
		switch {
		case heading.MatchString(line):
			flush()
			block = append(block, heading.ReplaceAllString(line, ""))
			flush()
			continue
		case listItem.MatchString(line):
			flush()
			line = listItem.ReplaceAllString(line, "")
		case strings.Contains(line, "|"):
			flush()
			for _, cell := range strings.Split(line, "|") {
				block = append(block, cell)
				flush()
			}
			continue
		}
		block = append(block, strings.TrimSpace(emphasis.ReplaceAllString(line, "")))
	}
	flush()
	return emphasis.ReplaceAllString(out.String(), "")
}

// abbreviations end with a full stop that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "sr": true, "sra": true, "jr": true,
	"no": true, "vs": true, "etc": true, "e.g": true, "i.e": true, "u.s": true, "ee.uu": true,
	"sec": true, "art": true, "núm": true, "pág": true, "inc": true, "co": true, "ud": true, "uds": true,
}

// Stats counts the words, sentences and syllables of plain text; syllables
// counts those of one word. A word is a run of letters and digits, with
// apostrophes and hyphens inside; a number counts one syllable per digit. A
// sentence ends at . ! or ? followed by a space or the end, except after
// abbreviations and single letters (U.S., e.g.).
func Stats(text string, syllables func(string) int) TextStats {
	var st TextStats
	inSentence := false
	for _, tok := range strings.Fields(text) {
		core := strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if core != "" {
			st.Words++
			inSentence = true
			for _, part := range strings.FieldsFunc(core, func(r rune) bool { return r == '-' || r == '\'' || r == '’' || r == '.' || r == '/' }) {
				st.Syllables += wordSyllables(part, syllables)
			}
		}
		trimmed := strings.TrimRight(tok, `"'”’)]»`)
		if inSentence && strings.ContainsAny(trimmed[max(0, len(trimmed)-1):], ".!?") {
			word := strings.ToLower(strings.TrimRight(strings.TrimLeft(trimmed, `"'“‘([«¿¡`), ".!?"))
			if strings.HasSuffix(trimmed, ".") && (abbreviations[word] || len([]rune(word)) == 1 && unicode.IsLetter([]rune(word)[0])) {
				continue
			}
			st.Sentences++
			inSentence = false
		}
	}
	if inSentence {
		st.Sentences++
	}
	return st
}

func wordSyllables(w string, syllables func(string) int) int {
	digits := 0
	for _, r := range w {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if digits > 0 {
		return digits
	}
	if w == "" {
		return 0
	}
	return syllables(w)
}

// EnglishSyllables estimates the syllables of an English word: groups of
// vowels (y counts after the first letter), less a silent final e, a silent
// -es and a silent -ed; at least one.
func EnglishSyllables(word string) int {
	w := strings.ToLower(word)
	isVowel := func(i int) bool {
		switch w[i] {
		case 'a', 'e', 'i', 'o', 'u':
			return true
		case 'y':
			return i > 0
		}
		return false
	}
	n := 0
	for i := 0; i < len(w); i++ {
		if isVowel(i) && (i == 0 || !isVowel(i-1)) {
			n++
		}
	}
	l := len(w)
	consonantAt := func(i int) bool { return i >= 0 && i < l && !isVowel(i) && unicode.IsLetter(rune(w[i])) }
	switch {
	case l > 2 && strings.HasSuffix(w, "e") && !(strings.HasSuffix(w, "le") && consonantAt(l-3)) && consonantAt(l-2):
		n-- // make, notice; but table, people
	case l > 3 && strings.HasSuffix(w, "es") && consonantAt(l-3) && !strings.ContainsRune("sxzgc", rune(w[l-3])) &&
		!strings.HasSuffix(w, "ches") && !strings.HasSuffix(w, "shes") && !(w[l-3] == 'l' && consonantAt(l-4)):
		n-- // makes, homes; but boxes, pages, notices, tables
	case l > 3 && strings.HasSuffix(w, "ed") && consonantAt(l-3) && w[l-3] != 't' && w[l-3] != 'd':
		n-- // called, served; but wanted, needed
	}
	if n < 1 {
		return 1
	}
	return n
}

// SpanishSyllables counts the syllables of a Spanish word: its vowel nuclei,
// where two adjacent vowels share a nucleus (a diphthong) unless both are
// strong (a, e, o, or an accented i or u), and a final y after a vowel joins
// that vowel (hoy, muy).
func SpanishSyllables(word string) int {
	strong := func(r rune) bool { return strings.ContainsRune("aeoáéóíúàèò", r) }
	weak := func(r rune) bool { return strings.ContainsRune("iuü", r) }
	rs := []rune(strings.ToLower(word))
	n := 0
	for i, r := range rs {
		vowel := strong(r) || weak(r)
		if r == 'y' && i == len(rs)-1 && i > 0 && (strong(rs[i-1]) || weak(rs[i-1])) {
			continue // hoy, muy, Uruguay
		}
		if !vowel {
			continue
		}
		if i > 0 && (strong(rs[i-1]) || weak(rs[i-1])) && !(strong(r) && strong(rs[i-1])) {
			continue // diphthong: same nucleus
		}
		n++
	}
	if n < 1 {
		return 1
	}
	return n
}
