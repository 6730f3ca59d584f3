-- Consents in one place (internal/cases/consents.go): a patient may grant a
-- consent again after revoking it (grantConsent), and a consent stands at
-- most once per patient, scope and case, so that two grants at the same
-- moment write one row (the insert's ON CONFLICT names this index).

-- +goose Up
-- Standing duplicates, if any were ever written, keep the newest.
UPDATE consents k SET revoked_at = k.granted_at
WHERE k.revoked_at IS NULL AND k.case_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM consents n
    WHERE n.patient_id = k.patient_id AND n.scope = k.scope AND n.case_id = k.case_id
      AND n.revoked_at IS NULL AND (n.granted_at, n.id) > (k.granted_at, k.id));
CREATE UNIQUE INDEX consents_standing_key ON consents (patient_id, scope, case_id)
    WHERE revoked_at IS NULL AND case_id IS NOT NULL;

-- +goose Down
DROP INDEX consents_standing_key;
