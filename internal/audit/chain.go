package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/models"
)

// The audit trail is a hash chain (migrations/00010_privacy.sql, 00021):
// every entry has one link in audit_chain, numbered in the order it was
// chained, holding the hash of the link before it and SHA-256(that hash ||
// the entry's content). Writing an entry only marks it pending
// (audit_unchained); the Sequencer chains committed entries in batches
// (audit_chain_advance, which locks the chain's head, so the chain never
// forks), off the writers' commit path. Verify recomputes the links here,
// independently of the database's own function.

// genesis is the previous hash of the first link.
var genesis = make([]byte, sha256.Size)

// timeLayout is how an entry's time enters its digest: UTC, microseconds
// (PostgreSQL's precision), as the database's to_char writes it.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// digest returns the hash of entry e as link seq after the link whose hash is
// prev; it must match audit_entry_digest in the migration field for field.
func digest(prev []byte, seq int64, e *models.AuditEntry) []byte {
	opt := func(id *uuid.UUID) string {
		if id == nil {
			return "-"
		}
		return id.String()
	}
	role := "-"
	if e.ActorRole != nil {
		role = string(*e.ActorRole)
	}
	content := strings.Join([]string{
		strconv.FormatInt(seq, 10),
		e.ID.String(),
		opt(e.ActorID),
		role,
		opt(e.ActorOrganizationID),
		e.Action,
		e.EntityType,
		opt(e.EntityID),
		e.At.UTC().Format(timeLayout),
	}, "\n")
	h := sha256.New()
	h.Write(prev)
	h.Write([]byte(content))
	return h.Sum(nil)
}

// DigestColumns are the columns of audit_entries that an entry's digest
// covers; a test checks that they are all of its columns.
var DigestColumns = []string{"id", "actor_id", "actor_role", "actor_organization_id", "action", "entity_type", "entity_id", "at"}

// Verification is the outcome of Verify.
type Verification struct {
	// Checked is the number of links that held, in order from the first.
	Checked int64
	// Pending is the number of committed entries not chained yet (their
	// transactions committed after the sequencer's last batch); they are
	// not broken. Entries of transactions still open are not seen at all.
	Pending int64
	// BrokenAt is the entry where the chain first fails; nil when it is whole.
	BrokenAt *uuid.UUID
	// Reason says how it failed.
	Reason string
	// Head is the hash of the last link (hex) of a whole chain: written down
	// elsewhere, it shows later that nobody rewrote the chain up to it.
	Head string
}

// OK reports whether the whole chain held.
func (v Verification) OK() bool { return v.BrokenAt == nil && v.Reason == "" }

// String is the report of `server audit verify`.
func (v Verification) String() string {
	switch {
	case v.BrokenAt != nil:
		return fmt.Sprintf("broken at entry %s: %s (%d entries checked before it)", v.BrokenAt, v.Reason, v.Checked)
	case v.Reason != "":
		return fmt.Sprintf("broken: %s (%d entries checked)", v.Reason, v.Checked)
	}
	return fmt.Sprintf("audit trail whole: %d entries checked, %d pending, head %s", v.Checked, v.Pending, v.Head)
}

// Verify walks the audit chain from the first link, in one snapshot (a
// read-only REPEATABLE READ transaction, so writers and the sequencer may go
// on meanwhile: in one snapshot each entry is either linked or pending), and
// reports the first link that does not hold: an entry deleted, changed, or
// neither chained nor pending, a link missing or not pointing at the one
// before, or links missing after the last one (the head disagrees). Pending
// entries are counted, not broken; call ChainPending first to chain the
// committed ones. It reads the trail as a stream, in constant memory. It is
// for operators (the command line), not a service method: it has no caller
// to authorize.
func Verify(ctx context.Context, db *gorm.DB) (Verification, error) {
	var v Verification
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		v, err = verify(tx)
		return err
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return v, err
}

