package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

// The default document limits (graph.DefaultLimits), tested at their edges:
// just under is served, just over is refused with BAD_USER_INPUT.
const (
	maxTokens  = 5000
	maxFields  = 1000
	maxDepth   = 10
	maxAliases = 50
	maxErrors  = 20
)

func repeat(s string, n int) string { return strings.TrimSpace(strings.Repeat(s+" ", n)) }

// mustRefuse wants the document refused before it runs, with BAD_USER_INPUT
// and a message holding want.
func mustRefuse(t *testing.T, r *apptest.Response, want string) {
	t.Helper()
	r.MustCode(t, "BAD_USER_INPUT")
	if !strings.Contains(r.Errors[0].Message, want) || (r.Data != nil && string(r.Data) != "null") {
		t.Fatalf("want a refusal saying %q, got %s", want, r.Raw)
	}
}

func TestDocumentLimits(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	_, patient := s.User(t, models.RolePatient, nil)

	t.Run("Tokens", func(t *testing.T) {
		// { myCases ( status : [ ...k ] ) { totalCount } }: 12 tokens + k.
		doc := func(k int) string {
			return "{ myCases(status: [" + repeat("SUBMITTED", k) + "]) { totalCount } }"
		}
		s.Do(t, patient, doc(maxTokens-12), nil).MustOK(t)
		mustRefuse(t, s.Do(t, patient, doc(maxTokens-11), nil), "token limit")
	})
	t.Run("FieldsAfterFragmentExpansion", func(t *testing.T) {
		s.Do(t, "", "{ "+repeat("__typename", maxFields)+" }", nil).MustOK(t)
		mustRefuse(t, s.Do(t, "", "{ "+repeat("__typename", maxFields+1)+" }", nil), "too many fields")
		// Fragments: F0 selects 1 field and each Fk spreads F(k-1) twice,
		// 2^k fields. 512 + 488 = 1000 is served, one more is not.
		frags := "fragment F0 on Query { __typename }"
		for k := 1; k <= 9; k++ {
			frags += fmt.Sprintf(" fragment F%d on Query { ...F%d ...F%d }", k, k-1, k-1)
		}
		s.Do(t, "", "{ ...F9 "+repeat("__typename", maxFields-512)+" } "+frags, nil).MustOK(t)
		mustRefuse(t, s.Do(t, "", "{ ...F9 "+repeat("__typename", maxFields-511)+" } "+frags, nil), "too many fields")
	})
	t.Run("Depth", func(t *testing.T) {
		// myCases edges node (referral case)x3 id: 10 levels.
		doc := func(extra string) string {
			return "{ myCases { edges { node { referral { case { referral { case { referral { case { id " + extra + " } } } } } } } } } }"
		}
		s.Do(t, patient, doc(""), nil).MustOK(t)
		mustRefuse(t, s.Do(t, patient, doc("referral { id }"), nil), "too deeply")
	})
	t.Run("Aliases", func(t *testing.T) {
		doc := func(n int) string {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "a%d: __typename ", i)
			}
			return "{ " + b.String() + "}"
		}
		s.Do(t, "", doc(maxAliases), nil).MustOK(t)
		mustRefuse(t, s.Do(t, "", doc(maxAliases+1), nil), "too many aliases")
	})
	t.Run("OneSignInPerDocument", func(t *testing.T) {
		const login = `login(email: "nobody@example.test", password: "not the right password") { accessToken }`
		s.Do(t, "", "mutation { "+login+" }", nil).MustCode(t, "UNAUTHENTICATED")
		for name, doc := range map[string]string{
			"TwoAliasedLogins": "mutation { a: " + login + " b: " + login + " }",
			"LoginAndRegister": "mutation { " + login + ` register(input: {email: "x@example.test", password: "long enough password", displayName: "X"}) { accessToken } }`,
			"ThroughFragments": "mutation { ...L a: " + login + " } fragment L on Mutation { " + login + " }",
			"TwoOperations":    "mutation A { " + login + " } mutation B { " + login + " }",
		} {
			t.Run(name, func(t *testing.T) {
				mustRefuse(t, s.Do(t, "", doc, nil), "at most one of login")
			})
		}
	})
	t.Run("ErrorsAreCapped", func(t *testing.T) {
		doc := func(n int) string {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "unknown%d ", i)
			}
			return "{ " + b.String() + "}"
		}
		if r := s.Do(t, "", doc(maxErrors), nil).MustCode(t, "BAD_USER_INPUT"); len(r.Errors) != maxErrors {
			t.Fatalf("%d errors, want %d", len(r.Errors), maxErrors)
		}
		r := s.Do(t, "", doc(maxErrors+30), nil).MustCode(t, "BAD_USER_INPUT")
		last := r.Errors[len(r.Errors)-1]
		if len(r.Errors) != maxErrors+1 || last.Message != "30 more errors were left out." || last.Extensions["code"] != "BAD_USER_INPUT" {
			t.Fatalf("errors = %s", r.Raw)
		}
	})
	t.Run("MutationOverGETIs405", func(t *testing.T) {
		q := url.Values{"query": {`mutation { logout(refreshToken: "x") }`}}
		resp, err := http.Get(s.URL + "/graphql?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Fatalf("status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
		q = url.Values{"query": {`{ __typename }`}}
		resp, err = http.Get(s.URL + "/graphql?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("a query over GET: status %d", resp.StatusCode)
		}
	})
}

