package app_test

import (
	"reflect"
	"testing"

	"mlp/internal/accounts"
	"mlp/internal/apptest"
	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/cases"
	"mlp/internal/devices"
	"mlp/internal/guides"
	"mlp/internal/notify"
	"mlp/internal/partners"
	"mlp/internal/privacy"
	"mlp/internal/referrals"
	"mlp/internal/report"
)

// policies are the domain policies by service type.
var policies = map[reflect.Type]auth.Policy{
	reflect.TypeFor[*auth.Service]():      auth.SessionPolicy,
	reflect.TypeFor[*accounts.Service]():  accounts.Policy,
	reflect.TypeFor[*cases.Service]():     cases.Policy,
	reflect.TypeFor[*audit.Service]():     audit.Policy,
	reflect.TypeFor[*referrals.Service](): referrals.Policy,
	reflect.TypeFor[*notify.Service]():    notify.Policy,
	reflect.TypeFor[*guides.Service]():    guides.Policy,
	reflect.TypeFor[*report.Service]():    report.Policy,
	reflect.TypeFor[*devices.Service]():   devices.Policy,
	reflect.TypeFor[*partners.Service]():  partners.Policy,
	reflect.TypeFor[*privacy.Service]():   privacy.Policy,
}

// TestEveryWiredServiceHasAPolicy walks every service the application wires
// into the GraphQL layer (the fields of graph.Resolver, as app.New fills
// them) and fails when one has no policy, or when an exported method of one
// has no row in its policy. A new service, or a new method, must say who may
// call it before it can be wired.
func TestEveryWiredServiceHasAPolicy(t *testing.T) {
	s := apptest.New(t)
	v := reflect.ValueOf(s.App.Resolver).Elem()
	methods := 0
	for i := range v.NumField() {
		f, field := v.Field(i), v.Type().Field(i)
		if f.Kind() != reflect.Pointer || f.IsNil() {
			t.Errorf("graph.Resolver.%s is not a wired service (%s)", field.Name, f.Type())
			continue
		}
		pol, ok := policies[f.Type()]
		if !ok {
			t.Errorf("graph.Resolver.%s (%s) has no policy: give its package a policy.go and list it here", field.Name, f.Type())
			continue
		}
		authztest.Covers(t, pol, f.Interface())
		methods += f.Type().NumMethod()
	}
	t.Logf("%d services, %d exported methods, each with a policy row", v.NumField(), methods)
}
