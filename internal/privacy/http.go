package privacy

import (
	"log/slog"
	"net/http"

	"mlp/models"
)

// ExportHandler serves GET /me/export.json: the caller's ExportMyData as a
// download, for the bearer token the API takes (the auth middleware in front
// of it puts the caller in the request's context). 401 without a valid
// token, 403 for staff; never cached.
func (s *Service) ExportHandler(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		doc, err := s.ExportMyData(r.Context())
		if err != nil {
			status, msg := http.StatusInternalServerError, "Internal error."
			switch models.ErrorCodeOf(err) {
			case models.EUNAUTHENTICATED:
				status, msg = http.StatusUnauthorized, "Sign in to download your data."
				w.Header().Set("WWW-Authenticate", `Bearer realm="mlp"`)
			case models.EFORBIDDEN:
				status, msg = http.StatusForbidden, "Only patients download their data here."
			default:
				log.ErrorContext(r.Context(), "export failed", "err", err)
			}
			http.Error(w, msg, status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="my-mlp-data.json"`)
		_, _ = w.Write(doc)
	})
}
