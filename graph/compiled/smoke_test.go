package compiled_test

import (
	"testing"
)

func TestSmoke(t *testing.T) {
	w := newWorld(t)
	q := `query { myCases(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id reference status fhirTaskStatus urgent deadline createdAt organization { id name phone serviceAreas } assignedAdvocate { id displayName organization { name } } outcome { code benefitAmountCents notes recordedAt } timeline(first: 2) { totalCount edges { cursor node { id kind fromStatus toStatus message actorRole visibleToPatient createdAt } } pageInfo { hasNextPage endCursor } } } } } }`
	for _, tok := range []string{w.patientA, w.patientB} {
		a, b := w.both(t, tok, q, nil)
		if a != b {
			t.Fatalf("differ:\ncompiled %s\nresolver %s\n%s", a, b, w.off.LogText())
		}
		t.Log(a)
	}
	c, h := w.on.App.Planner.Stats()
	t.Logf("compiled %d handed %d", c, h)
}
