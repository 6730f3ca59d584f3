package graph

import (
	"mlp/internal/guides"
	"mlp/internal/page"
	"mlp/models"
)

// How an operation's cost is counted (gqlgen adds the costs of the fields of
// the document, fragments expanded, before anything runs; ComplexityLimit in
// server.go refuses a costlier operation with BAD_USER_INPUT):
//
//   - A scalar or enum field costs 1; an object field that is not listed
//     below costs 1 plus what is selected inside it (loaders batch those).
//   - Every root field (Query, Mutation, Subscription) costs rootFieldCost,
//     plus what is selected inside it: each one runs statements of its own,
//     so aliasing many of them is what the cost bounds.
//   - A list costs its size times what is selected inside it. A list that
//     takes first counts first (page.DefaultFirst without it, page.MaxFirst at
//     most); a list without first counts the most it can hold, or
//     unboundedListSize where nothing bounds it. A nested list adds 1, a root
//     list rootFieldCost.
//
// So the mobile app's case list, myCases(first: 50) with ten timeline events
// and five related guides per case, costs 11,600, and myCases(first: 100)
// with timeline(first: 100) 60,500 (see complexity_test.go).
const (
	// rootFieldCost is the cost of a root field itself: one alias of it costs
	// as much as a hundred scalar values.
	rootFieldCost = 100
	// unboundedListSize is the size counted for a list that takes no first and
	// has no bound (legal partners, a guide's revisions and translations).
	unboundedListSize = page.DefaultFirst
)

