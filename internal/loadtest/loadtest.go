// Package loadtest defines the operation the cases issue's load target is
// measured with, and its data set, once: cmd/loadgen sends it under load and
// graph's BenchmarkLoadQueryWithoutDatabase serves it from memory.
package loadtest

// The data set cmd/loadgen seeds: one legal-aid partner, Patients patients,
// each with CasesPerPatient cases of EventsPerCase timeline events.
const (
	Patients        = 200
	CasesPerPatient = 50
	EventsPerCase   = 5
)

// Query is the measured operation: a patient's 50 newest cases, each with its
// organization and first 10 timeline events.
const Query = `query Load { myCases(first: 50) { edges { node { id reference status category urgent
  organization { id name }
  timeline(first: 10) { edges { node { id kind toStatus message createdAt } } } } } } }`

// SQL answers Query's data in one statement: a patient's 50 newest cases, each
// with its organization and first 10 events a patient may see, as rows.
const SQL = `SELECT c.id, c.reference, c.status, c.category, o.id, o.name,
       e.id, e.kind, e.to_status, e.message, e.created_at
FROM (SELECT * FROM cases WHERE patient_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50) c
LEFT JOIN organizations o ON o.id = c.organization_id
LEFT JOIN LATERAL (SELECT * FROM case_events e WHERE e.case_id = c.id AND e.visible_to_patient
                   ORDER BY e.created_at, e.id LIMIT 10) e ON true
ORDER BY c.created_at DESC, c.id DESC, e.created_at, e.id`
