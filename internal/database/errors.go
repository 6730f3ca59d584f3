package database

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// sqlState returns the SQLSTATE and constraint of a PostgreSQL error, or a
// generic word: the error text itself can echo values and is not logged.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.ConstraintName != "" {
			return pgErr.Code + " " + pgErr.ConstraintName
		}
		return pgErr.Code
	}
	return "driver error"
}

// IsUniqueViolation reports whether err is a unique violation, of the named
// constraint when constraint is not empty.
func IsUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && (constraint == "" || pgErr.ConstraintName == constraint)
}
