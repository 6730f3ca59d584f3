-- Privacy (issue 14): the tamper-evident audit trail, who looked at a case
-- (the organization of each audit entry's actor), legal hold, erasure, safe
-- contact and the outcome note's visibility.

-- +goose Up

-- The organization the actor acted for, recorded with the entry: a case's
-- access log shows it (never the person). Entries written before this
-- migration have none.
ALTER TABLE audit_entries ADD COLUMN actor_organization_id uuid REFERENCES organizations (id);

-- The hash chain. Every audit entry gets one link, in the order in which the
-- writing transactions commit: link n holds the hash of link n-1 (prev_hash)
-- and hash = SHA-256(prev_hash || content of entry n, see
-- audit_entry_digest). The first link's prev_hash is 32 zero bytes. The head
-- (one row) holds the last link's number and hash.
--
-- A deferred constraint trigger appends the link when the writing transaction
-- commits: it locks the head row (SELECT ... FOR UPDATE), so concurrent
-- writers take turns and the chain never forks; the lock is held only for
-- the commit itself, after every other statement of the transaction, so a
-- writer holding it waits for no other lock (no deadlock) and a long
-- transaction does not hold it up. No code path that writes an audit entry
-- (services, seed, tools) can forget its link.
--
-- `go run ./cmd/server audit verify` recomputes every hash in Go from the
-- entries and reports the first broken link. A column added to audit_entries
-- must be added to audit_entry_digest and to internal/audit's digest (a test
-- checks that the two cover every column).
CREATE TABLE audit_chain (
    seq       bigint PRIMARY KEY CHECK (seq >= 1),
    entry_id  uuid NOT NULL REFERENCES audit_entries (id),
    prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash      bytea NOT NULL CHECK (length(hash) = 32),
    CONSTRAINT audit_chain_entry_key UNIQUE (entry_id)
);

CREATE TABLE audit_chain_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint NOT NULL CHECK (seq >= 0),
    hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- The content of entry e as link seq, after prev: fields joined by newlines,
-- a missing value as '-', the time in UTC to the microsecond.
CREATE FUNCTION audit_entry_digest(prev bytea, seq bigint, e audit_entries) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sha256(prev || convert_to(concat_ws(E'\n',
        seq::text,
        e.id::text,
        coalesce(e.actor_id::text, '-'),
        coalesce(e.actor_role, '-'),
        coalesce(e.actor_organization_id::text, '-'),
        e.action,
        e.entity_type,
        coalesce(e.entity_id::text, '-'),
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8'))
$$;

-- +goose StatementBegin
CREATE FUNCTION audit_chain_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
    next bytea;
BEGIN
    SELECT * INTO head FROM audit_chain_head WHERE id FOR UPDATE;
    next := audit_entry_digest(head.hash, head.seq + 1, NEW);
    INSERT INTO audit_chain (seq, entry_id, prev_hash, hash) VALUES (head.seq + 1, NEW.id, head.hash, next);
    UPDATE audit_chain_head SET seq = head.seq + 1, hash = next WHERE id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Entries already written are chained in the order they were written.
-- +goose StatementBegin
DO $$
DECLARE
    e audit_entries;
    n bigint := 0;
    h bytea := decode(repeat('00', 32), 'hex');
    next bytea;
BEGIN
    FOR e IN SELECT * FROM audit_entries ORDER BY at, id LOOP
        n := n + 1;
        next := audit_entry_digest(h, n, e);
        INSERT INTO audit_chain (seq, entry_id, prev_hash, hash) VALUES (n, e.id, h, next);
        h := next;
    END LOOP;
    INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, n, h);
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER audit_entries_chain AFTER INSERT ON audit_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit_chain_append();

-- Links are append-only like the entries.
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();

-- An advocate's outcome notes are internal unless marked for the patient.
ALTER TABLE case_outcomes ADD COLUMN notes_visible_to_patient boolean NOT NULL DEFAULT false;

-- Legal hold (ADMIN): erasing the patient keeps a held case's description
-- and messages. users.erased_at marks an account erased at its owner's
-- request (deleteMyAccount); the row stays, de-identified, for the reports
-- and the audit trail that refer to it.
ALTER TABLE cases
    ADD COLUMN legal_hold_reason text CHECK (length(legal_hold_reason) BETWEEN 1 AND 500),
    ADD COLUMN legal_hold_at timestamptz,
    ADD COLUMN legal_hold_by uuid REFERENCES users (id),
    ADD CONSTRAINT cases_legal_hold_fields CHECK ((legal_hold_reason IS NULL) = (legal_hold_at IS NULL));
ALTER TABLE users ADD COLUMN erased_at timestamptz;

-- Safe contact: how a patient at risk from someone who sees their phone or
-- mail may be reached (shown to their cases' advocates only). No channels:
-- not set.
ALTER TABLE users
    ADD COLUMN safe_contact_channels text[] NOT NULL DEFAULT '{}'
        CHECK (safe_contact_channels <@ ARRAY['APP', 'PHONE', 'SMS', 'EMAIL']::text[]),
    ADD COLUMN safe_hours_start text CHECK (safe_hours_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    ADD COLUMN safe_hours_end text CHECK (safe_hours_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    ADD COLUMN safe_voicemail_ok boolean NOT NULL DEFAULT false,
    ADD COLUMN safe_contact_note text CHECK (length(safe_contact_note) <= 500);

-- +goose Down
ALTER TABLE users DROP COLUMN safe_contact_note, DROP COLUMN safe_voicemail_ok, DROP COLUMN safe_hours_end,
    DROP COLUMN safe_hours_start, DROP COLUMN safe_contact_channels;
ALTER TABLE users DROP COLUMN erased_at;
ALTER TABLE cases DROP CONSTRAINT cases_legal_hold_fields, DROP COLUMN legal_hold_by, DROP COLUMN legal_hold_at, DROP COLUMN legal_hold_reason;
ALTER TABLE case_outcomes DROP COLUMN notes_visible_to_patient;
DROP TRIGGER audit_entries_chain ON audit_entries;
DROP TABLE audit_chain_head;
DROP TABLE audit_chain;
DROP FUNCTION audit_chain_append();
DROP FUNCTION audit_entry_digest(bytea, bigint, audit_entries);
ALTER TABLE audit_entries DROP COLUMN actor_organization_id;
