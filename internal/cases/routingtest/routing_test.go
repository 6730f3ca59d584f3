package routingtest

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

const (
	requestDoc = `mutation($in: RequestLegalHelpInput!) { requestLegalHelp(input: $in) {
		id zipCode organization { id } timeline { edges { node { kind message } } } } }`
	referDoc = `mutation($in: ReferPatientInput!) { referPatient(input: $in) { id code } }`
	claimDoc = `mutation($in: ClaimReferralInput!) { claimReferral(input: $in) {
		id zipCode organization { id } timeline { edges { node { kind message } } } } }`
	withdrawDoc = `mutation($id: ID!) { withdrawCase(caseId: $id) { id status } }`
)

type caseJSON struct {
	ID           string
	ZipCode      *string
	Organization *struct{ ID uuid.UUID }
	Timeline     struct {
		Edges []struct {
			Node struct{ Kind, Message string }
		}
	}
}

func (c caseJSON) org() *uuid.UUID {
	if c.Organization == nil {
		return nil
	}
	return &c.Organization.ID
}

// intake is one request for help of the routing table.
type intake struct {
	state string
	zip   string
	cat   models.LegalCategory
	// own is the patient's own health system (chosen in the app); referrer,
	// when set, the health system of the clinician whose referral they claim.
	own, referrer *models.Organization
}

// open sends in as a new patient and returns the case; the patient then
// withdraws it, so that open-case counts stay as the world made them.
func open(t *testing.T, s *apptest.Server, in intake) caseJSON {
	t.Helper()
	patient, tok := s.User(t, models.RolePatient, nil)
	if in.own != nil {
		if err := s.DB.Model(patient).Update("health_system_id", in.own.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	var c caseJSON
	if in.referrer != nil {
		_, ctok := s.User(t, models.RoleClinician, in.referrer)
		var r struct{ ReferPatient struct{ Code string } }
		s.Do(t, ctok, referDoc, map[string]any{"in": map[string]any{
			"patientLabel": "R.", "categories": []string{string(in.cat)}, "jurisdiction": in.state}}).Decode(t, &r)
		claim := map[string]any{"code": r.ReferPatient.Code, "description": "Help, please.", "consentToShare": true, "shareStatusWithReferrer": false}
		if in.zip != "" {
			claim["zipCode"] = in.zip
		}
		var got struct{ ClaimReferral caseJSON }
		s.Do(t, tok, claimDoc, map[string]any{"in": claim}).Decode(t, &got)
		c = got.ClaimReferral
		var u models.User
		s.DB.Take(&u, "id = ?", patient.ID)
		if u.HealthSystemID == nil || *u.HealthSystemID != in.referrer.ID {
			t.Errorf("after the claim the patient's health system is %v, want the referrer's", u.HealthSystemID)
		}
	} else {
		req := map[string]any{"idempotencyKey": uuid.NewString(), "category": string(in.cat), "description": "Help, please.",
			"jurisdiction": in.state, "consentToShare": true}
		if in.zip != "" {
			req["zipCode"] = in.zip
		}
		var got struct{ RequestLegalHelp caseJSON }
		s.Do(t, tok, requestDoc, map[string]any{"in": req}).Decode(t, &got)
		c = got.RequestLegalHelp
	}
	s.Do(t, tok, withdrawDoc, map[string]any{"id": c.ID}).MustOK(t)
	return c
}

func TestRoutingTable(t *testing.T) {
	s := apptest.New(t)
	w := newWorld(t, s)
	for _, tc := range []struct {
		name string
		in   intake
		want string // the partner, by its world name
		note string // a phrase of the CREATED note
	}{
		// Self-intake without a health system: any partner, ties to the fewest open cases, then the oldest.
		{"SelfNoHealthSystemZIPTieGoesToOldest", intake{state: "CA", zip: zipLosAngeles, cat: housing}, "statewide", "We sent your request"},
		{"SelfNoHealthSystemZIPOnlyCountyPartnerTakesFood", intake{state: "CA", zip: zipLosAngeles, cat: food}, "laAid", ""},
		{"SelfNoHealthSystemNoZIPAnyCountyInState", intake{state: "CA", cat: education}, "norCalAid", ""},
		{"SelfNoHealthSystemZIPOutsideEveryCountyPartner", intake{state: "CA", zip: zipSF, cat: education}, "none", "none of our legal aid partners takes this kind of case in your area (ZIP 94102)"},
		{"SelfZIPInTwoCountiesMatchesEither", intake{state: "CA", zip: zipChinoHills, cat: food}, "laAid", ""},
		// Self-intake with a health system: its partner first, where the partnership covers the case.
		{"SelfHealthSystemPartnerFirst", intake{state: "CA", zip: zipLosAngeles, cat: housing, own: w.soCal}, "laAid", ""},
		{"SelfHealthSystemNoZIPPartnershipCountyInState", intake{state: "CA", cat: housing, own: w.soCal}, "laAid", ""},
		{"SelfHealthSystemCountyOutsidePartnership", intake{state: "CA", zip: zipSacramento, cat: housing, own: w.soCal}, "statewide", ""},
		{"SelfOtherHealthSystemCountyInsideItsPartnership", intake{state: "CA", zip: zipSacramento, cat: housing, own: w.norCal}, "norCalAid", ""},
		{"SelfHealthSystemCategoryOutsidePartnership", intake{state: "CA", zip: zipSacramento, cat: benefits, own: w.norCal}, "statewide", ""},
		{"SelfHealthSystemNobodyServes", intake{state: "CA", zip: zipSF, cat: education, own: w.soCal}, "none", "none of our legal aid partners"},
		// Claimed referrals: the referring clinician's health system's partner, whatever the patient's own.
		{"ReferralPartnerFirst", intake{state: "CA", zip: zipLosAngeles, cat: housing, referrer: w.soCal}, "laAid", ""},
		{"ReferralNoZIPPartnerFirst", intake{state: "CA", cat: housing, referrer: w.soCal}, "laAid", ""},
		{"ReferralHealthSystemBeatsPatientsOwn", intake{state: "CA", zip: zipLosAngeles, cat: housing, own: w.soCal, referrer: w.norCal}, "statewide", ""},
		{"ReferralCountyInsideItsPartnership", intake{state: "CA", zip: zipSacramento, cat: housing, referrer: w.norCal}, "norCalAid", ""},
		// Capacity: NOT_ACCEPTING is skipped (even the health system's partner), WAITLIST tells the wait.
		{"NotAcceptingSkippedWaitlistTaken", intake{state: "MD", zip: zipBaltimore, cat: housing}, "marylandAid", "expect to hear from them in about 30 days"},
		{"PartnerNotAcceptingSkipped", intake{state: "MD", zip: zipBaltimore, cat: housing, own: w.midAtlantic}, "marylandAid", "about 30 days"},
		{"AllFull", intake{state: "CO", cat: food}, "none", "cannot take new cases right now"},
		{"NoPartnerServes", intake{state: "CO", cat: housing}, "none", "none of our legal aid partners takes this kind of case in CO"},
		// Ties by the fewest open cases before age.
		{"TieFewestOpenCasesZIP", intake{state: "OR", zip: zipPortland, cat: housing}, "oregonTwo", ""},
		{"TieFewestOpenCasesNoZIP", intake{state: "OR", cat: housing}, "oregonTwo", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, s, tc.in)
			if got := w.name(c.org()); got != tc.want {
				t.Fatalf("routed to %s, want %s", got, tc.want)
			}
			created := c.Timeline.Edges[0].Node
			if created.Kind != "CREATED" || !strings.Contains(created.Message, tc.note) {
				t.Fatalf("CREATED note %q, want it to say %q", created.Message, tc.note)
			}
			if tc.want != "none" && !strings.Contains(created.Message, "We sent your request") {
				t.Fatalf("note %q does not name the partner", created.Message)
			}
			if (c.ZipCode == nil) != (tc.in.zip == "") {
				t.Fatalf("zipCode = %v, want %q", c.ZipCode, tc.in.zip)
			}
		})
	}
}

