-- +goose Up

-- A push token of one app install. The token itself is kept (push providers
-- need it) but never logged or returned; token_hash (SHA-256 of the token) is
-- the unique key, since a btree index cannot hold tokens of up to 4096 bytes.
-- session_id is the login that registered it: logout drops the session's
-- devices, so a signed-out phone stops receiving the user's pushes.
CREATE TABLE devices (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id),
    session_id   uuid REFERENCES sessions (id) ON DELETE SET NULL,
    platform     text NOT NULL CHECK (platform IN ('IOS', 'ANDROID')),
    token        text NOT NULL CHECK (length(token) BETWEEN 8 AND 4096),
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT devices_token_hash_key UNIQUE (token_hash)
);
-- The cap per user drops the least recently seen device.
CREATE INDEX devices_user_seen_idx ON devices (user_id, last_seen_at DESC, id DESC);
CREATE INDEX devices_session_idx ON devices (session_id) WHERE session_id IS NOT NULL;

-- Live updates (subscriptions) across server instances: every insert of a
-- case event or a notification, a revoked session and a disabled user send a
-- NOTIFY in the inserting transaction, so listeners hear of it exactly when it
-- commits and never of a rolled-back row. Payloads carry ids only, never text:
--   mlp_case_event     '<case id>:<event id>'
--   mlp_notification   '<user id>:<notification id>'
--   mlp_session_ended  '<session id>'
--   mlp_user_disabled  '<user id>'
-- A trigger rather than a call in each service, so that no code path that
-- writes these rows (services, seed, load generator) can forget it.

-- +goose StatementBegin
CREATE FUNCTION notify_case_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mlp_case_event', NEW.case_id::text || ':' || NEW.id::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER case_events_notify AFTER INSERT ON case_events
    FOR EACH ROW EXECUTE FUNCTION notify_case_event();

-- +goose StatementBegin
CREATE FUNCTION notify_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mlp_notification', NEW.user_id::text || ':' || NEW.id::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER notifications_notify AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notify_notification();

-- +goose StatementBegin
CREATE FUNCTION notify_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mlp_session_ended', NEW.id::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER sessions_notify_revoked AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION notify_session_ended();

-- +goose StatementBegin
CREATE FUNCTION notify_user_disabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mlp_user_disabled', NEW.id::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER users_notify_disabled AFTER UPDATE OF disabled_at ON users
    FOR EACH ROW WHEN (OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL)
    EXECUTE FUNCTION notify_user_disabled();

-- +goose Down
DROP TRIGGER users_notify_disabled ON users;
DROP FUNCTION notify_user_disabled();
DROP TRIGGER sessions_notify_revoked ON sessions;
DROP FUNCTION notify_session_ended();
DROP TRIGGER notifications_notify ON notifications;
DROP FUNCTION notify_notification();
DROP TRIGGER case_events_notify ON case_events;
DROP FUNCTION notify_case_event();
DROP TABLE devices;
