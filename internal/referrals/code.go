package referrals

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
)

// CodeAlphabet is the alphabet of referral codes: digits and capital letters
// without the look-alikes 0/O and 1/I/L, 31 symbols.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLength is the number of symbols in a code: 12 symbols of 31 are about
// 59 bits, shown in three groups of four ("K7QM-X3TD-PRW9").
const CodeLength = 12

const (
	codeGroup = 4
	hintLen   = 4
	// MaskedCode is the code shown to anyone but the referring clinician once
	// the referral has been created.
	MaskedCode = "****-****-****"
)

// newCode returns a fresh code from crypto/rand, formatted in groups. Each
// symbol is drawn uniformly: bytes at or above the largest multiple of 31 are
// rejected rather than folded, so that no symbol is more likely than another.
func newCode() (string, error) {
	return codeFrom(func(buf []byte) error { _, err := rand.Read(buf); return err })
}

// keyedCode returns the code of a referral submitted with an idempotency key:
// drawn as newCode draws, from an HMAC-SHA256 stream under a key derived from
// the code key, over the clinician, the idempotency key and the attempt
// (a collision with a stored code draws again). A retry of the submission
// recomputes the same code, so its answer can carry the code in full while
// the code is still stored only as its hash; without the code key, the
// clinician and the idempotency key tell nothing of it.
func keyedCode(codeKey []byte, clinician, idempotencyKey string, attempt int) string {
	sub := hmac.New(sha256.New, codeKey)
	sub.Write([]byte("mlp/referral-code/keyed/v1"))
	key := sub.Sum(nil)
	block := 0
	code, _ := codeFrom(func(buf []byte) error {
		for i := 0; i < len(buf); i += sha256.Size {
			m := hmac.New(sha256.New, key)
			fmt.Fprintf(m, "%s\x00%s\x00%d\x00%d", clinician, idempotencyKey, attempt, block)
			block++
			copy(buf[i:], m.Sum(nil))
		}
		return nil
	})
	return code
}

// codeFrom draws a code from the bytes read fills in.
func codeFrom(read func([]byte) error) (string, error) {
	const n = len(CodeAlphabet)
	const limit = 256 - 256%n
	var b strings.Builder
	buf := make([]byte, 2*CodeLength)
	count := 0
	for count < CodeLength {
		if err := read(buf); err != nil {
			return "", err
		}
		for _, v := range buf {
			if int(v) >= limit {
				continue
			}
			if count > 0 && count%codeGroup == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(CodeAlphabet[int(v)%n])
			count++
			if count == CodeLength {
				break
			}
		}
	}
	return b.String(), nil
}

// normaliseCode returns the code as it is hashed: capital letters, no spaces
// or hyphens. ok is false when what is left cannot be a code (wrong length, a
// symbol outside the alphabet).
func normaliseCode(code string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(CodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	s := b.String()
	return s, len(s) == CodeLength
}

// hashCode returns the HMAC-SHA256 of a normalised code under key. The key
// keeps a copy of the table from being enough to recover codes by trying all
// of them offline.
func hashCode(key []byte, normalised string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(normalised))
	return m.Sum(nil)
}

// codeHint returns the last characters of a normalised code, for the masked code.
func codeHint(normalised string) string { return normalised[len(normalised)-hintLen:] }

// maskCode returns the masked code the referring clinician sees in later reads.
func maskCode(hint string) string { return maskPrefix + hint }

// maskPrefix is what the referring clinician sees of a code before its hint.
const maskPrefix = "****-****-"

// DeriveCodeKey derives the key that hashes referral codes from the server's
// secret, so that a deployment has one secret to keep. Rotating that secret
// makes the codes of unclaimed referrals unusable.
func DeriveCodeKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("mlp/referral-code/v1"))
	return m.Sum(nil)
}
