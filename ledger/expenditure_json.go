package ledger

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// MarshalJSON writes the expenditure with the Solar Hijri twins of its
// dates. It is written out by hand because an expenditure is the answer of
// the busiest route, and reflection costs there; TestExpenditureJSON holds
// it to what encoding/json writes for the same fields.
func (e Expenditure) MarshalJSON() ([]byte, error) {
	return e.appendJSON(make([]byte, 0, 1024), false), nil
}

// The holes of a submission's answer (database.Hole): the values that only
// the submitting statement knows. submitAnsweredSQL gives them in this order.
const (
	holeID = 1 + iota
	holeUnitID
	holeSchoolID
	holeExceedsPledge
)

// appendJSON writes MarshalJSON's text; with holes, the id, unit, school and
// exceeds_pledge are written as the holes above, for a submission's answer
// rendered before its statement runs (SubmitExpenditure).
func (e Expenditure) appendJSON(b []byte, holes bool) []byte {
	num := func(b []byte, hole int, v int64) []byte {
		if holes {
			return append(b, database.Hole(hole)...)
		}
		return strconv.AppendInt(b, v, 10)
	}
	b = append(b, `{"id":`...)
	b = num(b, holeID, e.ID)
	b = append(b, `,"pledge_id":`...)
	b = strconv.AppendInt(b, e.PledgeID, 10)
	b = append(b, `,"unit_id":`...)
	b = num(b, holeUnitID, e.UnitID)
	b = append(b, `,"school_id":`...)
	b = num(b, holeSchoolID, e.SchoolID)
	b = append(b, `,"amount":`...)
	b = appendDecimal(b, e.Amount)
	b = append(b, `,"spent_on":`...)
	b = appendNullString(b, e.SpentOn.String())
	b = append(b, `,"fiscal_year":`...)
	b = strconv.AppendInt(b, int64(e.FiscalYear), 10)
	b = append(b, `,"invoice_no":`...)
	b = appendString(b, e.InvoiceNo)
	b = append(b, `,"vendor_name":`...)
	b = appendString(b, e.VendorName)
	b = append(b, `,"vendor_national_id":`...)
	b = appendStringPtr(b, e.VendorNationalID)
	b = append(b, `,"category":`...)
	b = appendString(b, e.Category)
	b = append(b, `,"description":`...)
	b = appendStringPtr(b, e.Description)
	b = append(b, `,"status":`...)
	b = appendString(b, e.Status)
	b = append(b, `,"exceeds_pledge":`...)
	if holes {
		b = append(b, database.Hole(holeExceedsPledge)...)
	} else {
		b = strconv.AppendBool(b, e.ExceedsPledge)
	}
	b = append(b, `,"approved_amount":`...)
	if e.ApprovedAmount.Valid {
		b = appendDecimal(b, e.ApprovedAmount.Decimal)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"review_reason":`...)
	b = appendStringPtr(b, e.ReviewReason)
	b = append(b, `,"reviewed_by":`...)
	b = appendUserRef(b, e.ReviewedBy)
	b = append(b, `,"reviewed_at":`...)
	b = appendTimePtr(b, e.ReviewedAt)
	b = append(b, `,"reversed_at":`...)
	b = appendTimePtr(b, e.ReversedAt)
	b = append(b, `,"reversed_by":`...)
	b = appendUserRef(b, e.ReversedBy)
	b = append(b, `,"reversal_reason":`...)
	b = appendStringPtr(b, e.ReversalReason)
	b = append(b, `,"withdrawal_reason":`...)
	b = appendStringPtr(b, e.WithdrawalReason)
	b = append(b, `,"withdrawn_by":`...)
	b = appendUserRef(b, e.WithdrawnBy)
	b = append(b, `,"withdrawn_at":`...)
	b = appendTimePtr(b, e.WithdrawnAt)
	b = append(b, `,"submitted_by":`...)
	b = appendUserRef(b, &e.SubmittedBy)
	b = append(b, `,"submitted_at":`...)
	b = appendTimePtr(b, &e.SubmittedAt)
	b = append(b, `,"created_at":`...)
	b = appendTimePtr(b, &e.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTimePtr(b, &e.UpdatedAt)
	b = append(b, `,"reviews":[`...)
	for i, r := range e.Reviews {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.appendJSON(b)
	}
	b = append(b, ']')
	b = append(b, `,"spent_on_jalali":`...)
	b = appendString(b, e.SpentOn.Jalali())
	b = append(b, `,"reviewed_at_jalali":`...)
	b = appendStringPtr(b, taahod.JalaliTimePtr(e.ReviewedAt))
	b = append(b, `,"reversed_at_jalali":`...)
	b = appendStringPtr(b, taahod.JalaliTimePtr(e.ReversedAt))
	b = append(b, `,"withdrawn_at_jalali":`...)
	b = appendStringPtr(b, taahod.JalaliTimePtr(e.WithdrawnAt))
	b = append(b, `,"submitted_at_jalali":`...)
	b = appendStringPtr(b, taahod.JalaliTimePtr(&e.SubmittedAt))
	b = append(b, `,"created_at_jalali":`...)
	b = appendStringPtr(b, taahod.JalaliTimePtr(&e.CreatedAt))
	b = append(b, `,"updated_at_jalali":`...)
	b = appendStringPtr(b, taahod.JalaliTimePtr(&e.UpdatedAt))
	return append(b, '}')
}

// appendString writes s as a JSON string: quotes, backslashes and control
// characters escaped, the rest as it is (the service's answers are not
// HTML, as the api's encoder also says).
func appendString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s) // replaces the bad bytes as encoding/json does
		return append(b, q...)
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// appendNullString writes "" as null: the zero Date's form.
func appendNullString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// appendDecimal writes an amount as decimal.Decimal's MarshalJSON does: a
// string in canonical form.
func appendDecimal(b []byte, d decimal.Decimal) []byte {
	b = append(b, '"')
	b = append(b, d.String()...)
	return append(b, '"')
}

// appendUserRef writes a user as {"id","full_name"}, or null.
func appendUserRef(b []byte, u *UserRef) []byte {
	if u == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, u.ID, 10)
	b = append(b, `,"full_name":`...)
	b = appendString(b, u.FullName)
	return append(b, '}')
}

func appendTimePtr(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}
