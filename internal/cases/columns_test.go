package cases_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"mlp/internal/cases"
	"mlp/models"
)

// TestEventColumnsCoverTheModel keeps the hand-written scan of timelines in
// step with models.CaseEvent: the same columns, in field order.
func TestEventColumnsCoverTheModel(t *testing.T) {
	t.Parallel()
	s, err := schema.Parse(&models.CaseEvent{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range s.Fields {
		if f.DBName != "" {
			want = append(want, f.DBName)
		}
	}
	var got []string
	for _, c := range strings.Split(cases.EventColumns, ",") {
		got = append(got, strings.TrimPrefix(strings.TrimSpace(c), "e."))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("eventColumns = %v, model columns = %v", got, want)
	}
}
