-- +goose Up

-- The audit chain leaves the commit path. Until now a deferred trigger
-- chained each entry at its transaction's commit under the head's row lock,
-- so audited commits took turns (about 400-570 a second on the CI machine).
-- Now an insert only records its entries as pending, with the writing
-- transaction's id, and a sequencer (audit_chain_advance, run by the
-- application's workers: internal/audit.Sequencer) chains the committed
-- ones in batches. Nothing a writer does waits on the head.

-- No audited transaction may be in flight while the triggers change: one
-- that inserted under the old trigger must commit with it (its entries are
-- chained at its commit), one that inserts later must find the new one.
LOCK TABLE audit_entries IN SHARE ROW EXCLUSIVE MODE;

-- An entry written but not yet chained, with the id of its transaction
-- (the top-level one, also inside a savepoint). The row is written with the
-- entry, so a rolled-back entry leaves none; it is deleted only when the
-- entry is chained, in the same transaction as its link.
CREATE TABLE audit_unchained (
    entry_id uuid PRIMARY KEY REFERENCES audit_entries (id),
    xid      xid8 NOT NULL DEFAULT pg_current_xact_id()
);

-- A statement trigger with a transition table: a page of reads
-- (audit.RecordEach) is one insert here, not one per entry.
-- +goose StatementBegin
CREATE FUNCTION audit_entries_pend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_unchained (entry_id) SELECT id FROM written;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP TRIGGER audit_entries_chain ON audit_entries;
DROP FUNCTION audit_chain_append();
CREATE TRIGGER audit_entries_unchained AFTER INSERT ON audit_entries
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_pend();

-- A pending row is never changed; deleting one is the sequencer's alone
-- (no trigger can tell who deletes, but audit verify reports an entry with
-- neither a link nor a pending row as broken).
CREATE TRIGGER audit_unchained_no_update BEFORE UPDATE ON audit_unchained
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_unchained_no_truncate BEFORE TRUNCATE ON audit_unchained
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();

-- audit_chain_advance chains up to max_entries pending entries whose
-- transactions have committed and returns how many it chained; 0 when none
-- is ready or another sequencer holds the head (it does not wait for it).
--
-- Which entries are ready: the pending rows its one query sees, after the
-- head is locked. Under READ COMMITTED a row is visible only once its
-- transaction has committed (or it is the caller's own), so a transaction
-- that commits while the function runs is simply not in this batch, and is
-- in a later one: its pending rows stay, because the deletion names the
-- entries just linked, never a condition evaluated again in a newer
-- snapshot. No entry loses its pending row without its link, and
-- audit_chain's unique entry_id refuses a second link. Two sequencers never
-- chain at once: the second finds the head locked, and the next to lock it
-- reads, in a snapshot taken after the lock, what the first committed.
--
-- Why not wait for pg_snapshot_xmin to pass the entry's xid, as first
-- designed: that xmin is the whole cluster's, so any writing transaction
-- left open in any database would stall the chain, and waiting buys nothing
-- the visibility above does not already give (the order below is not
-- commit order either way). xid stays in audit_unchained to tell, when an
-- entry lingers, which transaction wrote it.
--
-- Within a batch the order is the entries' time, then id: deterministic,
-- and close to the order they happened. Across batches the chain's order is
-- the order of chaining: an entry of a long transaction may follow entries
-- written after it. Verify checks the order of the links, not of the times.
-- +goose StatementBegin
CREATE FUNCTION audit_chain_advance(max_entries int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
    first bigint;
    e audit_entries;
    next bytea;
BEGIN
    -- An idle sequencer only reads: locking the head would write it.
    IF NOT EXISTS (SELECT 1 FROM audit_unchained) THEN
        RETURN 0;
    END IF;
    SELECT * INTO head FROM audit_chain_head WHERE id FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT 1 FROM audit_chain_head) THEN
            RAISE EXCEPTION 'the audit chain''s head is missing';
        END IF;
        RETURN 0;
    END IF;
    first := head.seq + 1;
    FOR e IN
        SELECT a.* FROM audit_unchained u JOIN audit_entries a ON a.id = u.entry_id
        ORDER BY a.at, a.id
        LIMIT max_entries
    LOOP
        next := audit_entry_digest(head.hash, head.seq + 1, e);
        INSERT INTO audit_chain (seq, entry_id, prev_hash, hash) VALUES (head.seq + 1, e.id, head.hash, next);
        head.seq := head.seq + 1;
        head.hash := next;
    END LOOP;
    IF head.seq < first THEN
        RETURN 0;
    END IF;
    DELETE FROM audit_unchained u USING audit_chain c WHERE c.seq >= first AND c.entry_id = u.entry_id;
    UPDATE audit_chain_head SET seq = head.seq, hash = head.hash WHERE id;
    RETURN head.seq - first + 1;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- Back to chaining at commit. With inserts blocked, every pending entry
-- visible is committed: chain them all first (in the sequencer's order),
-- as the old trigger would have, then restore it.
LOCK TABLE audit_entries IN SHARE ROW EXCLUSIVE MODE;
-- +goose StatementBegin
DO $$
BEGIN
    -- The head's lock first, waiting for a sequencer that holds it; the
    -- sequencer's own SKIP LOCKED then finds it this transaction's.
    PERFORM 1 FROM audit_chain_head WHERE id FOR UPDATE;
    WHILE audit_chain_advance(10000) > 0 LOOP
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION audit_chain_advance(int);
DROP TRIGGER audit_entries_unchained ON audit_entries;
DROP FUNCTION audit_entries_pend();
DROP TABLE audit_unchained;
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
CREATE CONSTRAINT TRIGGER audit_entries_chain AFTER INSERT ON audit_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit_chain_append();
