package geo

import (
	"errors"
	"slices"
	"testing"
)

func TestCountiesOfKnownZIPs(t *testing.T) {
	for _, tc := range []struct {
		zip  string
		want []string
	}{
		{"90012", []string{"06037"}},          // Los Angeles, downtown
		{"97201", []string{"41051"}},          // Portland: Multnomah
		{"21201", []string{"24510"}},          // Baltimore City
		{"95814", []string{"06067"}},          // Sacramento
		{"80202", []string{"08031"}},          // Denver
		{"91709", []string{"06037", "06071"}}, // Chino Hills: Los Angeles and San Bernardino
	} {
		t.Run(tc.zip, func(t *testing.T) {
			if got := CountiesOfZIP(tc.zip); !slices.Equal(got, tc.want) {
				t.Fatalf("CountiesOfZIP(%s) = %v, want %v", tc.zip, got, tc.want)
			}
		})
	}
}

func TestPlaceOf(t *testing.T) {
	t.Run("ZIPInState", func(t *testing.T) {
		p, err := PlaceOf("CA", "90012")
		if err != nil || p.ZIP != "90012" || !slices.Equal(p.Areas(), []string{"CA", "06037"}) {
			t.Fatalf("PlaceOf(CA, 90012) = %+v, %v", p, err)
		}
	})
	t.Run("NoZIPCoversTheStateAndEveryCounty", func(t *testing.T) {
		p, err := PlaceOf("OR", "")
		if err != nil {
			t.Fatal(err)
		}
		a := p.Areas()
		if a[0] != "OR" || len(a) != 37 || !slices.Contains(a, "41051") { // Oregon has 36 counties
			t.Fatalf("Areas = %d %v", len(a), a)
		}
	})
	t.Run("UnknownZIP", func(t *testing.T) {
		for _, z := range []string{"00000", "99999", "1234", "abcde"} {
			if _, err := PlaceOf("CA", z); !errors.Is(err, ErrZIPUnknown) {
				t.Fatalf("PlaceOf(CA, %q) err = %v, want ErrZIPUnknown", z, err)
			}
		}
	})
	t.Run("ZIPOfAnotherState", func(t *testing.T) {
		if _, err := PlaceOf("CA", "97201"); !errors.Is(err, ErrZIPOutsideState) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestTableIsWhole(t *testing.T) {
	d := data()
	if len(d.zips) < 39000 || len(d.counties) < 3200 {
		t.Fatalf("%d ZIP codes, %d counties", len(d.zips), len(d.counties))
	}
	for s := range stateFIPS {
		if len(d.byState[s]) == 0 {
			t.Errorf("no county of %s", s)
		}
	}
	if len(d.byState["CA"]) != 58 {
		t.Errorf("California has %d counties, want 58", len(d.byState["CA"]))
	}
}

func TestNormalizeArea(t *testing.T) {
	for in, want := range map[string]string{" or ": "OR", "06037": "06037", "24510": "24510"} {
		if got, ok := NormalizeArea(in); !ok || got != want {
			t.Errorf("NormalizeArea(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "XX", "06999", "6037", "Los Angeles"} {
		if _, ok := NormalizeArea(in); ok {
			t.Errorf("NormalizeArea(%q) accepted", in)
		}
	}
}

func TestParseRefusesDamage(t *testing.T) {
	for _, s := range []string{"C 06037 OR Los Angeles\n", "Z 90012 06037\n", "X\n"} {
		if _, err := parse(s); err == nil {
			t.Errorf("parse(%q) accepted", s)
		}
	}
}
