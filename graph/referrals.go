package graph

import (
	"mlp/graph/model"
	"mlp/internal/page"
	"mlp/models"
)

// referralConnection presents a page of referrals, passing an error through.
func referralConnection(p page.Page[*models.Referral], err error) (*model.ReferralConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(r *models.Referral, cur string) *model.ReferralEdge {
		return &model.ReferralEdge{Node: r, Cursor: cur}
	})
	return &model.ReferralConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
}

// notificationConnection presents a page of notifications, passing an error through.
func notificationConnection(p page.Page[*models.Notification], err error) (*model.NotificationConnection, error) {
	if err != nil {
		return nil, err
	}
	es, info := edges(p, func(n *models.Notification, cur string) *model.NotificationEdge {
		return &model.NotificationEdge{Node: n, Cursor: cur}
	})
	return &model.NotificationConnection{Edges: es, PageInfo: info, TotalCount: p.Total}, nil
}
