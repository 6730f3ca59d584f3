package guides

import (
	"mlp/internal/auth"
	"mlp/models"
)

// Policy is who may call each method of the guides service. Readers' queries
// are public (what they see is audiencesFor's); the editorial workflow is for
// EDITORs, publishing and archiving for EDITORs and ADMINs (the two-person
// rule of PublishGuide is the object half).
var Policy = auth.Policy{
	"Guides":                 auth.Open,
	"Guide":                  auth.Open,
	"GuidesStatement":        auth.Open,
	"ListStatements":         auth.Open,
	"GuideStatement":         auth.Open,
	"EditorGuides":           auth.Roles(models.RoleEditor, models.RoleAdmin),
	"CreateGuide":            auth.Roles(models.RoleEditor),
	"UpdateGuide":            auth.Roles(models.RoleEditor),
	"SubmitGuideForReview":   auth.Roles(models.RoleEditor),
	"PublishGuide":           auth.Roles(models.RoleEditor, models.RoleAdmin),
	"ArchiveGuide":           auth.Roles(models.RoleEditor, models.RoleAdmin),
	"RevisionsByGuide":       auth.Internal("the revisions loader; the field is editorial (CanSeeEditorial)"),
	"Translations":           auth.Internal("the translations loader, published guides only"),
	"RelatedForCases":        auth.Internal("the related-guides loader of cases the caller has read, published guides only"),
	"PublishedBySlugs":       auth.Internal("the published-guide loader, published guides only"),
	"ValidatePublishedSlugs": auth.Internal("a check for the referral service, published guides only"),
	"AuthorID":               auth.Internal("a field of a guide the caller has read; hides by caller"),
	"EditorialID":            auth.Internal("a field of a revision the caller has read; hides by caller"),
}
