-- +goose Up

-- A case's pending deadline reminders are dropped when its deadline changes
-- or it closes (outbox.CancelScheduled, kind 'deadline_reminder', field
-- 'case_id'). Without an index of their own that statement read every
-- reminder job in River's table (its GIN index on args is not chosen for
-- args ->> 'case_id' = ...); the statement names kind and field as literals
-- so that this partial index serves it in a generic plan too.
CREATE INDEX river_job_deadline_reminder_case_idx ON river_job ((args ->> 'case_id'))
    WHERE kind = 'deadline_reminder';

-- +goose Down
DROP INDEX river_job_deadline_reminder_case_idx;
