-- +goose Up

-- Password reset: one row per requestPasswordReset of an enabled account.
-- The link's token is HMAC-SHA256(key, nonce) under a key derived from
-- JWT_SECRET, so this table alone cannot give a working link: it holds the
-- nonce (for the email worker to mint the link again) and the SHA-256 of the
-- token (to find the row when the link is used). A token works once
-- (used_at) and for 30 minutes (expires_at).
CREATE TABLE password_reset_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nonce       bytea NOT NULL CHECK (length(nonce) = 32),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id) WHERE used_at IS NULL;
CREATE INDEX password_reset_tokens_expires_idx ON password_reset_tokens (expires_at);

-- +goose Down
DROP TABLE password_reset_tokens;
