-- +goose Up

-- The ADMIN support lists (accounts.Users, cases.Cases) page newest first on
-- a (created_at, id) keyset, and users' search is a substring match
-- (ILIKE '%...%') of email and display name: trigram indexes serve it.
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);
CREATE INDEX cases_created_id_idx ON cases (created_at DESC, id DESC);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
CREATE INDEX users_display_name_trgm_idx ON users USING gin (display_name gin_trgm_ops);

-- +goose Down
DROP INDEX users_display_name_trgm_idx;
DROP INDEX users_email_trgm_idx;
DROP INDEX cases_created_id_idx;
DROP INDEX users_created_idx;
