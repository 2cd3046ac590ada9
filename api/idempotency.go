package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/taahod/taahod/internal/metrics"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
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
	IdempotencyRetention = database.ClaimRetention
)

// answerLostAfter is how long a key whose work committed may go without its
// stored response before a retry is told the response was lost: longer than
// the few seconds between a commit and the store, however slowly the
// handler renders or the database answers (storeAnswer retries for about
// 6 s).
const answerLostAfter = 30 * time.Second

// idempotency makes a POST, PUT or PATCH with an Idempotency-Key happen once
// per user and key. A request whose key is known replays the stored response
// (422 when the key was used for another request). A new key travels in the
// request's context as a database.Claim: the handler's first writing
// transaction records it together with its change (internal/database
// claim.go), so that a crash or a database fault can never leave a key
// claimed without its work, nor work done without its key. The handler's
// answer is held back until the key's row has it, and then sent; if the
// process dies in between, a retry finds the work committed without an
// answer and is told where the work went (409 idempotency_response_lost with
// Location) once answerLostAfter has passed, 409 idempotency_key_in_use
// before. A request that changed nothing stores its answer (a 422, say) under
// the key unless it failed on our side (5xx), which leaves the key free.
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
	// A route whose one statement checks the key (and forgets it past the
	// retention) is spared the look-up: a known key makes its statement
	// write nothing, and the claim says so (ClaimTaken, below).
	if c.Request.Method != http.MethodPost || !s.keysInStatement[c.FullPath()] {
		if known, err := s.keyKnown(ctx, user, key); err != nil {
			s.problem(c, err)
			return
		} else if known {
			s.replay(c, user, key, hash)
			return
		}
	}

	claim := &database.Claim{UserID: user, Key: key, Hash: hash}
	c.Request = c.Request.WithContext(database.WithClaim(ctx, claim))
	real := c.Writer
	w := newHeldAnswer(real)
	c.Writer = w
	defer func() { c.Writer = real }()
	c.Next()
	c.Writer = real

	switch claim.State() {
	case database.ClaimTaken:
		// Another request with the key committed first; this one's
		// transaction rolled back: answer as that one did.
		s.replay(c, user, key, hash)
		return
	case database.ClaimCommitted:
		if stored, ok := claim.StoredAnswer(); ok {
			s.keepStoredAnswer(c, user, key, w, stored)
		} else if w.Status() < 500 {
			s.storeAnswer(c, user, key, w, storeAnswerSQL)
		}
	case database.ClaimOpen:
		if w.Status() < 500 {
			stored, err := s.storeUnchangedAnswer(c, user, key, hash, w)
			if err != nil {
				s.log.Error("store idempotent response", "request_id", requestID(c), "error", err)
			} else if !stored {
				s.replay(c, user, key, hash)
				return
			}
		}
	}
	// ClaimBusy: the handler's answer is the 409 idempotency_key_in_use, and
	// nothing is stored.
	w.send()
}

// keyKnown reports whether the user's key has a row; a row older than the
// retention is forgotten first.
// One statement does both, sparing the hot path a round trip: the
// statement's snapshot still holds the row its DELETE removes, so the
// question leaves out what the DELETE forgets.
func (s *Server) keyKnown(ctx context.Context, user int64, key string) (bool, error) {
	st, err := s.db.Prepared(ctx, keyKnownSQL)
	if err != nil {
		return false, err
	}
	var known bool
	err = st.GetContext(ctx, &known, user, key, s.db.Now().Add(-IdempotencyRetention))
	return known, database.MapError(err)
}

// keyKnownSQL is keyKnown's statement; it runs at every request with a key.
const keyKnownSQL = `
	WITH forgotten AS (
		DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < $3
	)
	SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at >= $3)`

// answerOf is what the key keeps of an answer: its status, type, body (the
// one without a once-shown secret where the handler left one) and the
// headers a replay repeats.
func answerOf(c *gin.Context, w *heldAnswer) (status int, contentType string, body []byte, headers string) {
	body = w.body.Bytes()
	if kept, ok := c.Get(replayBodyKey); ok {
		body = kept.([]byte)
	}
	kept := map[string]string{}
	for _, h := range replayedHeaders {
		if v := w.Header().Get(h); v != "" {
			kept[h] = v
		}
	}
	raw, _ := json.Marshal(kept) // a map of strings always encodes
	return w.Status(), w.Header().Get("Content-Type"), body, string(raw)
}