func verify(tx *gorm.DB) (Verification, error) {
	var v Verification
	rows, err := tx.Raw(`SELECT c.seq, c.entry_id, c.prev_hash, c.hash,
			e.id, e.actor_id, e.actor_role, e.actor_organization_id, e.action, e.entity_type, e.entity_id, e.at
		FROM audit_chain c LEFT JOIN audit_entries e ON e.id = c.entry_id
		ORDER BY c.seq`).Rows()
	if err != nil {
		return v, err
	}
	defer rows.Close()
	prev := genesis
	var last uuid.UUID
	for rows.Next() {
		var (
			seq            int64
			linked         uuid.UUID
			prevHash, hash []byte
			id             *uuid.UUID
			e              models.AuditEntry
			action, entity *string
			at             sql.NullTime
		)
		if err := rows.Scan(&seq, &linked, &prevHash, &hash,
			&id, &e.ActorID, &e.ActorRole, &e.ActorOrganizationID, &action, &entity, &e.EntityID, &at); err != nil {
			return v, err
		}
		broken := func(reason string) (Verification, error) {
			v.BrokenAt, v.Reason = &linked, reason
			return v, nil
		}
		switch {
		case seq != v.Checked+1:
			return broken(fmt.Sprintf("links %d to %d are missing before it", v.Checked+1, seq-1))
		case id == nil:
			return broken("the entry was deleted")
		case !bytes.Equal(prevHash, prev):
			return broken("it does not link to the entry before it")
		}
		e.ID, e.Action, e.EntityType, e.At = *id, *action, *entity, at.Time
		if !bytes.Equal(digest(prev, seq, &e), hash) {
			return broken("the entry was changed")
		}
		prev, last = hash, linked
		v.Checked++
	}
	if err := rows.Err(); err != nil {
		return v, err
	}
	rows.Close()

	var head struct {
		Seq  int64
		Hash []byte
	}
	err = tx.Raw(`SELECT seq, hash FROM audit_chain_head`).Row().Scan(&head.Seq, &head.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		v.Reason = "the chain's head is missing"
		return v, nil
	}
	if err != nil {
		return v, err
	}
	if head.Seq != v.Checked || !bytes.Equal(head.Hash, prev) {
		if v.Checked > 0 {
			v.BrokenAt = &last
		}
		v.Reason = fmt.Sprintf("the chain ends after %d entries, its head says %d: entries after it were deleted", v.Checked, head.Seq)
		return v, nil
	}
	// The entries outside the chain must each be pending, exactly once: the
	// sequencer deletes a pending row only with the link it writes.
	for _, check := range []struct{ query, reason string }{
		{`SELECT e.id FROM audit_entries e
			WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM audit_unchained u WHERE u.entry_id = e.id)
			ORDER BY e.at, e.id LIMIT 1`,
			"the entry is neither in the chain nor pending (written with its trigger off, or its pending mark deleted)"},
		{`SELECT u.entry_id FROM audit_unchained u
			WHERE NOT EXISTS (SELECT 1 FROM audit_entries e WHERE e.id = u.entry_id)
			ORDER BY u.entry_id LIMIT 1`,
			"the entry was deleted before it was chained"},
		{`SELECT u.entry_id FROM audit_unchained u JOIN audit_chain c ON c.entry_id = u.entry_id
			ORDER BY c.seq LIMIT 1`,
			"the entry is in the chain and pending again"},
	} {
		var found []uuid.UUID
		if err := tx.Raw(check.query).Scan(&found).Error; err != nil {
			return v, err
		}
		if len(found) > 0 {
			v.BrokenAt, v.Reason = &found[0], check.reason
			return v, nil
		}
	}
	if err := tx.Raw(`SELECT count(*) FROM audit_unchained`).Row().Scan(&v.Pending); err != nil {
		return v, err
	}
	v.Head = fmt.Sprintf("%x", prev)
	return v, nil
}
