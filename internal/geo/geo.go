// Package geo answers where a patient is, for routing: the US county (its
// 5-digit FIPS code) of a ZIP code, the state of a county, and the service
// areas that name a place. The ZIP-to-county table is embedded
// (zipcounty.txt, written by cmd/zipcounties; its source, vintage and licence
// are in the README, "Service areas").
//
// A service area is a state's two-letter code ("OR") or a county's FIPS code
// ("06037"). A place (a case's location) is a state and, when the patient gave
// a ZIP code, the counties of that ZIP inside the state: most ZIP codes lie in
// one county, about a quarter reach into two or more, and the crosswalk does
// not say which holds most of their addresses, so a place may have several.
package geo

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed zipcounty.txt
var zipCountyData string

// County is a US county (or county equivalent: parish, borough, independent
// city, Puerto Rico municipio).
type County struct {
	FIPS  string // 5 digits: the state's 2 and the county's 3
	State string // two-letter code
	Name  string // as the source spells it, e.g. "Los Angeles"
}

type table struct {
	counties map[string]County
	byState  map[string][]string // county FIPS codes of each state, sorted
	zips     map[string][]string // county FIPS codes of each ZIP, sorted
}

var (
	loadOnce sync.Once
	loaded   *table
	loadErr  error
)

// data parses the embedded table on first use.
func data() *table {
	loadOnce.Do(func() { loaded, loadErr = parse(zipCountyData) })
	if loadErr != nil {
		panic("geo: embedded zipcounty.txt: " + loadErr.Error())
	}
	return loaded
}

// parse reads the format cmd/zipcounties writes.
func parse(s string) (*table, error) {
	t := &table{counties: map[string]County{}, byState: map[string][]string{}, zips: map[string][]string{}}
	sc := bufio.NewScanner(strings.NewReader(s))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, " ", 4)
		switch {
		case f[0] == "C" && len(f) == 4 && IsCountyCode(f[1]) && StateOfFIPS(f[1]) == f[2]:
			t.counties[f[1]] = County{FIPS: f[1], State: f[2], Name: f[3]}
			t.byState[f[2]] = append(t.byState[f[2]], f[1])
		case f[0] == "Z" && len(f) == 3 && isDigits(f[1], 5):
			cs := strings.Split(f[2], ",")
			for _, c := range cs {
				if _, ok := t.counties[c]; !ok {
					return nil, fmt.Errorf("line %d: ZIP %s names unknown county %q", n, f[1], c)
				}
			}
			t.zips[f[1]] = cs
		default:
			return nil, fmt.Errorf("line %d: cannot read %q", n, line)
		}
	}
	for _, cs := range t.byState {
		slices.Sort(cs)
	}
	return t, sc.Err()
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsCountyCode reports whether s has the shape of a county FIPS code of a
// state the partnership works in (5 digits, a known state prefix); use
// LookupCounty to know whether the county exists.
func IsCountyCode(s string) bool { return isDigits(s, 5) && StateOfFIPS(s) != "" }

// LookupCounty returns the county with FIPS code fips.
func LookupCounty(fips string) (County, bool) {
	c, ok := data().counties[fips]
	return c, ok
}

// CountiesOfZIP returns the FIPS codes of the counties ZIP code zip reaches,
// sorted; none for a ZIP the table does not know.
func CountiesOfZIP(zip string) []string { return slices.Clone(data().zips[zip]) }

// CountiesOfState returns the FIPS codes of the counties of a state, sorted.
func CountiesOfState(state string) []string { return slices.Clone(data().byState[state]) }

// Place is where a case is: its state, and the counties of the patient's ZIP
// code inside that state when they gave one.
type Place struct {
	State    string
	ZIP      string
	Counties []string
}

// ErrZIPUnknown and ErrZIPOutsideState are PlaceOf's refusals.
var (
	ErrZIPUnknown      = fmt.Errorf("unknown ZIP code")
	ErrZIPOutsideState = fmt.Errorf("ZIP code outside the state")
)

