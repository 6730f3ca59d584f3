package models

import "github.com/google/uuid"

// OrganizationIDFilter parses an optional organization id given as a filter
// (nil: no filter). Errors: BAD_USER_INPUT naming field.
func OrganizationIDFilter(field string, id *string) (*uuid.UUID, error) {
	if id == nil {
		return nil, nil
	}
	u, err := uuid.Parse(*id)
	if err != nil {
		return nil, InvalidField(field, "This is not an organization's id.")
	}
	return &u, nil
}
