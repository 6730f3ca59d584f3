-- +goose Up
-- Things held at once across instances (a user's open websockets): a row per
-- lease, renewed while held, and forgotten once expires_at passes (an
-- instance that died without releasing).
CREATE TABLE rate_limit_leases (
    id         uuid PRIMARY KEY,
    bucket     text NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_leases_bucket_idx ON rate_limit_leases (bucket, expires_at);

-- +goose Down
DROP TABLE rate_limit_leases;
