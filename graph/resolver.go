package graph

import (
	"mlp/internal/accounts"
	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/devices"
	"mlp/internal/guides"
	"mlp/internal/notify"
	"mlp/internal/privacy"
	"mlp/internal/referrals"
	"mlp/internal/report"
)

// Resolver is the dependency root of the GraphQL layer: it holds the domain
// services, never a database handle. Resolvers are one call into a service or
// a dataloader.
type Resolver struct {
	Auth      *auth.Service
	Accounts  *accounts.Service
	Cases     *cases.Service
	Audit     *audit.Service
	Referrals *referrals.Service
	Notify    *notify.Service
	Guides    *guides.Service
	Report    *report.Service
	Devices   *devices.Service
	Privacy   *privacy.Service
}
