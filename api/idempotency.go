package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// replayBodyKey is where a handler leaves, when its answer holds a secret
// shown only once (a one-time password), the answer without it: that is
// what the key keeps, and what a replay repeats.
const replayBodyKey = "taahod.replay_body"

// replayedHeaders are the response headers a replay repeats besides the
// content type: where a created resource is, how it may be cached, a file's
// name.
var replayedHeaders = []string{"Location", "Cache-Control", "Pragma", "Content-Disposition"}

const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"
	// IdempotencyRetention is how long keys are kept: at least the
	// contract's 24 hours.
	IdempotencyRetention = 48 * time.Hour
)

// idempotency makes a POST, PUT or PATCH with an Idempotency-Key happen once
// per user and key. The first request claims the key (a committed row without
// a response) and runs; its response is stored unless it failed on our side
// (5xx), in which case the claim is released so that a retry can run. A later
// request with the key and the same method, path and body replays the stored
// response; with another body it is 422; while the first still runs it is 409.
func (s *Server) idempotency(c *gin.Context) {
	key := c.GetHeader(idempotencyHeader)
	if key == "" || c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	if len(key) > 255 || !printableASCII(key) {
		s.problem(c, &taahod.Error{Code: taahod.EMALFORMED, Message: "the Idempotency-Key must be 1 to 255 printable ASCII characters",
			Fields: []taahod.FieldError{{Field: idempotencyHeader, Code: "invalid_key", Message: "1 to 255 printable ASCII characters"}}})
		return
	}
	body, err := readBody(c)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Request.Body = readCloser{bytes.NewReader(body)}
	hash := requestFingerprint(c.Request.Method, c.Request.URL.RequestURI(), c.GetHeader("Content-Type"), body)

	ctx := c.Request.Context()
	user := actor(c).UserID
	claimed, err := s.claimKey(ctx, user, key, hash)
	if err != nil {
		s.problem(c, err)
		return
	}
	if !claimed {
		s.replay(c, user, key, hash)
		return
	}
	w := &capture{ResponseWriter: c.Writer}
	c.Writer = w
	done := false
	defer func() {
		if !done { // the handler panicked: release the key for a retry
			s.releaseKey(user, key)
		}
	}()
	c.Next()
	done = true
	if w.Status() >= 500 {
		s.releaseKey(user, key)
		return
	}
	answer := w.body.Bytes()
	if kept, ok := c.Get(replayBodyKey); ok {
		answer = kept.([]byte)
	}
	headers := map[string]string{}
	for _, h := range replayedHeaders {
		if v := w.Header().Get(h); v != "" {
			headers[h] = v
		}
	}
	keptHeaders, _ := json.Marshal(headers) // a map of strings always encodes
	_, err = s.db.ExecContext(context.WithoutCancel(ctx), `
		UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5, headers = $6, completed_at = $7
		 WHERE user_id = $1 AND key = $2`,
		user, key, w.Status(), w.Header().Get("Content-Type"), answer, string(keptHeaders), s.db.Now())
	if err != nil {
		s.log.Error("store idempotent response", "request_id", requestID(c), "error", err)
	}
}

// claimKey inserts the key; it reports false when the key was there already.
// A key older than the retention is forgotten first.
func (s *Server) claimKey(ctx context.Context, user int64, key string, hash []byte) (bool, error) {
	now := s.db.Now()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < $3`,
		user, key, now.Add(-IdempotencyRetention)); err != nil {
		return false, database.MapError(err)
	}
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, key) DO NOTHING`, user, key, hash, now)
	if err != nil {
		return false, database.MapError(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (s *Server) replay(c *gin.Context, user int64, key string, hash []byte) {
	var row struct {
		Hash        []byte         `db:"request_hash"`
		Status      sql.NullInt32  `db:"status"`
		ContentType sql.NullString `db:"content_type"`
		Body        []byte         `db:"body"`
		Headers     []byte         `db:"headers"`
	}
	err := s.db.GetContext(c.Request.Context(), &row, `
		SELECT request_hash, status, content_type, body, headers FROM idempotency_keys WHERE user_id = $1 AND key = $2`, user, key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Released between our claim and this read: the first request failed.
		s.problem(c, taahod.Errorf(taahod.EIDEMPOTENCYINFLIGHT, "a request with this Idempotency-Key just failed; send it again"))
		return
	case err != nil:
		s.problem(c, database.MapError(err))
		return
	case !bytes.Equal(row.Hash, hash):
		s.problem(c, taahod.Errorf(taahod.EIDEMPOTENCYREUSED, "this Idempotency-Key was used for a different request"))
		return
	case !row.Status.Valid:
		s.problem(c, taahod.Errorf(taahod.EIDEMPOTENCYINFLIGHT, "the first request with this Idempotency-Key is still running"))
		return
	}
	var headers map[string]string
	if len(row.Headers) > 0 {
		if err := json.Unmarshal(row.Headers, &headers); err != nil {
			s.problem(c, fmt.Errorf("stored headers of an idempotent response: %w", err))
			return
		}
	}
	for _, h := range replayedHeaders {
		if v, ok := headers[h]; ok {
			c.Header(h, v)
		}
	}
	c.Header(replayedHeader, "true")
	c.Data(int(row.Status.Int32), row.ContentType.String, row.Body)
	c.Abort()
}

// releaseKey forgets a claim whose request did not finish, whatever the
// request's own context says.
func (s *Server) releaseKey(user int64, key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL`, user, key); err != nil {
		s.log.Error("release idempotency key", "error", err)
	}
}

// PurgeIdempotencyKeys removes keys past the retention and returns how many.
func PurgeIdempotencyKeys(ctx context.Context, db *database.DB) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, db.Now().Add(-IdempotencyRetention))
	if err != nil {
		return 0, database.MapError(err)
	}
	return res.RowsAffected()
}

// requestFingerprint is what makes two requests "the same" for an
// idempotency key: method, path and query, media type and body. A multipart
// body is taken part by part (form name, file name, part type, content), so
// that a client's retry with a new boundary is still the same request.
func requestFingerprint(method, uri, contentType string, body []byte) []byte {
	h := sha256.New()
	mt, params, _ := mime.ParseMediaType(contentType)
	fmt.Fprintf(h, "%s\n%s\n%s\n", method, uri, mt)
	if strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" {
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := r.NextPart()
			if err != nil {
				if err != io.EOF {
					// Not a well-formed multipart body: fall back to its bytes,
					// as the handler will refuse it anyway.
					fmt.Fprintf(h, "malformed\n")
					h.Write(body)
				}
				break
			}
			content, _ := io.ReadAll(part)
			fmt.Fprintf(h, "part %q %q %q %d\n", part.FormName(), part.FileName(), part.Header.Get("Content-Type"), len(content))
			h.Write(content)
		}
		return h.Sum(nil)
	}
	h.Write(body)
	return h.Sum(nil)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// capture keeps a copy of what the handler writes.
type capture struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *capture) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *capture) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
