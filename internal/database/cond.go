package database

import "gorm.io/gorm"

// Cond is a SQL condition with its bind parameters ("cases.patient_id = ?",
// id), such as a visibility scope: what rows of an entity a principal may
// see. It works as a GORM scope (db.Scopes(c.Scope)) and as text for SQL
// written by hand or compiled (c.SQL with c.Args, ? placeholders in order).
type Cond struct {
	SQL  string
	Args []any
}

// True and False are the conditions that admit every row and none.
var (
	True  = Cond{SQL: "TRUE"}
	False = Cond{SQL: "FALSE"}
)

// Scope adds the condition to a GORM query.
func (c Cond) Scope(db *gorm.DB) *gorm.DB { return db.Where(c.SQL, c.Args...) }

// IsFalse reports whether the condition admits no row, so that callers may
// skip the statement.
func (c Cond) IsFalse() bool { return c.SQL == False.SQL }
