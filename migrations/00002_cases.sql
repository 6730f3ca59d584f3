-- +goose Up

-- One row per year: the last case reference number handed out that year. The
-- creating transaction bumps it with INSERT ... ON CONFLICT DO UPDATE ...
-- RETURNING, which holds the row lock until commit, so numbers never collide
-- and a rolled-back creation leaves no gap.
CREATE TABLE case_reference_counters (
    year       int PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last_value int NOT NULL CHECK (last_value BETWEEN 1 AND 999999)
);

CREATE TABLE cases (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    reference            text NOT NULL CHECK (reference ~ '^MLP-[0-9]{4}-[0-9]{6}$'),
    patient_id           uuid NOT NULL REFERENCES users (id),
    idempotency_key      text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    category             text NOT NULL CHECK (category IN (
        'HOUSING', 'PUBLIC_BENEFITS', 'EMPLOYMENT', 'EDUCATION', 'IMMIGRATION', 'FAMILY',
        'DISABILITY', 'MEDICAL_DEBT', 'UTILITIES', 'FOOD', 'OTHER')),
    description          text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
    status               text NOT NULL DEFAULT 'SUBMITTED' CHECK (status IN (
        'SUBMITTED', 'RECEIVED', 'ACCEPTED', 'IN_PROGRESS', 'WAITING_ON_PATIENT',
        'RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN')),
    jurisdiction         text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    deadline             date,
    preferred_contact    text CHECK (preferred_contact IN ('APP', 'PHONE', 'SMS', 'EMAIL')),
    household_size       int CHECK (household_size BETWEEN 1 AND 20),
    monthly_income_cents bigint CHECK (monthly_income_cents >= 0),
    organization_id      uuid REFERENCES organizations (id),
    assigned_advocate_id uuid REFERENCES users (id),
    version              int NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cases_reference_key UNIQUE (reference),
    -- A retried submission finds the first case through this index.
    CONSTRAINT cases_patient_idempotency_key UNIQUE (patient_id, idempotency_key),
    CONSTRAINT cases_assignee_needs_org CHECK (assigned_advocate_id IS NULL OR organization_id IS NOT NULL)
);
-- myCases: a patient's cases, newest first.
CREATE INDEX cases_patient_created_idx ON cases (patient_id, created_at DESC, id DESC);
-- caseQueue and routing's open-case count: an organization's open cases in
-- queue order (earliest deadline first, which puts urgent ones first, then oldest).
CREATE INDEX cases_open_queue_idx ON cases (organization_id, deadline, created_at, id)
    WHERE status NOT IN ('RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN');
CREATE INDEX cases_assigned_advocate_idx ON cases (assigned_advocate_id) WHERE assigned_advocate_id IS NOT NULL;

CREATE TABLE case_events (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id            uuid NOT NULL REFERENCES cases (id),
    kind               text NOT NULL CHECK (kind IN ('CREATED', 'STATUS_CHANGED', 'ASSIGNED', 'MESSAGE', 'OUTCOME_RECORDED')),
    from_status        text CHECK (from_status IN (
        'SUBMITTED', 'RECEIVED', 'ACCEPTED', 'IN_PROGRESS', 'WAITING_ON_PATIENT',
        'RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN')),
    to_status          text CHECK (to_status IN (
        'SUBMITTED', 'RECEIVED', 'ACCEPTED', 'IN_PROGRESS', 'WAITING_ON_PATIENT',
        'RESOLVED', 'UNRESOLVED', 'DECLINED', 'WITHDRAWN')),
    message            text CHECK (length(message) <= 5000),
    actor_id           uuid REFERENCES users (id),
    actor_role         text CHECK (actor_role IN ('PATIENT', 'CLINICIAN', 'ADVOCATE', 'EDITOR', 'ADMIN')),
    visible_to_patient boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT case_events_status_change CHECK (kind <> 'STATUS_CHANGED' OR (from_status IS NOT NULL AND to_status IS NOT NULL))
);
-- timeline: a case's events oldest first (ids are time-ordered UUIDv7).
CREATE INDEX case_events_case_idx ON case_events (case_id, created_at, id);

CREATE TABLE case_outcomes (
    case_id              uuid PRIMARY KEY REFERENCES cases (id),
    code                 text NOT NULL CHECK (code IN (
        'EVICTION_PREVENTED', 'HOUSING_CONDITIONS_IMPROVED', 'BENEFITS_OBTAINED', 'BENEFITS_INCREASED',
        'DEBT_RELIEVED', 'EMPLOYMENT_ISSUE_RESOLVED', 'EDUCATION_SERVICES_OBTAINED',
        'ADVICE_AND_COUNSEL', 'REFERRED_ELSEWHERE', 'OTHER')),
    benefit_amount_cents bigint CHECK (benefit_amount_cents >= 0),
    notes                text CHECK (length(notes) <= 5000),
    recorded_by_id       uuid REFERENCES users (id),
    recorded_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consents (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    patient_id   uuid NOT NULL REFERENCES users (id),
    scope        text NOT NULL CHECK (scope IN ('SHARE_WITH_LEGAL_PARTNER', 'SHARE_STATUS_WITH_REFERRER')),
    text_version text NOT NULL CHECK (length(text_version) BETWEEN 1 AND 100),
    case_id      uuid REFERENCES cases (id),
    granted_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CONSTRAINT consents_revoked_after_granted CHECK (revoked_at IS NULL OR revoked_at >= granted_at)
);
CREATE INDEX consents_patient_idx ON consents (patient_id, granted_at DESC, id DESC);
CREATE INDEX consents_case_scope_idx ON consents (case_id, scope) WHERE case_id IS NOT NULL;

-- +goose Down
DROP TABLE consents;
DROP TABLE case_outcomes;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE case_reference_counters;
