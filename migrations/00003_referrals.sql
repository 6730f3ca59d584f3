-- +goose Up

-- referral_screening_ok checks the shape of a referral's I-HELP screening: an
-- array of {domain, positive, note?} objects, each domain at most once.
-- +goose StatementBegin
CREATE FUNCTION referral_screening_ok(s jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT jsonb_typeof(s) = 'array'
       AND jsonb_array_length(s) <= 5
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_array_elements(s) AS a(v)
           WHERE jsonb_typeof(a.v) <> 'object'
              OR NOT (a.v->>'domain' = ANY (ARRAY['INCOME', 'HOUSING_AND_UTILITIES', 'EDUCATION_AND_EMPLOYMENT',
                                                  'LEGAL_STATUS', 'PERSONAL_AND_FAMILY_STABILITY']))
              OR jsonb_typeof(a.v->'positive') IS DISTINCT FROM 'boolean'
              OR length(a.v->>'note') > 500)
       AND (SELECT count(DISTINCT a.v->>'domain') FROM jsonb_array_elements(s) AS a(v)) = jsonb_array_length(s)
$$;
-- +goose StatementEnd

-- A clinician's referral of a patient to the legal partner. The one-time code
-- is never stored: code_hash is the HMAC-SHA256 of the normalised code under
-- the server's referral-code key, code_hint its last four characters (shown
-- masked to the clinician). EXPIRED is not stored: a SENT referral whose
-- expires_at has passed reads as EXPIRED and cannot be claimed.
CREATE TABLE referrals (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code_hash               bytea NOT NULL CHECK (length(code_hash) = 32),
    code_hint               text NOT NULL CHECK (code_hint ~ '^[2-9A-HJKMNP-Z]{4}$'),
    status                  text NOT NULL DEFAULT 'SENT' CHECK (status IN ('SENT', 'CLAIMED', 'CLOSED', 'CANCELLED')),
    clinician_id            uuid NOT NULL REFERENCES users (id),
    organization_id         uuid REFERENCES organizations (id),
    patient_label           text NOT NULL CHECK (length(patient_label) BETWEEN 1 AND 60),
    categories              text[] NOT NULL CHECK (cardinality(categories) >= 1 AND categories <@ ARRAY[
        'HOUSING', 'PUBLIC_BENEFITS', 'EMPLOYMENT', 'EDUCATION', 'IMMIGRATION', 'FAMILY',
        'DISABILITY', 'MEDICAL_DEBT', 'UTILITIES', 'FOOD', 'OTHER']::text[]),
    screening               jsonb NOT NULL DEFAULT '[]' CHECK (referral_screening_ok(screening)),
    notes                   text CHECK (length(notes) BETWEEN 1 AND 2000),
    jurisdiction            text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    deadline                date,
    recommended_guide_slugs text[] NOT NULL DEFAULT '{}' CHECK (cardinality(recommended_guide_slugs) <= 10),
    claimed_by              uuid REFERENCES users (id),
    claimed_at              timestamptz,
    closed_at               timestamptz,
    cancelled_at            timestamptz,
    expires_at              timestamptz NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT referrals_code_hash_key UNIQUE (code_hash),
    CONSTRAINT referrals_expires_after_created CHECK (expires_at > created_at),
    -- The stored status and its timestamps agree.
    CONSTRAINT referrals_status_fields CHECK (
        (status = 'SENT'      AND claimed_by IS NULL     AND claimed_at IS NULL     AND closed_at IS NULL     AND cancelled_at IS NULL) OR
        (status = 'CLAIMED'   AND claimed_by IS NOT NULL AND claimed_at IS NOT NULL AND closed_at IS NULL     AND cancelled_at IS NULL) OR
        (status = 'CLOSED'    AND claimed_by IS NOT NULL AND claimed_at IS NOT NULL AND closed_at IS NOT NULL AND cancelled_at IS NULL) OR
        (status = 'CANCELLED' AND claimed_by IS NULL     AND claimed_at IS NULL     AND closed_at IS NULL     AND cancelled_at IS NOT NULL))
);
-- myReferrals: a clinician's referrals, newest first.
CREATE INDEX referrals_clinician_created_idx ON referrals (clinician_id, created_at DESC, id DESC);
CREATE INDEX referrals_claimed_by_idx ON referrals (claimed_by) WHERE claimed_by IS NOT NULL;

-- The case a claimed referral opened; at most one case per referral.
ALTER TABLE cases ADD COLUMN referral_id uuid REFERENCES referrals (id);
ALTER TABLE cases ADD CONSTRAINT cases_referral_id_key UNIQUE (referral_id);

-- What a user is told about: for now the REFERRAL_CLAIMED and REFERRAL_CLOSED
-- rows of referring clinicians. Titles and bodies carry no health information
-- beyond the clinician's own patient label.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id),
    kind        text NOT NULL CHECK (kind ~ '^[A-Z][A-Z_]{0,49}$'),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
    case_id     uuid REFERENCES cases (id),
    referral_id uuid REFERENCES referrals (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
-- myNotifications: a user's notifications, newest first (all, or unread only).
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC, id DESC) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
ALTER TABLE cases DROP COLUMN referral_id;
DROP TABLE referrals;
DROP FUNCTION referral_screening_ok(jsonb);
