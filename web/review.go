package web

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// mountReviews registers the tax office's home, its review queue, the
// review of one expenditure (its documents, the decision) and the reversal
// of an approval.
func (p *Pages) mountReviews(tax area) {
	tax.read.GET("", p.taxOfficeHome)
	tax.read.GET("/queue", p.reviewQueue)
	tax.read.GET("/expenditures/:id", p.reviewPage)
	tax.read.GET("/expenditures/:id/documents/:document", p.reviewDocument)
	tax.write.POST("/expenditures/:id/review", p.reviewDecision)
	tax.write.POST("/expenditures/:id/reverse", p.reverseApproval)
}

// queueFilter is the review queue's filter as typed into the queue's form
// (the API's query parameters unit_id, county, category, amount_min,
// amount_max), kept to show again and to carry from the queue to a review
// page and on to the next item.
type queueFilter struct {
	UnitID, County, Category, AmountMin, AmountMax string
}

// queueFilterNames are the filter's query parameters, in the order links
// write them.
var queueFilterNames = []string{"unit_id", "county", "category", "amount_min", "amount_max"}

// readQueueFilter reads the filter from the query as people type it
// (Persian digits, separators, Arabic letters) into the ledger's filter.
// Errors are recorded in f against their fields.
func readQueueFilter(c *gin.Context, f *form) (queueFilter, ledger.QueueFilter) {
	q := queueFilter{
		UnitID:    strings.TrimSpace(taahod.ASCIIDigits(c.Query("unit_id"))),
		County:    Text(c.Query("county")),
		Category:  strings.TrimSpace(c.Query("category")),
		AmountMin: strings.TrimSpace(c.Query("amount_min")),
		AmountMax: strings.TrimSpace(c.Query("amount_max")),
	}
	lf := ledger.QueueFilter{County: q.County, Category: q.Category}
	var ok bool
	if lf.UnitID, ok = positive(q.UnitID); !ok {
		f.fail("unit_id", "invalid_id")
	}
	if q.Category != "" && !ledger.ValidCategory(q.Category) {
		f.fail("category", "invalid_choice")
	}
	lf.AmountMin = filterAmount(f, "amount_min", q.AmountMin)
	lf.AmountMax = filterAmount(f, "amount_max", q.AmountMax)
	if !f.failed() {
		if err := lf.Validate(); err != nil {
			f.take(err)
		}
	}
	return q, lf
}

// filterAmount reads an optional amount of a filter, as typed.
func filterAmount(f *form, field, typed string) decimal.NullDecimal {
	if typed == "" {
		return decimal.NullDecimal{}
	}
	d, err := ParseAmount(typed)
	if err != nil {
		f.fail(field, parseCode(err))
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}
}

// values is the filter as query parameters, the empty ones left out.
func (q queueFilter) values() url.Values {
	v := url.Values{}
	for i, s := range []string{q.UnitID, q.County, q.Category, q.AmountMin, q.AmountMax} {
		if s != "" {
			v.Set(queueFilterNames[i], s)
		}
	}
	return v
}

// Filtered reports whether any filter is set.
func (q queueFilter) Filtered() bool { return len(q.values()) > 0 }

// with is the path with the filter, and extra parameters, as its query.
func (q queueFilter) with(path string, extra ...string) string {
	v := q.values()
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// parseCode is the field code of a parser's error (ParseAmount's names no
// field, only what is wrong), or the error's own code.
func parseCode(err error) string {
	var e *taahod.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields[0].Code
	}
	return taahod.ErrorCode(err)
}
