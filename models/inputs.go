package models

// RegisterInput is what a patient gives to register.
type RegisterInput struct {
	Email             string
	Password          string
	DisplayName       string
	PreferredLanguage *string
}

// UpdateMyProfileInput is what a user changes about themself; nil fields
// stay as they are. Later issues add fields (health system, safe contact).
type UpdateMyProfileInput struct {
	DisplayName           *string
	PreferredLanguage     *string
	DiscreetNotifications *bool
	// HealthSystemID is the patient's health system (a HEALTH_SYSTEM from
	// healthSystems); empty clears it.
	HealthSystemID *string
	// SafeContact replaces the user's safe contact (patients).
	SafeContact *SafeContact
	// TimeZone is the user's IANA time zone, the clock of their safe
	// hours; empty clears it (their latest case's state's main zone).
	TimeZone *string
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
