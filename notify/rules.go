package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/reports/fa"
)

// The inbox rules: who hears of an event, in which words, and which page
// shows its record. The reminders of what is overdue are rules too, with
// their own recipients (reminders.go).
const (
	RuleReviewDecided     = "review_decided"
	RuleApprovalReversed  = "approval_reversed"
	RuleCertificateIssued = "certificate_issued"
	RuleCertificateRevoke = "certificate_revoked"
	RuleProgressReported  = "progress_reported"
	RuleReviewWaiting     = "review_waiting"
	RulePledgeOverdue     = "pledge_overdue"
	RuleResolutionOverdue = "resolution_overdue"
)

// Rules lists every rule, as the inbox's filter and documentation name them.
var Rules = []string{RuleReviewDecided, RuleApprovalReversed, RuleCertificateIssued, RuleCertificateRevoke,
	RuleProgressReported, RuleReviewWaiting, RulePledgeOverdue, RuleResolutionOverdue}

type rule struct {
	rule string
	// recipients is a query of the users' ids (column id) and its
	// arguments, "" for nobody.
	recipients func(e Event) (string, []any)
	message    func(ctx context.Context, tx *database.Tx, e Event) (string, error)
	link       func(e Event) string
}

var rules = map[string]rule{
	ExpenditureReviewed: {rule: RuleReviewDecided, recipients: unitAccountants, link: expenditureLink,
		message: func(ctx context.Context, tx *database.Tx, e Event) (string, error) {
			r, unit, err := read(ctx, tx, e)
			what := fmt.Sprintf("هزینهٔ فاکتور «%s» واحد %s به مبلغ %s ریال", r.str("invoice_no"), unit, amount(r.str("amount")))
			switch r.str("status") {
			case "approved":
				return what + " تأیید شد.", err
			case "partially_approved":
				return fmt.Sprintf("%s تا %s ریال تأیید شد: %s", what, amount(r.str("approved_amount")), r.str("reason")), err
			}
			return what + " رد شد: " + r.str("reason"), err
		}},
	ExpenditureReversed: {rule: RuleApprovalReversed, recipients: unitAccountants, link: expenditureLink,
		message: func(ctx context.Context, tx *database.Tx, e Event) (string, error) {
			r, unit, err := read(ctx, tx, e)
			return fmt.Sprintf("تأیید هزینهٔ فاکتور «%s» واحد %s برگشت خورد: %s", r.str("invoice_no"), unit, r.str("reason")), err
		}},
	CertificateIssued: {rule: RuleCertificateIssued, recipients: unitAccountants, link: taxYearLink,
		message: func(ctx context.Context, tx *database.Tx, e Event) (string, error) {
			r, unit, err := read(ctx, tx, e)
			return fmt.Sprintf("گواهی %s سال %s واحد %s به مبلغ %s ریال صادر شد.", r.str("serial"), fa.Digits(r.str("fiscal_year")),
				unit, amount(r.str("offset_amount"))), err
		}},
	CertificateRevoked: {rule: RuleCertificateRevoke, recipients: unitAccountants, link: taxYearLink,
		message: func(ctx context.Context, tx *database.Tx, e Event) (string, error) {
			r, unit, err := read(ctx, tx, e)
			return fmt.Sprintf("گواهی %s سال %s واحد %s ابطال شد: %s", r.str("serial"), fa.Digits(r.str("fiscal_year")),
				unit, r.str("reason")), err
		}},
	SchoolProgressReported: {rule: RuleProgressReported, link: schoolLink,
		recipients: func(e Event) (string, []any) {
			return `SELECT id FROM users WHERE role = 'education_officer' AND NOT disabled AND id <> $1`, []any{e.Actor.UserID}
		},
		message: func(ctx context.Context, tx *database.Tx, e Event) (string, error) {
			r, _, err := read(ctx, tx, e)
			if err != nil {
				return "", err
			}
			var school string
			if err := tx.GetContext(ctx, &school, `SELECT name FROM schools WHERE id = $1`, r.str("school_id")); err != nil {
				return "", err
			}
			return fmt.Sprintf("گزارش پیشرفت «%s» (%s٪) برای %s ثبت شد.", r.str("milestone"), fa.Digits(r.str("percent")), school), nil
		}},
}

// unitAccountants are the enabled accountants of the event's unit, but
// the one who made the change.
func unitAccountants(e Event) (string, []any) {
	return `SELECT u.id FROM users u JOIN user_units uu ON uu.user_id = u.id
	         WHERE uu.unit_id = $1 AND u.role = 'accountant' AND NOT u.disabled AND u.id <> $2`,
		[]any{e.UnitID, e.Actor.UserID}
}

func expenditureLink(e Event) string { return fmt.Sprintf("/accountant/expenditures/%v", e.SubjectID) }

func taxYearLink(e Event) string {
	return fmt.Sprintf("/accountant/units/%d/tax-years/%v", e.UnitID, e.Resource["fiscal_year"])
}

func schoolLink(e Event) string { return fmt.Sprintf("/education/schools/%v", e.Resource["school_id"]) }

// resource is an event's resource as JSON gives it back: amounts and ids
// as the text they are written in.
type resource map[string]any

func (r resource) str(key string) string {
	switch v := r[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// read returns the event's resource as JSON gives it back and the name of
// its unit (read in tx), for the message.
func read(ctx context.Context, tx *database.Tx, e Event) (resource, string, error) {
	raw, err := json.Marshal(e.Resource)
	if err != nil {
		return nil, "", err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var r resource
	if err := dec.Decode(&r); err != nil {
		return nil, "", err
	}
	var unit string
	if e.UnitID != 0 {
		if err := tx.GetContext(ctx, &unit, `SELECT name FROM units WHERE id = $1`, e.UnitID); err != nil {
			return r, "", err
		}
	}
	return r, "«" + unit + "»", nil
}

// amount writes a canonical amount as the pages do: Persian digits grouped
// by thousands.
func amount(s string) string {
	if s == "" {
		return ""
	}
	return fa.GroupAmount(strings.TrimSpace(s))
}
