package models

// RegisterInput is what a patient gives to register.
type RegisterInput struct {
	Email             string
	Password          string
	DisplayName       string
	PreferredLanguage *string
}

// CreateStaffUserInput is what an admin gives to create a staff account.
type CreateStaffUserInput struct {
	Email             string
	Password          string
	DisplayName       string
	Role              Role
	OrganizationID    *string
	PreferredLanguage *string
}

// CreateOrganizationInput is what an admin gives to add a partner.
type CreateOrganizationInput struct {
	Name         string
	Kind         OrganizationKind
	ServiceAreas []string
	Categories   []LegalCategory
	Phone        *string
	Website      *string
}
