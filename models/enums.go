package models

func oneOf[E ~string](e E, all []E) bool {
	for _, a := range all {
		if a == e {
			return true
		}
	}
	return false
}

// Role is what a user is to the partnership; it decides what they may do.
type Role string

// The roles of the contract.
const (
	RolePatient   Role = "PATIENT"
	RoleClinician Role = "CLINICIAN"
	RoleAdvocate  Role = "ADVOCATE"
	RoleEditor    Role = "EDITOR"
	RoleAdmin     Role = "ADMIN"
)

// AllRoles lists every role in contract order.
var AllRoles = []Role{RolePatient, RoleClinician, RoleAdvocate, RoleEditor, RoleAdmin}

// IsValid reports whether r is one of AllRoles.
func (r Role) IsValid() bool { return oneOf(r, AllRoles) }

// IsStaff reports whether accounts of this role are made by an admin.
func (r Role) IsStaff() bool { return r.IsValid() && r != RolePatient }

// LegalCategory groups health-harming legal needs.
type LegalCategory string

// The legal categories of the contract.
const (
	CategoryHousing        LegalCategory = "HOUSING"
	CategoryPublicBenefits LegalCategory = "PUBLIC_BENEFITS"
	CategoryEmployment     LegalCategory = "EMPLOYMENT"
	CategoryEducation      LegalCategory = "EDUCATION"
	CategoryImmigration    LegalCategory = "IMMIGRATION"
	CategoryFamily         LegalCategory = "FAMILY"
	CategoryDisability     LegalCategory = "DISABILITY"
	CategoryMedicalDebt    LegalCategory = "MEDICAL_DEBT"
	CategoryUtilities      LegalCategory = "UTILITIES"
	CategoryFood           LegalCategory = "FOOD"
	CategoryOther          LegalCategory = "OTHER"
)

// AllLegalCategories lists every category in contract order.
var AllLegalCategories = []LegalCategory{
	CategoryHousing, CategoryPublicBenefits, CategoryEmployment, CategoryEducation,
	CategoryImmigration, CategoryFamily, CategoryDisability, CategoryMedicalDebt,
	CategoryUtilities, CategoryFood, CategoryOther,
}

// IsValid reports whether c is one of AllLegalCategories.
func (c LegalCategory) IsValid() bool { return oneOf(c, AllLegalCategories) }

// OrganizationKind tells health systems from legal-aid partners.
type OrganizationKind string

// The organization kinds of the contract.
const (
	OrgHealthSystem OrganizationKind = "HEALTH_SYSTEM"
	OrgLegalAid     OrganizationKind = "LEGAL_AID"
)

// IsValid reports whether k is a known kind.
func (k OrganizationKind) IsValid() bool {
	return oneOf(k, []OrganizationKind{OrgHealthSystem, OrgLegalAid})
}
