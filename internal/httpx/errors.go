package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"mlp/internal/i18n"
	"mlp/models"
)

// statusOf is the HTTP status of each domain error code, for the endpoints
// beside GraphQL (downloads): the GraphQL answer's codes, as statuses.
var statusOf = map[models.ErrorCode]int{
	models.EUNAUTHENTICATED: http.StatusUnauthorized,
	models.EFORBIDDEN:       http.StatusForbidden,
	models.ENOTFOUND:        http.StatusNotFound,
	models.EINVALID:         http.StatusBadRequest,
	models.ECONFLICT:        http.StatusConflict,
	models.ERATELIMITED:     http.StatusTooManyRequests,
	models.EUNAVAILABLE:     http.StatusServiceUnavailable,
}

// WriteError answers a non-GraphQL request with err as a GraphQL-shaped body,
// {"errors":[{"message", "extensions":{"code", "field"}}]}, so that clients
// read it with the parser they already have: the status is the code's
// (UNAUTHENTICATED 401, FORBIDDEN 403, BAD_USER_INPUT 400, ...) and the
// message is in the reader's language. An error that is not a domain error
// is logged with the request id and answered 500 "Internal error.", without
// its text.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	ctx := r.Context()
	lang := i18n.Language(ctx)
	ext := map[string]any{}
	var derr *models.Error
	status, msg := http.StatusInternalServerError, i18n.Text(lang, "Internal error.")
	if errors.As(err, &derr) && statusOf[derr.Code] != 0 {
		format, args := derr.Text()
		status, msg = statusOf[derr.Code], i18n.Text(lang, format, args...)
		ext["code"] = string(derr.Code)
		if derr.Field != "" {
			ext["field"] = derr.Field
		}
		switch derr.Code {
		case models.EUNAUTHENTICATED:
			w.Header().Set("WWW-Authenticate", `Bearer realm="mlp"`)
		case models.ERATELIMITED:
			ext["retryAfterSeconds"] = derr.RetryAfterSeconds
			w.Header().Set("Retry-After", strconv.Itoa(derr.RetryAfterSeconds))
		}
	} else {
		ext["code"] = string(models.EINTERNAL)
		log.ErrorContext(ctx, "internal error", "request_id", RequestID(ctx), "path", r.URL.Path)
	}
	Info(ctx).SetErrorCode(ext["code"].(string))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": ext}}})
}
