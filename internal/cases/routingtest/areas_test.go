package routingtest

import (
	"slices"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/geo"
	"mlp/models"
)

// TestAreaStatesAgreeWithGeo checks that the migration's mlp_area_states maps
// a county of every state to that state, as internal/geo does.
func TestAreaStatesAgreeWithGeo(t *testing.T) {
	s := apptest.New(t)
	for st := range models.USJurisdictions {
		cs := geo.CountiesOfState(st)
		var got []string
		if err := s.DB.Raw(`SELECT unnest(mlp_area_states(?::text[]))`, "{"+cs[0]+","+cs[len(cs)-1]+"}").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{st}) {
			t.Errorf("mlp_area_states(%s, %s) = %v, want [%s]", cs[0], cs[len(cs)-1], got, st)
		}
	}
}
