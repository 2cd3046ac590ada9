package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// statusOf maps every error code to its HTTP status. A test fails when a code
// of the taahod package has no entry here.
var statusOf = map[string]int{
	taahod.EMALFORMED:           http.StatusBadRequest,
	taahod.EUNAUTHORIZED:        http.StatusUnauthorized,
	taahod.EBADCREDENTIALS:      http.StatusUnauthorized,
	taahod.EFORBIDDEN:           http.StatusForbidden,
	taahod.ENOTFOUND:            http.StatusNotFound,
	codeMethodNotAllowed:        http.StatusMethodNotAllowed,
	taahod.ECONFLICT:            http.StatusConflict,
	taahod.EIDEMPOTENCYINFLIGHT: http.StatusConflict,
	taahod.EIDEMPOTENCYLOST:     http.StatusConflict,
	taahod.ETOOLARGE:            http.StatusRequestEntityTooLarge,
	taahod.EUNSUPPORTEDMEDIA:    http.StatusUnsupportedMediaType,
	taahod.EINVALID:             http.StatusUnprocessableEntity,
	taahod.EIDEMPOTENCYREUSED:   http.StatusUnprocessableEntity,
	taahod.ERATELIMITED:         http.StatusTooManyRequests,
	taahod.EINTERNAL:            http.StatusInternalServerError,
	taahod.EUNAVAILABLE:         http.StatusServiceUnavailable,
	auth.EPASSWORDCHANGE:        http.StatusForbidden,
	auth.ELASTADMIN:             http.StatusConflict,
	registry.EUNITNOTSTAGNANT:   http.StatusConflict,
	ledger.ENOPOLICY:            http.StatusConflict,
	ledger.EPOLICYFROZEN:        http.StatusConflict,
	ledger.ENOASSESSMENT:        http.StatusConflict,
	ledger.ETAXBELOWOFFSET:      http.StatusConflict,
	ledger.ECERTIFIED:           http.StatusConflict,
	ledger.EEVIDENCEREQUIRED:    http.StatusConflict,
	ledger.ESTALEPREVIEW:        http.StatusConflict,
	certificate.ENOOFFSET:       http.StatusConflict,
	certificate.EOFFSETNEEDSRUN: http.StatusConflict,
	certificate.ENOTVALID:       http.StatusConflict,
	certificate.ENOSIGNINGKEY:   http.StatusServiceUnavailable,
	certificate.ECODEMISMATCH:   http.StatusForbidden,
	taahod.EOFFSETRUNINPROGRESS: http.StatusConflict,
}

const codeMethodNotAllowed = "method_not_allowed"

// Problem is an RFC 9457 problem document with the contract's extensions.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Code   string              `json:"code"`
	Errors []taahod.FieldError `json:"errors"`
	// ErrorsTotal counts the field errors when Errors lists only the first
	// taahod.MaxFieldErrors of them.
	ErrorsTotal int `json:"errors_total,omitempty"`
}

// unavailableRetryAfter is the Retry-After, in seconds, of a 503
// `unavailable`: a restarted PostgreSQL takes about that long to accept
// connections again, and the pool reconnects by itself, so a client that
// waits that long and retries (with its Idempotency-Key) usually gets
// through.
const unavailableRetryAfter = 2

// retryAfter is implemented by errors that tell the client when to retry.
type retryAfter interface{ RetryAfter() time.Duration }

// problem writes err as a problem document. Server-side failures are logged
// in full and told to the client only as "internal error".
func (s *Server) problem(c *gin.Context, err error) {
	code := taahod.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		// A domain-specific code is a state conflict unless the table says
		// otherwise; a code with no entry at all is a bug the table test
		// catches.
		status = http.StatusConflict
	}
	p := Problem{
		Type:   "urn:taahod:problem:" + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: taahod.ErrorMessage(err),
		Code:   code,
		Errors: []taahod.FieldError{},
	}
	var te *taahod.Error
	if errors.As(err, &te) && te.Fields != nil {
		// Copied before it is cut to its first errors: the error may be a
		// shared value.
		limited := *te
		limited.Limit()
		p.Errors, p.ErrorsTotal = limited.Fields, limited.Total
	}
	if status >= 500 {
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
			slog.String("request_id", requestID(c)), slog.String("route", c.FullPath()),
			slog.String("error", err.Error()))
		if code == taahod.EINTERNAL {
			p.Detail = "internal error"
		}
	}
	var ra retryAfter
	if errors.As(err, &ra) {
		secs := int(ra.RetryAfter().Round(time.Second) / time.Second)
		c.Header("Retry-After", strconv.Itoa(max(secs, 1)))
	} else if code == taahod.EUNAVAILABLE {
		c.Header("Retry-After", strconv.Itoa(unavailableRetryAfter))
	}
	c.Header("Content-Type", "application/problem+json")
	c.Status(status)
	body, _ := jsonMarshal(p)
	_, _ = c.Writer.Write(body)
	c.Abort()
}
