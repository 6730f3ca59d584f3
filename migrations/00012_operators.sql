-- +goose Up

-- referPatient's idempotency key: a clinician's retry of the same referral
-- (a lost answer on a flaky network) returns the first referral and its code
-- instead of creating another. Keys are the clinician's own.
ALTER TABLE referrals ADD COLUMN idempotency_key text
    CHECK (length(idempotency_key) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX referrals_clinician_idempotency_key ON referrals (clinician_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX referrals_clinician_idempotency_key;
ALTER TABLE referrals DROP COLUMN idempotency_key;