func TestZIPCodeInput(t *testing.T) {
	s := apptest.New(t)
	patient, tok := s.User(t, models.RolePatient, nil)
	for _, tc := range []struct{ name, state, zip string }{
		{"Unknown", "CA", "00000"},
		{"NotFiveDigits", "CA", "9001"},
		{"Letters", "CA", "9001a"},
		{"OutsideTheJurisdiction", "CA", zipPortland},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := map[string]any{"idempotencyKey": uuid.NewString(), "category": "HOUSING", "description": "Help.",
				"jurisdiction": tc.state, "consentToShare": true, "zipCode": tc.zip}
			r := s.Do(t, tok, requestDoc, map[string]any{"in": req}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != "input.zipCode" {
				t.Fatalf("field = %q", r.Field())
			}
		})
	}
	var n int64
	s.DB.Model(&models.Case{}).Where("patient_id = ?", patient.ID).Count(&n)
	if n != 0 {
		t.Fatalf("%d cases written", n)
	}
	t.Run("BlankIsNone", func(t *testing.T) {
		req := map[string]any{"idempotencyKey": uuid.NewString(), "category": "HOUSING", "description": "Help.",
			"jurisdiction": "CA", "consentToShare": true, "zipCode": "  "}
		var got struct{ RequestLegalHelp caseJSON }
		s.Do(t, tok, requestDoc, map[string]any{"in": req}).Decode(t, &got)
		if got.RequestLegalHelp.ZipCode != nil {
			t.Fatalf("zipCode = %q", *got.RequestLegalHelp.ZipCode)
		}
	})
}