// PlaceOf returns the place of a case in state with ZIP code zip (empty when
// the patient gave none). Errors: ErrZIPUnknown for a ZIP the table does not
// know (or not 5 digits), ErrZIPOutsideState when none of its counties is in
// state.
func PlaceOf(state, zip string) (Place, error) {
	p := Place{State: state}
	if zip == "" {
		return p, nil
	}
	cs := data().zips[zip]
	if len(cs) == 0 {
		return p, ErrZIPUnknown
	}
	for _, c := range cs {
		if data().counties[c].State == state {
			p.Counties = append(p.Counties, c)
		}
	}
	if len(p.Counties) == 0 {
		return p, ErrZIPOutsideState
	}
	p.ZIP = zip
	return p, nil
}

// Areas returns the service areas that cover the place: a partner whose
// service areas share one of them serves it. With a ZIP code: the state and
// the ZIP's counties. Without: the state and every county of the state (a case
// without a ZIP matches a partner whose area includes the state or any county
// in it).
func (p Place) Areas() []string {
	cs := p.Counties
	if p.ZIP == "" {
		cs = data().byState[p.State]
	}
	out := make([]string, 0, len(cs)+1)
	return append(append(out, p.State), cs...)
}

// NormalizeArea returns a service area in canonical form (an upper-case state
// code, or a known county's FIPS code) and whether it is one.
func NormalizeArea(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if _, ok := stateFIPS[s]; ok {
		return s, true
	}
	if _, ok := LookupCounty(s); ok {
		return s, true
	}
	return "", false
}

// StateOfArea returns the state of a service area (itself for a state code).
func StateOfArea(area string) string {
	if _, ok := stateFIPS[area]; ok {
		return area
	}
	return StateOfFIPS(area)
}

// StateOfFIPS returns the two-letter code of the state whose FIPS code begins
// fips, or "" when it is not one of the 50 states, DC or Puerto Rico.
func StateOfFIPS(fips string) string {
	if len(fips) < 2 {
		return ""
	}
	return fipsState[fips[:2]]
}

// stateFIPS maps the 50 states, DC and Puerto Rico to their FIPS codes (ANSI
// INCITS 38).
var stateFIPS = map[string]string{
	"AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09",
	"DE": "10", "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17",
	"IN": "18", "IA": "19", "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24",
	"MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30", "NE": "31",
	"NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38",
	"OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46",
	"TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53", "WV": "54",
	"WI": "55", "WY": "56", "PR": "72",
}

var fipsState = func() map[string]string {
	m := make(map[string]string, len(stateFIPS))
	for s, f := range stateFIPS {
		m[f] = s
	}
	return m
}()

// ZIPsOfCounty returns the ZIP codes that reach county fips, sorted, those
// that lie in it alone first.
func ZIPsOfCounty(fips string) []string {
	var only, shared []string
	for z, cs := range data().zips {
		if slices.Contains(cs, fips) {
			if len(cs) == 1 {
				only = append(only, z)
			} else {
				shared = append(shared, z)
			}
		}
	}
	slices.Sort(only)
	slices.Sort(shared)
	return append(only, shared...)
}

// NormalizeAreas returns areas in canonical form, without repeats, in the
// order given; ok is false when one of them is neither a state code nor a
// known county's FIPS code.
func NormalizeAreas(areas []string) (out []string, ok bool) {
	out = make([]string, 0, len(areas))
	for _, a := range areas {
		n, ok := NormalizeArea(a)
		if !ok {
			return nil, false
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, true
}

// Covers reports whether the service areas outer include every area of
// inner: a state covers itself and its counties, a county itself.
func Covers(outer, inner []string) bool {
	for _, a := range inner {
		if !slices.Contains(outer, a) && !slices.Contains(outer, StateOfArea(a)) {
			return false
		}
	}
	return true
}
