package compiled

import (
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/database"
	"mlp/internal/notify"
	"mlp/internal/referrals"
	"mlp/models"
)

// cond binds a scope-like rule (SQL with ? placeholders and its values, from
// the services) under name, for the caller of each execution.
func (c *compiler) cond(name string, fn func(p *auth.Principal) database.Cond) string {
	return c.scope(name, func(p *auth.Principal) (string, []any) { v := fn(p); return v.SQL, v.Args })
}

// newest is a connection paged newest first by (created_at, id), as
// page.Newest pages it.
func newest(name, edge string, node *objectType, table string, where func(c *compiler, t string) string) *connSpec {
	return &connSpec{
		name: name, edge: edge, node: node, table: table, where: where,
		order:     func(t string) string { return t + ".created_at DESC, " + t + ".id DESC" },
		after:     "<",
		keyColumn: "created_at",
	}
}

var notificationType = &objectType{name: "Notification", fields: map[string]fieldCompiler{
	"id":        id("id"),
	"kind":      text("kind"),
	"title":     text("title"),
	"body":      text("body"),
	"caseId":    nullID("case_id"),
	"createdAt": timeCol("created_at"),
	"readAt":    nullTimeCol("read_at"),
}}

// myNotificationsField: the caller's notifications (notify.Visible), newest
// first, only unread ones when unreadOnly is true, as
// notify.Service.MyNotifications lists them.
func myNotificationsField(c *compiler, _ string, f *field) (string, error) {
	if c.p == nil { // anonymous: the service's UNAUTHENTICATED
		return "", errNotCompilable
	}
	v, err := c.connection(newest("NotificationConnection", "NotificationEdge", notificationType, "notifications",
		func(c *compiler, t string) string {
			w := c.cond("notifications", func(p *auth.Principal) database.Cond { return notify.Visible(p, t) })
			// unreadOnly is part of the plan's shape: a literal is in the
			// document, a variable's Boolean value in cacheKey.
			if c.arg(f, "unreadOnly") == true {
				w += " AND " + t + ".read_at IS NULL"
			}
			return w
		}), f)
	if err != nil {
		return "", err
	}
	return c.root(v, false), nil
}

var screeningAnswerType = &objectType{name: "ScreeningAnswer", fields: map[string]fieldCompiler{
	"domain": func(_ *compiler, row string, _ *field) (string, error) {
		return "to_json(" + row + "->>'domain')::text", nil
	},
	"positive": func(_ *compiler, row string, _ *field) (string, error) {
		return "coalesce((" + row + "->'positive')::text, 'false')", nil
	},
	"note": func(_ *compiler, row string, _ *field) (string, error) {
		return "coalesce(to_json(" + row + "->>'note')::text, 'null')", nil
	},
}}

// referralType leaves out recommendedGuides (the guide service's rules) and,
// when the caller may see cases, case (whose reads by staff are audited).
var referralType = &objectType{name: "Referral", fields: map[string]fieldCompiler{
	"id": id("id"),
	"code": func(c *compiler, row string, _ *field) (string, error) {
		return "to_json(" + c.cond("referrals.code", func(p *auth.Principal) database.Cond { return referrals.CodeSQL(p, row) }) + ")::text", nil
	},
	"status": func(c *compiler, row string, _ *field) (string, error) {
		now := c.bind(func(e *env) (any, bool) { return e.now, true }) + "::timestamptz"
		return "to_json(" + models.ReferralStatusSQL(row+".status", row+".expires_at", now) + ")::text", nil
	},
	"categories":   text("categories"),
	"patientLabel": text("patient_label"),
	"expiresAt":    timeCol("expires_at"),
	"createdAt":    timeCol("created_at"),
	"clinician":    related(userType, "users", "id", "clinician_id"),
	"notes": func(c *compiler, row string, _ *field) (string, error) {
		w := c.cond("referrals.notes", func(p *auth.Principal) database.Cond { return referrals.NotesVisible(p, row) })
		return "CASE WHEN " + w + " THEN coalesce(to_json(" + row + ".notes)::text, 'null') ELSE 'null' END", nil
	},
	"screening": func(c *compiler, row string, f *field) (string, error) {
		s := c.alias("s")
		obj, err := c.object(screeningAnswerType, s+".x", f.sel)
		if err != nil {
			return "", err
		}
		return "('[' || CASE WHEN jsonb_typeof(" + row + ".screening) = 'array' THEN coalesce((SELECT string_agg(" + obj +
			", ',' ORDER BY " + s + ".n) FROM jsonb_array_elements(" + row + ".screening) WITH ORDINALITY " + s + "(x, n)), '') ELSE '' END || ']')", nil
	},
	// caseStatus: the status of the case opened from the referral, while
	// its patient shares it (cases.SharesStatusWithReferrer), for a referral
	// the caller may see (referrals.Visible), as SharedCaseStatuses reads it.
	"caseStatus": func(c *compiler, row string, _ *field) (string, error) {
		k := c.alias("k")
		vis := c.cond("referrals.visible", func(p *auth.Principal) database.Cond { return referrals.Visible(p, row) })
		shares := c.cond("cases.shares", func(*auth.Principal) database.Cond { return cases.SharesStatusWithReferrer(k) })
		return "coalesce((SELECT to_json(" + k + ".status)::text FROM cases " + k + " WHERE " + k + ".referral_id = " + row + ".id AND " +
			vis + " AND " + shares + " LIMIT 1), 'null')", nil
	},
	// case: the case opened from the referral, for a caller who may see it;
	// compiled only for callers who may see no case (a CLINICIAN): null.
	"case": func(c *compiler, _ string, _ *field) (string, error) {
		if !cases.Visible(c.p, "c").IsFalse() {
			return "", errNotCompilable
		}
		return "'null'", nil
	},
}}

// myReferralsField: the referrals the calling CLINICIAN made
// (referrals.Mine), newest first, as referrals.Service.MyReferrals lists
// them.
func myReferralsField(c *compiler, _ string, f *field) (string, error) {
	if !c.p.Is(models.RoleClinician) {
		return "", errNotCompilable
	}
	v, err := c.connection(newest("ReferralConnection", "ReferralEdge", referralType, "referrals",
		func(c *compiler, t string) string {
			return c.cond("referrals.mine", func(p *auth.Principal) database.Cond { return referrals.Mine(p, t) })
		}), f)
	if err != nil {
		return "", err
	}
	return c.root(v, false), nil
}
