-- +goose Up

-- setCaseDeadline: an advocate records, moves or clears a case's court date;
-- the timeline tells the patient (DEADLINE_CHANGED).
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check,
    ADD CONSTRAINT case_events_kind_check CHECK (kind IN (
        'CREATED', 'STATUS_CHANGED', 'ASSIGNED', 'MESSAGE', 'OUTCOME_RECORDED', 'ROUTED', 'TRANSFERRED',
        'DEADLINE_CHANGED'));

-- The patient's own time zone (an IANA name, checked by the application),
-- the clock of their safe hours; NULL means the main time zone of the state
-- of their latest case.
ALTER TABLE users ADD COLUMN time_zone text CHECK (length(time_zone) BETWEEN 1 AND 64);

-- +goose Down
ALTER TABLE users DROP COLUMN time_zone;
DELETE FROM case_events WHERE kind = 'DEADLINE_CHANGED';
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check,
    ADD CONSTRAINT case_events_kind_check CHECK (kind IN (
        'CREATED', 'STATUS_CHANGED', 'ASSIGNED', 'MESSAGE', 'OUTCOME_RECORDED', 'ROUTED', 'TRANSFERRED'));