// TestNoSuggestionsInProduction: no "Did you mean" for a field, an argument,
// an enum value, an input field or a type in production; development keeps
// them (GraphiQL users want them).
func TestNoSuggestionsInProduction(t *testing.T) {
	t.Parallel()
	prod, dev := apptest.New(t, production), apptest.New(t)
	_, patient := prod.User(t, models.RolePatient, nil)
	devPatient := ""
	{
		_, devPatient = dev.User(t, models.RolePatient, nil)
	}
	docs := map[string]string{
		"Field":      `{ mee { id } }`,
		"Argument":   `{ legalPartners(serviceAre: "CA") { id } }`,
		"EnumValue":  `{ myCases(status: [SUBMITTE]) { totalCount } }`,
		"InputField": `mutation { register(input: {emai: "a@b.test", password: "long enough password", displayName: "X"}) { accessToken } }`,
		"Type":       `query($s: CaseStatu) { myCases(first: 1) { totalCount } }`,
		"Leaf":       `{ me { organization } }`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			r := prod.Do(t, patient, doc, nil).MustCode(t, "BAD_USER_INPUT")
			if strings.Contains(r.Raw, "Did you mean") || strings.Contains(r.Raw, "did you mean") {
				t.Fatalf("production suggests: %s", r.Raw)
			}
			if name != "Leaf" && name != "Type" { // gqlparser suggests neither for these
				if r := dev.Do(t, devPatient, doc, nil); !strings.Contains(r.Raw, "Did you mean") {
					t.Fatalf("development does not suggest: %s", r.Raw)
				}
			}
		})
	}
}

// TestHostileDocumentsCostLittle sends the documents that burned a core for
// seconds to minutes (fragment doubling up to F30, 10,000 duplicated fields,
// directive overloading) and a trivial query, interleaved, and wants each
// hostile one refused in at most 100 times the trivial query's CPU time (the
// process's, median of rounds): a ratio of CPU, not a wall-clock budget, as
// the machine is shared.
// Before the limits the first took 112 s of CPU and the second 4.7 to 25 s.
//
// Not parallel: the package's other tests wait while it measures.
func TestHostileDocumentsCostLittle(t *testing.T) {
	s := apptest.New(t)
	doubling := "fragment F0 on Query { __typename legalPartners { id name } }"
	for k := 1; k <= 30; k++ {
		doubling += fmt.Sprintf(" fragment F%d on Query { ...F%d ...F%d }", k, k-1, k-1)
	}
	hostile := map[string]string{
		"FragmentDoubling":     "{ ...F30 } " + doubling,
		"DuplicatedFields":     "{ " + repeat("__typename", 10000) + " }",
		"DuplicatedFieldsList": "{ legalPartners { " + repeat("id", 10000) + " } }",
		"DirectiveOverloading": "{ __typename " + repeat("@include(if: true)", 5000) + " }",
		"DeepNesting":          "{ me " + strings.Repeat("{ organization ", 120) + "{ id }" + strings.Repeat(" }", 121) + " }",
	}
	const trivial = "{ __typename }"
	// the CPU time of the whole process (the server and its client) for
	// three requests of doc, not the wall time a shared machine stretches
	timeOf := func(doc string) time.Duration {
		start := processCPU(t)
		for range 3 {
			r := s.Do(t, "", doc, nil)
			if doc != trivial && r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("not refused: %.300s", r.Raw)
			}
		}
		return processCPU(t) - start
	}
	const rounds = 15
	times := map[string][]time.Duration{}
	for range rounds {
		times[trivial] = append(times[trivial], timeOf(trivial))
		for name, doc := range hostile {
			times[name] = append(times[name], timeOf(doc))
		}
	}
	median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	base := max(median(times[trivial]), 100*time.Microsecond)
	for name := range hostile {
		ratio := float64(median(times[name])) / float64(base)
		t.Logf("%s: %.1f x the trivial query's CPU (%v vs %v for 3)", name, ratio, median(times[name]), base)
		if ratio > 100 {
			t.Errorf("%s costs %.0f times a trivial query", name, ratio)
		}
	}
}

// processCPU is the CPU time this process used so far (user and system).
func processCPU(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
