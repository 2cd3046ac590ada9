// Package reqlog puts the request id on every log line written in a
// request: the handler it makes adds "request_id" from the context
// (database.RequestID) to each record logged with one, so that a line of a
// handler, of the pages or of a store is found with the request's access
// log line and its X-Request-Id.
package reqlog

import (
	"context"
	"log/slog"

	"github.com/taahod/taahod/internal/database"
)

// Key is the attribute's name.
const Key = "request_id"

// Handler wraps h; a handler it already wraps is returned as it is.
func Handler(h slog.Handler) slog.Handler {
	if _, ok := h.(handler); ok {
		return h
	}
	return handler{h}
}

type handler struct{ next slog.Handler }

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	if id := database.RequestID(ctx); id != "" {
		named := false
		r.Attrs(func(a slog.Attr) bool {
			named = a.Key == Key
			return !named
		})
		if !named {
			r = r.Clone()
			r.AddAttrs(slog.String(Key, id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler { return handler{h.next.WithAttrs(attrs)} }
func (h handler) WithGroup(name string) slog.Handler       { return handler{h.next.WithGroup(name)} }
