package auth

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"

	"mlp/models"
)

// Password length limits, in characters.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail checks a normalised address; field names the input field.
func ValidateEmail(field, email string) error {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return models.InvalidField(field, "Enter a valid email address.")
	}
	return nil
}

// ValidatePassword checks the length rule.
func ValidatePassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen || n > MaxPasswordLen {
		return models.InvalidField(field, "Passwords are %d to %d characters long.", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// ValidateDisplayName trims a display name and checks its length.
func ValidateDisplayName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		return "", models.InvalidField(field, "Names are 1 to 100 characters long.")
	}
	return name, nil
}

// NormalizeLanguage returns the canonical BCP 47 tag of s, "en" when s is nil.
func NormalizeLanguage(field string, s *string) (string, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return "en", nil
	}
	tag, err := language.Parse(strings.TrimSpace(*s))
	if err != nil {
		return "", models.InvalidField(field, "Use a language tag such as en, es or zh-Hant.")
	}
	return tag.String(), nil
}