// storeAnswer puts the answer of committed work into its key's row before
// the client sees it, retrying for a few seconds through a database fault
// (the client is still waiting); should it fail for good, the row stays
// without an answer and a later retry learns where the work went.
// query is storeAnswerSQL, or replaceAnswerSQL for keepStoredAnswer.
func (s *Server) storeAnswer(c *gin.Context, user int64, key string, w *heldAnswer, query string) {
	status, contentType, body, headers := answerOf(c, w)
	ctx := context.WithoutCancel(c.Request.Context())
	var err error
	for attempt, wait := 1, 50*time.Millisecond; attempt <= 7; attempt, wait = attempt+1, wait*2 {
		var st *sqlx.Stmt
		if st, err = s.db.Prepared(ctx, query); err == nil {
			_, err = st.ExecContext(ctx, user, key, status, contentType, body, headers, s.db.Now())
		}
		if err == nil {
			return
		}
		time.Sleep(wait)
	}
	s.log.Error("store idempotent response", "request_id", requestID(c), "error", err)
}

// storeAnswerSQL is storeAnswer's statement; it runs at every request with
// a key that changed something.
const storeAnswerSQL = `
	UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5, headers = $6, completed_at = $7
	 WHERE user_id = $1 AND key = $2 AND status IS NULL`

// replaceAnswerSQL is storeAnswerSQL over an answer already stored.
const replaceAnswerSQL = `
	UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5, headers = $6, completed_at = $7
	 WHERE user_id = $1 AND key = $2`

// keepStoredAnswer checks that the answer a statement stored with the key
// (database.StoredAnswer) is the one the handler rendered, as it is by
// construction: both come from one rendering, the statement's with holes.
// Should they ever differ, the handler's replaces it (unless the handler
// failed on our side, 5xx, when the stored one stays for the retry), so that
// a replay still repeats what the client got; the difference is logged as
// the bug it is.
func (s *Server) keepStoredAnswer(c *gin.Context, user int64, key string, w *heldAnswer, stored database.StoredAnswer) {
	status, contentType, body, headers := answerOf(c, w)
	if status == stored.Status && contentType == stored.ContentType && bytes.Equal(body, stored.Body) && headers == string(stored.Headers) {
		return
	}
	s.log.Error("the answer stored with the idempotency key is not the handler's", "request_id", requestID(c),
		"stored_status", stored.Status, "status", status)
	if status < 500 {
		s.storeAnswer(c, user, key, w, replaceAnswerSQL)
	}
}

// storeUnchangedAnswer keeps the answer of a request that changed nothing
// under its key; it reports false when the key was taken meanwhile. A row
// of the key past the retention is forgotten: a route whose statement checks
// the key has not had keyKnown forget it.
func (s *Server) storeUnchangedAnswer(c *gin.Context, user int64, key string, hash []byte, w *heldAnswer) (bool, error) {
	status, contentType, body, headers := answerOf(c, w)
	now := s.db.Now()
	res, err := s.db.ExecContext(context.WithoutCancel(c.Request.Context()), `
		INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, status, content_type, body, headers, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $4)
		ON CONFLICT (user_id, key) DO UPDATE SET request_hash = $3, created_at = $4, status = $5, content_type = $6,
		       body = $7, headers = $8, completed_at = $4, target_type = NULL, target_id = NULL
		 WHERE idempotency_keys.created_at < $9`,
		user, key, hash, now, status, contentType, body, headers, now.Add(-IdempotencyRetention))
	if err != nil {
		return false, err
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
		CreatedAt   time.Time      `db:"created_at"`
		TargetType  sql.NullString `db:"target_type"`
		TargetID    sql.NullString `db:"target_id"`
	}
	err := s.db.GetContext(c.Request.Context(), &row, `
		SELECT request_hash, status, content_type, body, headers, created_at, target_type, target_id
		  FROM idempotency_keys WHERE user_id = $1 AND key = $2`, user, key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Forgotten past the retention between the two reads.
		s.problem(c, taahod.Errorf(taahod.EIDEMPOTENCYINFLIGHT, "the first request with this Idempotency-Key has just expired; send it again"))
		return
	case err != nil:
		s.problem(c, database.MapError(err))
		return
	case !bytes.Equal(row.Hash, hash):
		s.problem(c, taahod.Errorf(taahod.EIDEMPOTENCYREUSED, "this Idempotency-Key was used for a different request"))
		return
	case !row.Status.Valid && s.db.Now().Sub(row.CreatedAt) < answerLostAfter:
		s.problem(c, taahod.Errorf(taahod.EIDEMPOTENCYINFLIGHT, "the first request with this Idempotency-Key is still running"))
		return
	case !row.Status.Valid:
		s.answerLost(c, row.TargetType.String, row.TargetID.String)
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
	metrics.IdempotencyReplay()
	c.Data(int(row.Status.Int32), row.ContentType.String, row.Body)
	c.Abort()
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

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
