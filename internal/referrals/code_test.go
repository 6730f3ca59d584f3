package referrals

import (
	"crypto/sha256"
	"math"
	"strings"
	"testing"
)

// TestCodeAlphabet: 31 symbols, none of the look-alikes 0/O and 1/I/L.
func TestCodeAlphabet(t *testing.T) {
	if len(CodeAlphabet) != 31 {
		t.Fatalf("alphabet has %d symbols", len(CodeAlphabet))
	}
	if strings.ContainsAny(CodeAlphabet, "0O1IL") {
		t.Fatalf("alphabet %q has look-alikes", CodeAlphabet)
	}
	seen := map[rune]bool{}
	for _, r := range CodeAlphabet {
		if seen[r] {
			t.Fatalf("symbol %c twice", r)
		}
		seen[r] = true
	}
	// At least 8 characters, and enough of them for more than 58 bits.
	if bits := float64(CodeLength) * math.Log2(float64(len(CodeAlphabet))); CodeLength < 8 || bits < 58 {
		t.Fatalf("codes carry %.1f bits", bits)
	}
}

// TestNewCodeIsUniform draws many codes: the right shape, no repeats, and
// every symbol about equally often (a chi-square test at p < 1e-6).
func TestNewCodeIsUniform(t *testing.T) {
	const draws = 20000
	counts := map[byte]int{}
	seen := make(map[string]bool, draws)
	for range draws {
		code, err := newCode()
		if err != nil {
			t.Fatal(err)
		}
		norm, ok := normaliseCode(code)
		if !ok || len(code) != CodeLength+2 || code[4] != '-' || code[9] != '-' {
			t.Fatalf("code %q has the wrong shape", code)
		}
		if seen[norm] {
			t.Fatalf("code %q drawn twice", code)
		}
		seen[norm] = true
		for i := range len(norm) {
			counts[norm[i]]++
		}
	}
	if len(counts) != len(CodeAlphabet) {
		t.Fatalf("only %d symbols used", len(counts))
	}
	expected := float64(draws*CodeLength) / float64(len(CodeAlphabet))
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - expected
		chi += d * d / expected
	}
	// 30 degrees of freedom: P(chi2 > 80) is about 2e-6.
	if chi > 80 {
		t.Fatalf("symbol frequencies are skewed: chi-square %.1f, counts %v", chi, counts)
	}
}

// TestNormaliseCode accepts what patients type and rejects what cannot be a code.
func TestNormaliseCode(t *testing.T) {
	for in, want := range map[string]string{
		"K7QM-X3TD-PRW9":   "K7QMX3TDPRW9",
		"k7qm x3td prw9":   "K7QMX3TDPRW9",
		" K7QMX3TDPRW9 ":   "K7QMX3TDPRW9",
		"k7qm-x3td-prw9\t": "K7QMX3TDPRW9",
	} {
		if got, ok := normaliseCode(in); !ok || got != want {
			t.Errorf("normaliseCode(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "K7QM-X3TD-PRW", "K7QM-X3TD-PRW99", "K7QM-X3TD-PRW0", "K7QM-X3TD-PRWO", "K7QM-X3TD-PRWÉ", "K7QM;X3TD;PRW9"} {
		if _, ok := normaliseCode(in); ok {
			t.Errorf("normaliseCode(%q) accepted", in)
		}
	}
}

// TestHashCodeIsKeyed: the stored hash depends on the key and is not the
// plain SHA-256 of the code, so that the table alone does not give codes away.
func TestHashCodeIsKeyed(t *testing.T) {
	code := "K7QMX3TDPRW9"
	a, b := hashCode([]byte("key one"), code), hashCode([]byte("key two"), code)
	plain := sha256.Sum256([]byte(code))
	if len(a) != 32 || string(a) == string(b) || string(a) == string(plain[:]) {
		t.Fatal("the code hash is not keyed")
	}
	if string(hashCode([]byte("key one"), code)) != string(a) {
		t.Fatal("the code hash is not deterministic")
	}
}
