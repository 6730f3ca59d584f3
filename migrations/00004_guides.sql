-- Know-your-rights guides and care-team training.
--
-- guides holds the editors' working copy of each (slug, locale), in any status;
-- guide_revisions the full text of every saved version; published_guides the
-- text readers see. Publishing copies the working copy into published_guides;
-- editing a published guide changes only the working copy (back to DRAFT, a new
-- version), so readers keep the last published text until the next publish.
-- Readers' queries and the full-text index touch published_guides only.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE guides (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug              text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$'),
    locale            text NOT NULL CHECK (length(locale) BETWEEN 2 AND 35),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary           text NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
    body              text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
    category          text NOT NULL CHECK (category IN (
        'HOUSING', 'PUBLIC_BENEFITS', 'EMPLOYMENT', 'EDUCATION', 'IMMIGRATION', 'FAMILY',
        'DISABILITY', 'MEDICAL_DEBT', 'UTILITIES', 'FOOD', 'OTHER')),
    audience          text NOT NULL DEFAULT 'PATIENTS' CHECK (audience IN ('PATIENTS', 'CLINICIANS')),
    jurisdictions     text[] NOT NULL CHECK (cardinality(jurisdictions) > 0),
    reading_grade     double precision NOT NULL,
    status            text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'IN_REVIEW', 'PUBLISHED', 'ARCHIVED')),
    version           integer NOT NULL DEFAULT 1 CHECK (version > 0),
    published_version integer CHECK (published_version BETWEEN 1 AND version),
    published_at      timestamptz,
    author_id         uuid NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT guides_slug_locale_key UNIQUE (slug, locale)
);
CREATE INDEX guides_updated_idx ON guides (updated_at DESC, id DESC);
CREATE INDEX guides_status_updated_idx ON guides (status, updated_at DESC, id DESC);
CREATE INDEX guides_author_id_idx ON guides (author_id);

CREATE TABLE guide_revisions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    guide_id      uuid NOT NULL REFERENCES guides (id),
    version       integer NOT NULL CHECK (version > 0),
    title         text NOT NULL,
    summary       text NOT NULL,
    body          text NOT NULL,
    category      text NOT NULL,
    audience      text NOT NULL,
    jurisdictions text[] NOT NULL,
    reading_grade double precision NOT NULL,
    editor_id     uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT guide_revisions_guide_version_key UNIQUE (guide_id, version)
);
CREATE INDEX guide_revisions_editor_id_idx ON guide_revisions (editor_id);

-- What readers see. The search vector is generated from the published text in
-- the guide's language (english for en, spanish for es, simple otherwise):
-- title weight A, summary B, body C. The CASE over regconfig literals keeps the
-- expression IMMUTABLE, as generated columns require.
CREATE TABLE published_guides (
    guide_id      uuid PRIMARY KEY REFERENCES guides (id),
    slug          text NOT NULL,
    locale        text NOT NULL,
    title         text NOT NULL,
    summary       text NOT NULL,
    body          text NOT NULL,
    category      text NOT NULL,
    audience      text NOT NULL,
    jurisdictions text[] NOT NULL,
    reading_grade double precision NOT NULL,
    version       integer NOT NULL,
    author_id     uuid NOT NULL REFERENCES users (id),
    published_at  timestamptz NOT NULL,
    search        tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(CASE split_part(locale, '-', 1)
            WHEN 'en' THEN 'english'::regconfig WHEN 'es' THEN 'spanish'::regconfig ELSE 'simple'::regconfig END, title), 'A') ||
        setweight(to_tsvector(CASE split_part(locale, '-', 1)
            WHEN 'en' THEN 'english'::regconfig WHEN 'es' THEN 'spanish'::regconfig ELSE 'simple'::regconfig END, summary), 'B') ||
        setweight(to_tsvector(CASE split_part(locale, '-', 1)
            WHEN 'en' THEN 'english'::regconfig WHEN 'es' THEN 'spanish'::regconfig ELSE 'simple'::regconfig END, body), 'C')
    ) STORED,
    CONSTRAINT published_guides_slug_locale_key UNIQUE (slug, locale)
);
-- Ranking reads the search vector of every matching row: keep it in the row
-- (no TOAST fetch per row) by toasting only rows over 8 kB, and then the body
-- before the vector. This cuts a ranked search over a thousand matches by a
-- factor of three to five.
ALTER TABLE published_guides SET (toast_tuple_target = 8160);
ALTER TABLE published_guides ALTER COLUMN search SET STORAGE MAIN;
CREATE INDEX published_guides_search_idx ON published_guides USING gin (search);
CREATE INDEX published_guides_title_trgm_idx ON published_guides USING gin (title gin_trgm_ops);
CREATE INDEX published_guides_jurisdictions_idx ON published_guides USING gin (jurisdictions);
CREATE INDEX published_guides_newest_idx ON published_guides (audience, published_at DESC, guide_id DESC);
CREATE INDEX published_guides_category_idx ON published_guides (category, audience);

-- +goose Down
DROP TABLE published_guides;
DROP TABLE guide_revisions;
DROP TABLE guides;
