package models

import "strings"

// Trimmed returns optional input text trimmed of spaces; nil and blank are nil.
func Trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}
