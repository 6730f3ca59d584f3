-- +goose Up
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE organizations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind          text NOT NULL CHECK (kind IN ('HEALTH_SYSTEM', 'LEGAL_AID')),
    service_areas text[] NOT NULL DEFAULT '{}',
    categories    text[] NOT NULL DEFAULT '{}' CHECK (categories <@ ARRAY[
        'HOUSING', 'PUBLIC_BENEFITS', 'EMPLOYMENT', 'EDUCATION', 'IMMIGRATION', 'FAMILY',
        'DISABILITY', 'MEDICAL_DEBT', 'UTILITIES', 'FOOD', 'OTHER']::text[]),
    phone         text,
    website       text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));
CREATE INDEX organizations_service_areas_idx ON organizations USING gin (service_areas);

CREATE TABLE users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL CHECK (email = lower(btrim(email))),
    password_hash      text NOT NULL,
    display_name       text NOT NULL,
    role               text NOT NULL CHECK (role IN ('PATIENT', 'CLINICIAN', 'ADVOCATE', 'EDITOR', 'ADMIN')),
    preferred_language text NOT NULL DEFAULT 'en',
    organization_id    uuid REFERENCES organizations (id),
    disabled_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_org_for_staff CHECK (role NOT IN ('CLINICIAN', 'ADVOCATE', 'EDITOR') OR organization_id IS NOT NULL)
);
CREATE INDEX users_organization_id_idx ON users (organization_id);

-- A session is the family of refresh tokens that one login started.
CREATE TABLE sessions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id uuid NOT NULL REFERENCES sessions (id),
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

CREATE TABLE rate_limit_events (
    id     bigserial PRIMARY KEY,
    bucket text NOT NULL,
    at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_limit_events_bucket_at_idx ON rate_limit_events (bucket, at);

CREATE TABLE audit_entries (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_id    uuid REFERENCES users (id),
    actor_role  text CHECK (actor_role IN ('PATIENT', 'CLINICIAN', 'ADVOCATE', 'EDITOR', 'ADMIN')),
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   uuid,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_entries_at_idx ON audit_entries (at DESC, id DESC);
CREATE INDEX audit_entries_entity_idx ON audit_entries (entity_type, entity_id, at DESC);
CREATE INDEX audit_entries_actor_idx ON audit_entries (actor_id, at DESC);

-- The audit log is append-only for everyone, the application's role included.
-- +goose StatementBegin
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();

-- +goose Down
DROP TABLE audit_entries;
DROP FUNCTION audit_entries_append_only();
DROP TABLE rate_limit_events;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organizations;
