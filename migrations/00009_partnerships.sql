-- +goose Up

-- Partnerships, county service areas, capacity and transfer (issue 13).
--
-- A service area is a state's code ('OR') or a county's 5-digit FIPS code
-- ('06037'). mlp_area_states gives the states an area list reaches (a county
-- reaches its state), so that "serves the state or any county in it" is one
-- array test on an indexed, generated column. The FIPS prefixes are those of
-- internal/geo (a test checks that both agree).
-- +goose StatementBegin
CREATE FUNCTION mlp_area_states(areas text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT coalesce(s.code, a) ORDER BY coalesce(s.code, a)), '{}')
    FROM unnest(areas) AS a
    LEFT JOIN (VALUES
        ('01', 'AL'), ('02', 'AK'), ('04', 'AZ'), ('05', 'AR'), ('06', 'CA'), ('08', 'CO'), ('09', 'CT'),
        ('10', 'DE'), ('11', 'DC'), ('12', 'FL'), ('13', 'GA'), ('15', 'HI'), ('16', 'ID'), ('17', 'IL'),
        ('18', 'IN'), ('19', 'IA'), ('20', 'KS'), ('21', 'KY'), ('22', 'LA'), ('23', 'ME'), ('24', 'MD'),
        ('25', 'MA'), ('26', 'MI'), ('27', 'MN'), ('28', 'MS'), ('29', 'MO'), ('30', 'MT'), ('31', 'NE'),
        ('32', 'NV'), ('33', 'NH'), ('34', 'NJ'), ('35', 'NM'), ('36', 'NY'), ('37', 'NC'), ('38', 'ND'),
        ('39', 'OH'), ('40', 'OK'), ('41', 'OR'), ('42', 'PA'), ('44', 'RI'), ('45', 'SC'), ('46', 'SD'),
        ('47', 'TN'), ('48', 'TX'), ('49', 'UT'), ('50', 'VT'), ('51', 'VA'), ('53', 'WA'), ('54', 'WV'),
        ('55', 'WI'), ('56', 'WY'), ('72', 'PR')
    ) AS s (fips, code) ON a ~ '^[0-9]{5}$' AND s.fips = left(a, 2)
$$;
-- +goose StatementEnd

ALTER TABLE organizations
    ADD COLUMN area_states text[] GENERATED ALWAYS AS (mlp_area_states(service_areas)) STORED,
    ADD CONSTRAINT organizations_service_areas_form CHECK (service_areas = '{}' OR
        array_to_string(service_areas, ',') ~ '^([A-Z]{2}|[0-9]{5})(,([A-Z]{2}|[0-9]{5}))*$');
CREATE INDEX organizations_area_states_idx ON organizations USING gin (area_states);

-- A pairing of a health system with a legal-aid partner: the categories and
-- the area whose patients of that health system go to the partner first.
-- Ending one keeps the row (history); at most one active row per pair.
CREATE TABLE partnerships (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    health_system_id uuid NOT NULL REFERENCES organizations (id),
    legal_aid_id     uuid NOT NULL REFERENCES organizations (id),
    categories       text[] NOT NULL CHECK (categories <> '{}' AND categories <@ ARRAY[
        'HOUSING', 'PUBLIC_BENEFITS', 'EMPLOYMENT', 'EDUCATION', 'IMMIGRATION', 'FAMILY',
        'DISABILITY', 'MEDICAL_DEBT', 'UTILITIES', 'FOOD', 'OTHER']::text[]),
    service_areas    text[] NOT NULL CHECK (service_areas <> '{}' AND
        array_to_string(service_areas, ',') ~ '^([A-Z]{2}|[0-9]{5})(,([A-Z]{2}|[0-9]{5}))*$'),
    area_states      text[] GENERATED ALWAYS AS (mlp_area_states(service_areas)) STORED,
    version          int NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    CONSTRAINT partnerships_two_organizations CHECK (health_system_id <> legal_aid_id)
);
CREATE UNIQUE INDEX partnerships_active_pair_key ON partnerships (health_system_id, legal_aid_id) WHERE ended_at IS NULL;
CREATE INDEX partnerships_legal_aid_idx ON partnerships (legal_aid_id);

