// Package httpx holds the HTTP middleware every request passes: a request id,
// one structured log line, a body limit and panic recovery.
package httpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxBodyBytes is the largest request body accepted; larger ones are refused
// with 413 before anything parses them.
const MaxBodyBytes = 1 << 20

type infoKey struct{}

// RequestInfo is filled in while a request is served and logged at its end.
type RequestInfo struct {
	ID string
	mu sync.Mutex
	// Operation is the GraphQL operation name, if any.
	operation string
	errorCode string
}

// SetOperation records the GraphQL operation name for the request log.
func (i *RequestInfo) SetOperation(name string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.operation = name
	i.mu.Unlock()
}

// SetErrorCode records the first error code the request answered with.
func (i *RequestInfo) SetErrorCode(code string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	if i.errorCode == "" {
		i.errorCode = code
	}
	i.mu.Unlock()
}

// Info returns the request's info, or nil outside a request.
func Info(ctx context.Context) *RequestInfo {
	i, _ := ctx.Value(infoKey{}).(*RequestInfo)
	return i
}

// RequestID returns the request's id, or "" outside a request.
func RequestID(ctx context.Context) string {
	if i := Info(ctx); i != nil {
		return i.ID
	}
	return ""
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (websockets).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observe gives each request an id (X-Request-ID, echoed back), recovers
// panics as a bare 500 and logs one line per request: id, method, path,
// GraphQL operation, status, first error code and duration. It never logs
// headers, bodies or variables.
func Observe(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		info := &RequestInfo{ID: id}
		w.Header().Set("X-Request-ID", id)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "request_id", id, "panic", v)
				if sw.status == 0 {
					http.Error(sw, "Internal error.", http.StatusInternalServerError)
				}
			}
			info.mu.Lock()
			op, code := info.operation, info.errorCode
			info.mu.Unlock()
			attrs := []any{"request_id", id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"duration_ms", float64(time.Since(start).Microseconds()) / 1000}
			if op != "" {
				attrs = append(attrs, "operation", op)
			}
			if code != "" {
				attrs = append(attrs, "error_code", code)
			}
			if errors.Is(r.Context().Err(), context.Canceled) {
				// The client went away before the answer: not an error.
				attrs = append(attrs, "cancelled", true)
			}
			log.InfoContext(r.Context(), "request", attrs...)
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// LimitBody refuses bodies over MaxBodyBytes with 413 before anything parses
// them: at once when Content-Length announces more, else as soon as reading
// passes the limit (a chunked body). The body is read here, bounded, so the
// handler never sees part of an oversized one.
func LimitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			tooLarge(w)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
			if err != nil {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"errors":[{"message":"The request body could not be read.","extensions":{"code":"BAD_USER_INPUT"}}]}`)
				return
			}
			if len(b) > MaxBodyBytes {
				tooLarge(w)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_, _ = io.WriteString(w, `{"errors":[{"message":"The request is too large.","extensions":{"code":"BAD_USER_INPUT"}}]}`)
}
