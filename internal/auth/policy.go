package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"mlp/models"
)

// How authorization works: each domain service keeps one policy (its
// policy.go) that names every exported method of the service and who may call
// it, the role x operation half; Policy.Authorize answers it at the top of the
// method, whatever door called (GraphQL, a websocket, a worker). The role x
// object half is the domain's visibility scope per entity (e.g.
// cases.Visible: "cases this principal may see", a SQL condition), used by
// every query of that entity, so that a hidden object is simply not found.
// The schema's @hasRole and @authenticated directives may refuse earlier; they
// are never the only check.

// Rule says who may call one operation of a service.
type Rule struct {
	kind  ruleKind
	roles []models.Role
	why   string
}

type ruleKind int

const (
	kindRoles ruleKind = iota
	kindSignedIn
	kindPublic
	kindOpen
	kindCredentials
	kindInternal
)

// Roles admits signed-in callers of one of roles.
func Roles(roles ...models.Role) Rule { return Rule{kind: kindRoles, roles: roles} }

// SignedIn admits every signed-in caller; the object is then decided by the
// entity's visibility scope (or the caller's own rows).
var SignedIn = Rule{kind: kindSignedIn}

// Public admits anonymous callers too; a refused token is still answered
// UNAUTHENTICATED (`me`: the app learns that its session has ended).
var Public = Rule{kind: kindPublic}

// Open is public data (partners, published guides): every caller is
// admitted, and a refused token reads as no token, so that a client whose
// session expired still shows them.
var Open = Rule{kind: kindOpen}

// Credentials admits every caller and ignores the request's token, even a
// refused one: the operation's input is its credential (sign-in, sign-up,
// refreshing a session whose access token has expired, signing out).
var Credentials = Rule{kind: kindCredentials}

// Internal marks a method that is not an operation callers reach: wiring
// (hooks, listeners), a hook run inside another service's unit of work after
// that service authorized, or a helper over an object the caller already
// read. why says which; it is shown by the policy tests.
func Internal(why string) Rule { return Rule{kind: kindInternal, why: why} }

// Admits reports whether the rule lets p call (p nil: anonymous).
func (r Rule) Admits(p *Principal) bool {
	switch r.kind {
	case kindPublic, kindOpen, kindCredentials:
		return true
	case kindSignedIn:
		return p != nil
	case kindRoles:
		return p != nil && slices.Contains(r.roles, p.Role)
	}
	return false
}

// IsInternal reports whether the rule marks a method callers do not reach.
func (r Rule) IsInternal() bool { return r.kind == kindInternal }

// String describes the rule, for test output.
func (r Rule) String() string {
	switch r.kind {
	case kindPublic:
		return "public"
	case kindOpen:
		return "public data (a refused token reads as none)"
	case kindCredentials:
		return "by credentials in the input"
	case kindSignedIn:
		return "signed in"
	case kindInternal:
		return "internal: " + r.why
	}
	names := make([]string, len(r.roles))
	for i, role := range r.roles {
		names[i] = string(role)
	}
	return strings.Join(names, ", ")
}

// Policy is one domain's role x operation table, keyed by the service's
// method name. Every exported method of the service has a row (a test
// enumerates them).
type Policy map[string]Rule

// Authorize returns the caller of ctx when the rule of op admits it: nil for
// an anonymous caller of a Public or Open operation (Open also for a refused
// token), and always for a Credentials one (which ignores the token).
// Errors: UNAUTHENTICATED (no caller where one is needed, or a refused
// token), FORBIDDEN (a role the rule does not admit).
func (pol Policy) Authorize(ctx context.Context, op string) (*Principal, error) {
	if r, ok := pol[op]; ok && r.kind == kindCredentials {
		return nil, nil
	}
	p, err := UserFrom(ctx)
	if err != nil {
		if r, ok := pol[op]; ok && r.kind == kindOpen {
			return nil, nil
		}
		return nil, err
	}
	return p, pol.Check(p, op)
}

// Check answers the rule of op for principal p (nil: anonymous), for methods
// that get their principal from the caller's unit of work.
// Errors: UNAUTHENTICATED, FORBIDDEN.
func (pol Policy) Check(p *Principal, op string) error {
	r, ok := pol[op]
	if !ok || r.kind == kindInternal {
		return fmt.Errorf("auth: policy has no operation %q", op)
	}
	if r.Admits(p) {
		return nil
	}
	if p == nil {
		return models.ErrUnauthenticated
	}
	return models.ErrForbidden
}
