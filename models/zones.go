package models

import (
	"strings"
	"time"
	_ "time/tzdata" // the states' time zones, also where the system has none
)

// StateLocation is the main time zone of a state (the one most of its
// people live in; Eastern time for an unknown code): the clock of a case's
// deadline reminders, and of a patient's safe hours unless they chose a time
// zone of their own.
func StateLocation(state string) *time.Location {
	name, ok := stateZones[state]
	if !ok {
		name = "America/New_York"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

var stateZones = map[string]string{
	"AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago",
	"CA": "America/Los_Angeles", "CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York",
	"DC": "America/New_York", "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
	"ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
	"KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
	"MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
	"MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago",
	"NV": "America/Los_Angeles", "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
	"NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
	"OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "PR": "America/Puerto_Rico",
	"RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago",
	"TX": "America/Chicago", "UT": "America/Denver", "VT": "America/New_York", "VA": "America/New_York",
	"WA": "America/Los_Angeles", "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
	"US": "America/New_York",
}

// UserLocation is a user's time zone: the IANA zone they chose (tz), else
// the main time zone of state (their latest case's; Eastern time without
// one). It is the clock of their safe hours.
func UserLocation(tz *string, state string) *time.Location {
	if tz != nil {
		if loc, err := time.LoadLocation(*tz); err == nil {
			return loc
		}
	}
	return StateLocation(state)
}

// ValidateTimeZone checks an IANA time zone name given under field
// ("America/Chicago", "UTC"); "Local" and file paths are refused.
// Errors: BAD_USER_INPUT (field).
func ValidateTimeZone(field, tz string) error {
	if tz == "" || len(tz) > 64 || tz == "Local" || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") {
		return InvalidField(field, "Choose a time zone such as America/Chicago.")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return InvalidField(field, "Choose a time zone such as America/Chicago.")
	}
	return nil
}
