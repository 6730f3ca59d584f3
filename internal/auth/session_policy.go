package auth

// SessionPolicy is who may call each method of the sign-in service (the
// auth domain's policy; Policy is the type of every domain's). Signing up,
// in and out and refreshing take their credential in the input (an email and
// password, a refresh token), whatever token the request carries.
var SessionPolicy = Policy{
	"Register":              Credentials,
	"Login":                 Credentials,
	"Refresh":               Credentials,
	"Logout":                Credentials,
	"Middleware":            Internal("the HTTP door: puts the caller of a bearer token in the request"),
	"Authenticate":          Internal("the doors' token check: how a caller becomes a principal"),
	"CheckSession":          Internal("the subscriptions' second check of their caller's session"),
	"UseMetrics":            Internal("wiring at start-up: the refused sign-ins' counter"),
	"VerifyCurrentPassword": Internal("run by accounts.ChangePassword for its caller, after it authorized"),
	"SetPassword":           Internal("inside the unit of work of an operation that authorized (accounts.ChangePassword)"),
	"Hash":                  Internal("a pure function: hashes a password with the service's costs"),
}
