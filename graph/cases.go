package graph

import (
	"context"

	"github.com/google/uuid"

	"mlp/graph/loaders"
	"mlp/graph/model"
	"mlp/internal/cases"
	"mlp/internal/page"
	"mlp/models"
)

// caseConnection presents a page of cases, passing an error through.
func caseConnection(p page.Page[*models.Case], err error) (*model.CaseConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(c *models.Case, cur string) *model.CaseEdge { return &model.CaseEdge{Node: c, Cursor: cur} })
	return &model.CaseConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
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

// timeline loads a page of case id's timeline through the request's loader.
func timeline(ctx context.Context, id uuid.UUID, args page.Args) (page.Page[*models.CaseEvent], error) {
	return loaders.For(ctx).Timeline.Load(ctx, cases.NewTimelineKey(id, args))()
}
