-- +goose Up

-- Every new case used to wait for two rows locked until the creating
-- transaction committed: the year's reference counter and its partner's
-- open-case counter. Under load, requests queued on them one commit at a
-- time (cmd/soak at 200 requests/s: most of requestLegalHelp's time was
-- "Lock:transactionid" on case_reference_counters).

-- References: one sequence a year (case_reference_<year>), taken by
-- case_reference_next. A sequence hands out numbers without holding a lock
-- until commit, so a creation that rolls back leaves a gap; numbers never
-- collide. The year's first case creates its sequence, one creator at a
-- time (the advisory lock is held until that transaction ends; a waiter then
-- finds the sequence, or creates it if that transaction rolled back).
-- +goose StatementBegin
CREATE FUNCTION case_reference_next(y int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    seq text := 'case_reference_' || y;
BEGIN
    IF y NOT BETWEEN 2000 AND 9999 THEN
        RAISE EXCEPTION 'case reference year % out of range', y;
    END IF;
    IF to_regclass(seq) IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('case_reference_next'), y);
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I AS int MINVALUE 1 MAXVALUE 999999 NO CYCLE', seq);
    END IF;
    RETURN nextval(seq::regclass);
END
$$;
-- +goose StatementEnd
-- Its sequences are this schema's, whatever the caller's search_path.
ALTER FUNCTION case_reference_next(int) SET search_path FROM CURRENT;

-- +goose StatementBegin
DO $$
DECLARE
    r case_reference_counters;
BEGIN
    FOR r IN SELECT * FROM case_reference_counters LOOP
        EXECUTE format('CREATE SEQUENCE %I AS int MINVALUE 1 MAXVALUE 999999 NO CYCLE', 'case_reference_' || r.year);
        PERFORM setval(('case_reference_' || r.year)::regclass, r.last_value, true);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP TABLE case_reference_counters;

-- Open cases: 64 counters a partner (the case id's hash picks one, the same
-- for its increment and its decrement, so none goes below zero); routing
-- sums them.
ALTER TABLE organization_open_cases
    ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 63),
    DROP CONSTRAINT organization_open_cases_pkey;
DELETE FROM organization_open_cases;
ALTER TABLE organization_open_cases ADD PRIMARY KEY (organization_id, shard);
ALTER TABLE organization_open_cases ALTER COLUMN shard DROP DEFAULT;
INSERT INTO organization_open_cases (organization_id, shard, open_cases)
    SELECT organization_id, hashtext(id::text) & 63, count(*) FROM cases
    WHERE organization_id IS NOT NULL AND status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN')
    GROUP BY 1, 2;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cases_count_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_org uuid;
    new_org uuid;
    s smallint;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.organization_id IS NOT NULL AND OLD.status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN') THEN
        old_org := OLD.organization_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.organization_id IS NOT NULL AND NEW.status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN') THEN
        new_org := NEW.organization_id;
    END IF;
    IF old_org IS NOT DISTINCT FROM new_org THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        s := hashtext(OLD.id::text) & 63;
    ELSE
        s := hashtext(NEW.id::text) & 63;
    END IF;
    IF old_org IS NOT NULL THEN
        UPDATE organization_open_cases SET open_cases = open_cases - 1 WHERE organization_id = old_org AND shard = s;
    END IF;
    IF new_org IS NOT NULL THEN
        INSERT INTO organization_open_cases (organization_id, shard, open_cases) VALUES (new_org, s, 1)
        ON CONFLICT (organization_id, shard) DO UPDATE SET open_cases = organization_open_cases.open_cases + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cases_count_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_org uuid;
    new_org uuid;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.organization_id IS NOT NULL AND OLD.status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN') THEN
        old_org := OLD.organization_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.organization_id IS NOT NULL AND NEW.status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN') THEN
        new_org := NEW.organization_id;
    END IF;
    IF old_org IS NOT DISTINCT FROM new_org THEN
        RETURN NULL;
    END IF;
    IF old_org IS NOT NULL THEN
        UPDATE organization_open_cases SET open_cases = open_cases - 1 WHERE organization_id = old_org;
    END IF;
    IF new_org IS NOT NULL THEN
        INSERT INTO organization_open_cases (organization_id, open_cases) VALUES (new_org, 1)
        ON CONFLICT (organization_id) DO UPDATE SET open_cases = organization_open_cases.open_cases + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
ALTER TABLE organization_open_cases DROP CONSTRAINT organization_open_cases_pkey;
DELETE FROM organization_open_cases;
ALTER TABLE organization_open_cases DROP COLUMN shard, ADD PRIMARY KEY (organization_id);
INSERT INTO organization_open_cases (organization_id, open_cases)
    SELECT organization_id, count(*) FROM cases
    WHERE organization_id IS NOT NULL AND status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN')
    GROUP BY organization_id;

CREATE TABLE case_reference_counters (
    year       int PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last_value int NOT NULL CHECK (last_value BETWEEN 1 AND 999999)
);
-- +goose StatementBegin
DO $$
DECLARE
    s record;
BEGIN
    FOR s IN SELECT sequencename, last_value FROM pg_sequences
        WHERE schemaname = current_schema() AND sequencename ~ '^case_reference_[0-9]{4}$' LOOP
        IF s.last_value IS NOT NULL THEN
            INSERT INTO case_reference_counters (year, last_value)
                VALUES (substr(s.sequencename, 16)::int, s.last_value);
        END IF;
        EXECUTE format('DROP SEQUENCE %I', s.sequencename);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION case_reference_next(int);