// Complexity returns the cost of every field whose cost is not gqlgen's
// default (1 plus the cost of the selection); see the comment above.
func Complexity() ComplexityRoot {
	var c ComplexityRoot

	// Query: lists that take first.
	c.Query.MyCases = func(child int, _ []models.CaseStatus, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.CaseQueue = func(child int, _ *models.CaseQueueFilter, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.AuditLog = func(child int, _, _, _ *string, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.Cases = func(child int, _ *models.CaseFilter, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.Users = func(child int, _ *models.UserFilter, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.Guides = func(child int, _ *models.GuideFilter, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.EditorGuides = func(child int, _ []models.GuideStatus, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.MyNotifications = func(child int, _ *bool, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	c.Query.MyReferrals = func(child int, first *int, _ *string) int {
		return rootList(pageSize(first), child)
	}
	// Query: lists without first.
	c.Query.LegalPartners = func(child int, _ *string) int {
		return rootList(unboundedListSize, child)
	}
	c.Query.Organizations = func(child int, _ *models.OrganizationKind) int {
		return rootList(unboundedListSize, child)
	}
	c.Query.MyConsents = func(child int) int {
		return rootList(unboundedListSize, child)
	}
	c.Query.HealthSystems = func(child int) int {
		return rootList(unboundedListSize, child)
	}
	c.Query.Partnerships = func(child int, _, _ *string, _ *bool) int {
		return rootList(unboundedListSize, child)
	}
	// Query: one object.
	c.Query.Me = root
	c.Query.ExportMyData = root
	c.Query.Case = func(child int, _ string) int { return root(child) }
	c.Query.Guide = func(child int, _ string, _ *string) int { return root(child) }
	c.Query.PartnershipReport = func(child int, _, _ models.Date, _ *string) int { return root(child) }
	c.Query.ExportMyData = func(child int) int { return root(child) }

	// Mutation: each one a transaction.
	c.Mutation.Register = func(child int, _ models.RegisterInput) int { return root(child) }
	c.Mutation.Login = func(child int, _, _ string) int { return root(child) }
	c.Mutation.RefreshSession = func(child int, _ string) int { return root(child) }
	c.Mutation.Logout = func(child int, _ string) int { return root(child) }
	c.Mutation.ChangePassword = func(child int, _, _ string) int { return root(child) }
	c.Mutation.RequestPasswordReset = func(child int, _ string) int { return root(child) }
	c.Mutation.ResetPassword = func(child int, _, _ string) int { return root(child) }
	c.Mutation.CreateOrganization = func(child int, _ models.CreateOrganizationInput) int { return root(child) }
	c.Mutation.UpdateOrganization = func(child int, _ models.UpdateOrganizationInput) int { return root(child) }
	c.Mutation.CreatePartnership = func(child int, _ models.CreatePartnershipInput) int { return root(child) }
	c.Mutation.UpdatePartnership = func(child int, _ models.UpdatePartnershipInput) int { return root(child) }
	c.Mutation.EndPartnership = func(child int, _ string) int { return root(child) }
	c.Mutation.SetCapacity = func(child int, _ string, _ models.LegalCategory, _ models.CapacityStatus, _ *int) int {
		return root(child)
	}
	c.Mutation.TransferCase = func(child int, _, _, _ string) int { return root(child) }
	c.Mutation.CreateStaffUser = func(child int, _ models.CreateStaffUserInput) int { return root(child) }
	c.Mutation.DisableUser = func(child int, _ string) int { return root(child) }
	c.Mutation.EnableUser = func(child int, _ string) int { return root(child) }
	c.Mutation.UpdateMyProfile = func(child int, _ models.UpdateMyProfileInput) int { return root(child) }
	c.Mutation.DeleteMyAccount = func(child int, _ string) int { return root(child) }
	c.Mutation.SetLegalHold = func(child int, _, _ string) int { return root(child) }
	c.Mutation.ReleaseLegalHold = func(child int, _ string) int { return root(child) }
	c.Query.ExportMyData = func(child int) int { return root(child) }
	c.Mutation.RequestLegalHelp = func(child int, _ models.RequestLegalHelpInput) int { return root(child) }
	c.Mutation.WithdrawCase = func(child int, _ string, _ *string) int { return root(child) }
	c.Mutation.AddCaseMessage = func(child int, _, _ string, _ *bool) int { return root(child) }
	c.Mutation.UpdateCaseStatus = func(child int, _ models.UpdateCaseStatusInput) int { return root(child) }
	c.Mutation.AssignCase = func(child int, _, _ string) int { return root(child) }
	c.Mutation.RecordCaseOutcome = func(child int, _ models.CaseOutcomeInput) int { return root(child) }
	c.Mutation.SetCaseDeadline = func(child int, _ string, _ *models.Date, _ int) int { return root(child) }
	c.Mutation.CreateGuide = func(child int, _ models.GuideInput) int { return root(child) }
	c.Mutation.UpdateGuide = func(child int, _ string, _ models.GuidePatch, _ int) int { return root(child) }
	c.Mutation.SubmitGuideForReview = func(child int, _ string) int { return root(child) }
	c.Mutation.PublishGuide = func(child int, _ string) int { return root(child) }
	c.Mutation.ArchiveGuide = func(child int, _ string) int { return root(child) }
	c.Mutation.MarkNotificationsRead = func(child int, _ []string) int { return root(child) }
	c.Mutation.RegisterDevice = func(child int, _ models.DevicePlatform, _ string) int { return root(child) }
	c.Mutation.ReferPatient = func(child int, _ models.ReferPatientInput) int { return root(child) }
	c.Mutation.CancelReferral = func(child int, _ string) int { return root(child) }
	c.Mutation.ClaimReferral = func(child int, _ models.ClaimReferralInput) int { return root(child) }
	c.Mutation.RevokeConsent = func(child int, _ string) int { return root(child) }
	c.Mutation.GrantConsent = func(child int, _ models.ConsentScope, _ *string) int { return root(child) }

	// Subscription: a listener each.
	c.Subscription.CaseEvents = func(child int, _ string, _ *string) int { return root(child) }
	c.Subscription.NotificationAdded = func(child int, _ *string) int { return root(child) }

	// Nested lists.
	c.Case.Timeline = func(child int, first *int, _ *string) int {
		return nestedList(pageSize(first), child)
	}
	c.Case.RelatedGuides = func(child int, first *int) int {
		return nestedList(pageSize(first), child)
	}
	c.Referral.RecommendedGuides = func(child int) int {
		return nestedList(guides.MaxRecommended, child)
	}
	c.Referral.Screening = func(child int) int {
		return nestedList(len(models.AllScreeningDomains), child)
	}
	c.Guide.Revisions = func(child int) int { return nestedList(unboundedListSize, child) }
	c.Guide.Translations = func(child int) int { return nestedList(unboundedListSize, child) }
	c.PartnershipReport.ByCategory = func(child int) int {
		return nestedList(len(models.AllLegalCategories), child)
	}
	c.PartnershipReport.Outcomes = func(child int) int {
		return nestedList(len(models.AllOutcomeCodes), child)
	}
	return c
}

// pageSize is the number of items a list asks for with first, as
// page.Args.Limit reads it; a first it refuses counts as the nearest bound
// (the list answers BAD_USER_INPUT anyway).
func pageSize(first *int) int {
	switch {
	case first == nil:
		return page.DefaultFirst
	case *first < 0:
		return 0
	case *first > page.MaxFirst:
		return page.MaxFirst
	}
	return *first
}

// root is the cost of a root field returning one object.
func root(child int) int { return add(rootFieldCost, child) }

// rootList is the cost of a root field returning n items.
func rootList(n, child int) int { return add(rootFieldCost, mul(n, child)) }

// nestedList is the cost of a nested field returning n items.
func nestedList(n, child int) int { return add(1, mul(n, child)) }

const maxCost = int(^uint(0) >> 1)

// add and mul saturate at maxCost instead of overflowing: a cost that wraps
// around would let any query through.
func add(a, b int) int {
	if b > maxCost-a {
		return maxCost
	}
	return a + b
}

func mul(n, child int) int {
	if n != 0 && child > maxCost/n {
		return maxCost
	}
	return n * child
}
