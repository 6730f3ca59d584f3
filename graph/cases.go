package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"mlp/graph/loaders"
	"mlp/graph/model"
	"mlp/internal/cases"
	"mlp/internal/page"
	"mlp/models"
)

// caseConnection returns the presenter of a page of cases for the request
// ctx: it passes an error through, and primes the request's loaders with the
// nested objects the query selected (see loaders.PrimeCases).
func caseConnection(ctx context.Context) func(page.Page[*models.Case], error) (*model.CaseConnection, error) {
	return func(p page.Page[*models.Case], err error) (*model.CaseConnection, error) {
		if err != nil {
			return nil, err
		}
		loaders.For(ctx).PrimeCases(ctx, p.Items, caseSelection(ctx))
		es, info := edges(p, func(c *models.Case, cur string) *model.CaseEdge { return &model.CaseEdge{Node: c, Cursor: cur} })
		return &model.CaseConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
	}
}

// eventConnection presents a page of a timeline, passing an error through.
func eventConnection(p page.Page[*models.CaseEvent], err error) (*model.CaseEventConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(e *models.CaseEvent, cur string) *model.CaseEventEdge {
		return &model.CaseEventEdge{Node: e, Cursor: cur}
	})
	return &model.CaseEventConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
}

// auditConnection presents a page of the audit log, passing an error through.
func auditConnection(p page.Page[*models.AuditEntry], err error) (*model.AuditEntryConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(e *models.AuditEntry, cur string) *model.AuditEntryEdge {
		return &model.AuditEntryEdge{Node: e, Cursor: cur}
	})
	return &model.AuditEntryConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
}

// accessLogConnection presents a page of a case's access log, passing an
// error through.
func accessLogConnection(p page.Page[*models.AccessLogEntry], err error) (*model.AccessLogConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(e *models.AccessLogEntry, cur string) *model.AccessLogEdge {
		return &model.AccessLogEdge{Node: e, Cursor: cur}
	})
	return &model.AccessLogConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
}

// timeline loads a page of case id's timeline through the request's loader.
func timeline(ctx context.Context, id uuid.UUID, args page.Args) (page.Page[*models.CaseEvent], error) {
	return loaders.For(ctx).Timeline.Load(ctx, cases.NewTimelineKey(id, args))()
}

// caseSelection reads, from the selection set of a CaseConnection field, which
// nested objects of its nodes the query asks for.
func caseSelection(ctx context.Context) loaders.CaseSelection {
	var sel loaders.CaseSelection
	opCtx := graphql.GetOperationContext(ctx)
	for _, e := range graphql.CollectFieldsCtx(ctx, nil) {
		if e.Name != "edges" {
			continue
		}
		for _, n := range graphql.CollectFields(opCtx, e.Selections, nil) {
			if n.Name != "node" {
				continue
			}
			for _, f := range graphql.CollectFields(opCtx, n.Selections, nil) {
				switch f.Name {
				case "patient":
					sel.Patient = true
				case "assignedAdvocate":
					sel.AssignedAdvocate = true
				case "organization":
					sel.Organization = true
				case "outcome":
					sel.Outcome = true
				case "referral":
					sel.Referral = referralSelection(opCtx, f.Selections)
				case "relatedGuides":
					gf := guideFields(opCtx, f.Selections)
					sel.RelatedGuides = &gf
				case "timeline":
					if args, ok := fieldPageArgs(opCtx, f); ok {
						sel.Timelines = append(sel.Timelines, args)
					}
				case "accessLog":
					if args, ok := fieldPageArgs(opCtx, f); ok {
						sel.AccessLogs = append(sel.AccessLogs, args)
					}
				}
			}
		}
	}
	return sel
}

// fieldPageArgs reads the pagination arguments of a nested connection field
// the way pageArgs will when its resolver runs; ok is false when they cannot
// be read (the resolver then reports the problem).
func fieldPageArgs(opCtx *graphql.OperationContext, f graphql.CollectedField) (page.Args, bool) {
	var args page.Args
	m := f.ArgumentMap(opCtx.Variables)
	if v, present := m["first"]; present && v != nil {
		n, ok := intValue(v)
		if !ok {
			return args, false
		}
		args.First = &n
	}
	if v, present := m["after"]; present && v != nil {
		s, ok := v.(string)
		if !ok {
			return args, false
		}
		args.After = &s
	}
	for _, c := range graphql.CollectFields(opCtx, f.Selections, nil) {
		if c.Name == "totalCount" {
			args.WithTotal = true
		}
	}
	return args, true
}

// intValue reads an Int argument as literal or variable.
func intValue(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}