-- What a legal-aid organization can take now, per category (the capacity codes
-- of the HL7 SDOH Clinical Care IG: capacity, waitlist, no-capacity). No row
-- means ACCEPTING.
CREATE TABLE organization_capacities (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    category        text NOT NULL CHECK (category IN (
        'HOUSING', 'PUBLIC_BENEFITS', 'EMPLOYMENT', 'EDUCATION', 'IMMIGRATION', 'FAMILY',
        'DISABILITY', 'MEDICAL_DEBT', 'UTILITIES', 'FOOD', 'OTHER')),
    status          text NOT NULL CHECK (status IN ('ACCEPTING', 'WAITLIST', 'NOT_ACCEPTING')),
    wait_days       int CHECK (wait_days BETWEEN 1 AND 365),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      uuid REFERENCES users (id),
    PRIMARY KEY (organization_id, category),
    CONSTRAINT organization_capacities_wait CHECK ((status = 'WAITLIST') = (wait_days IS NOT NULL))
);

-- Routing's tie-break, kept by a trigger so that routing reads one row per
-- candidate instead of counting every open case of each (which grew with the
-- table). Rows are created on a partner's first case.
CREATE TABLE organization_open_cases (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id),
    open_cases      int NOT NULL CHECK (open_cases >= 0)
);

-- +goose StatementBegin
CREATE FUNCTION cases_count_open() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER cases_count_open AFTER INSERT OR DELETE OR UPDATE OF status, organization_id ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_count_open();
INSERT INTO organization_open_cases (organization_id, open_cases)
    SELECT organization_id, count(*) FROM cases
    WHERE organization_id IS NOT NULL AND status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN')
    GROUP BY organization_id;

-- The health system a patient comes through: set when they claim a referral,
-- or chosen in the app.
ALTER TABLE users ADD COLUMN health_system_id uuid REFERENCES organizations (id);

-- Where the case is: the ZIP code the patient gave and its counties inside the
-- case's state; and the health system whose partner it goes to first (the
-- referring clinician's, or the patient's at intake).
ALTER TABLE cases
    ADD COLUMN zip_code text CHECK (zip_code ~ '^[0-9]{5}$'),
    ADD COLUMN counties text[] NOT NULL DEFAULT '{}',
    ADD COLUMN health_system_id uuid REFERENCES organizations (id),
    ADD CONSTRAINT cases_counties_of_zip CHECK ((zip_code IS NULL) = (counties = '{}'));
-- Cases that wait for a partner, oldest first: routed when one starts serving.
CREATE INDEX cases_unrouted_idx ON cases (created_at, id) WHERE organization_id IS NULL AND status = 'SUBMITTED';

-- Timeline events of routing: ROUTED (a waiting case found a partner) and
-- TRANSFERRED (an advocate passed the case to another partner).
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check,
    ADD CONSTRAINT case_events_kind_check CHECK (kind IN (
        'CREATED', 'STATUS_CHANGED', 'ASSIGNED', 'MESSAGE', 'OUTCOME_RECORDED', 'ROUTED', 'TRANSFERRED'));

-- +goose Down
DELETE FROM case_events WHERE kind IN ('ROUTED', 'TRANSFERRED');
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check,
    ADD CONSTRAINT case_events_kind_check CHECK (kind IN ('CREATED', 'STATUS_CHANGED', 'ASSIGNED', 'MESSAGE', 'OUTCOME_RECORDED'));
DROP INDEX cases_unrouted_idx;
ALTER TABLE cases DROP CONSTRAINT cases_counties_of_zip, DROP COLUMN health_system_id, DROP COLUMN counties, DROP COLUMN zip_code;
ALTER TABLE users DROP COLUMN health_system_id;
DROP TRIGGER cases_count_open ON cases;
DROP FUNCTION cases_count_open();
DROP TABLE organization_open_cases;
DROP TABLE organization_capacities;
DROP TABLE partnerships;
ALTER TABLE organizations DROP CONSTRAINT organizations_service_areas_form, DROP COLUMN area_states;
DROP FUNCTION mlp_area_states(text[]);
