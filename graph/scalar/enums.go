package scalar

import (
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"mlp/models"
)

// The GraphQL mapping of the domain's enums and of Date (gqlgen.yml binds
// each GraphQL type to its Marshal/Unmarshal pair here): the domain types in
// models know nothing of gqlgen.

// enum is a domain enum: a string type that knows its valid values.
type enum interface {
	~string
	IsValid() bool
}

func marshalEnum[E enum](e E) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(e))) })
}

func unmarshalEnum[E enum](v any) (E, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("enums must be strings")
	}
	if e := E(s); e.IsValid() {
		return e, nil
	}
	return "", fmt.Errorf("%q is not a valid value", s)
}

// errDateInput refuses a Date argument that is not YYYY-MM-DD; the error
// presenter names the argument.
var errDateInput = &models.Error{Code: models.EINVALID, Message: "Write dates as YYYY-MM-DD."}

// MarshalDate writes a Date as a YYYY-MM-DD string.
func MarshalDate(d models.Date) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(d.String())) })
}

// UnmarshalDate reads a YYYY-MM-DD string.
func UnmarshalDate(v any) (models.Date, error) {
	s, ok := v.(string)
	if !ok {
		return models.Date{}, errDateInput
	}
	d, err := models.ParseDate(s)
	if err != nil {
		return models.Date{}, errDateInput
	}
	return d, nil
}

// MarshalRole writes a Role as its GraphQL enum value.
func MarshalRole(v models.Role) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalRole reads a Role, refusing a value the domain does not know.
func UnmarshalRole(v any) (models.Role, error) { return unmarshalEnum[models.Role](v) }

// MarshalLegalCategory writes a LegalCategory as its GraphQL enum value.
func MarshalLegalCategory(v models.LegalCategory) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalLegalCategory reads a LegalCategory, refusing a value the domain does not know.
func UnmarshalLegalCategory(v any) (models.LegalCategory, error) {
	return unmarshalEnum[models.LegalCategory](v)
}

// MarshalOrganizationKind writes a OrganizationKind as its GraphQL enum value.
func MarshalOrganizationKind(v models.OrganizationKind) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalOrganizationKind reads a OrganizationKind, refusing a value the domain does not know.
func UnmarshalOrganizationKind(v any) (models.OrganizationKind, error) {
	return unmarshalEnum[models.OrganizationKind](v)
}

// MarshalCapacityStatus writes a CapacityStatus as its GraphQL enum value.
func MarshalCapacityStatus(v models.CapacityStatus) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalCapacityStatus reads a CapacityStatus, refusing a value the domain does not know.
func UnmarshalCapacityStatus(v any) (models.CapacityStatus, error) {
	return unmarshalEnum[models.CapacityStatus](v)
}

// MarshalCaseStatus writes a CaseStatus as its GraphQL enum value.
func MarshalCaseStatus(v models.CaseStatus) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalCaseStatus reads a CaseStatus, refusing a value the domain does not know.
func UnmarshalCaseStatus(v any) (models.CaseStatus, error) {
	return unmarshalEnum[models.CaseStatus](v)
}

// MarshalCaseEventKind writes a CaseEventKind as its GraphQL enum value.
func MarshalCaseEventKind(v models.CaseEventKind) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalCaseEventKind reads a CaseEventKind, refusing a value the domain does not know.
func UnmarshalCaseEventKind(v any) (models.CaseEventKind, error) {
	return unmarshalEnum[models.CaseEventKind](v)
}

// MarshalOutcomeCode writes a OutcomeCode as its GraphQL enum value.
func MarshalOutcomeCode(v models.OutcomeCode) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalOutcomeCode reads a OutcomeCode, refusing a value the domain does not know.
func UnmarshalOutcomeCode(v any) (models.OutcomeCode, error) {
	return unmarshalEnum[models.OutcomeCode](v)
}

// MarshalContactMethod writes a ContactMethod as its GraphQL enum value.
func MarshalContactMethod(v models.ContactMethod) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalContactMethod reads a ContactMethod, refusing a value the domain does not know.
func UnmarshalContactMethod(v any) (models.ContactMethod, error) {
	return unmarshalEnum[models.ContactMethod](v)
}

// MarshalConsentScope writes a ConsentScope as its GraphQL enum value.
func MarshalConsentScope(v models.ConsentScope) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalConsentScope reads a ConsentScope, refusing a value the domain does not know.
func UnmarshalConsentScope(v any) (models.ConsentScope, error) {
	return unmarshalEnum[models.ConsentScope](v)
}

// MarshalReferralStatus writes a ReferralStatus as its GraphQL enum value.
func MarshalReferralStatus(v models.ReferralStatus) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalReferralStatus reads a ReferralStatus, refusing a value the domain does not know.
func UnmarshalReferralStatus(v any) (models.ReferralStatus, error) {
	return unmarshalEnum[models.ReferralStatus](v)
}

// MarshalScreeningDomain writes a ScreeningDomain as its GraphQL enum value.
func MarshalScreeningDomain(v models.ScreeningDomain) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalScreeningDomain reads a ScreeningDomain, refusing a value the domain does not know.
func UnmarshalScreeningDomain(v any) (models.ScreeningDomain, error) {
	return unmarshalEnum[models.ScreeningDomain](v)
}

// MarshalDevicePlatform writes a DevicePlatform as its GraphQL enum value.
func MarshalDevicePlatform(v models.DevicePlatform) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalDevicePlatform reads a DevicePlatform, refusing a value the domain does not know.
func UnmarshalDevicePlatform(v any) (models.DevicePlatform, error) {
	return unmarshalEnum[models.DevicePlatform](v)
}

// MarshalGuideAudience writes a GuideAudience as its GraphQL enum value.
func MarshalGuideAudience(v models.GuideAudience) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalGuideAudience reads a GuideAudience, refusing a value the domain does not know.
func UnmarshalGuideAudience(v any) (models.GuideAudience, error) {
	return unmarshalEnum[models.GuideAudience](v)
}

// MarshalGuideStatus writes a GuideStatus as its GraphQL enum value.
func MarshalGuideStatus(v models.GuideStatus) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalGuideStatus reads a GuideStatus, refusing a value the domain does not know.
func UnmarshalGuideStatus(v any) (models.GuideStatus, error) {
	return unmarshalEnum[models.GuideStatus](v)
}

// MarshalAccessAction writes a AccessAction as its GraphQL enum value.
func MarshalAccessAction(v models.AccessAction) graphql.Marshaler { return marshalEnum(v) }

// UnmarshalAccessAction reads a AccessAction, refusing a value the domain does not know.
func UnmarshalAccessAction(v any) (models.AccessAction, error) {
	return unmarshalEnum[models.AccessAction](v)
}
