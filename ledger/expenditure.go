package ledger

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Expenditure statuses. An expenditure is submitted; while it is, the
// accountant may edit or withdraw it; the tax office's review approves it
// (in full), approves part of it, or rejects it. An approval is frozen
// (unless the tax office reverses it); a rejected expenditure may be
// corrected, given more evidence and resubmitted, or withdrawn.
const (
	StatusSubmitted         = "submitted"
	StatusApproved          = "approved"
	StatusPartiallyApproved = "partially_approved"
	StatusRejected          = "rejected"
	StatusWithdrawn         = "withdrawn"
	// StatusReversed ends an approval the tax office undid (see
	// ReverseApproval); its invoice may be submitted again.
	StatusReversed = "reversed"
)

// Categories of spending on a school.
const (
	CategoryLand              = "land"
	CategoryConstruction      = "construction"
	CategoryEquipment         = "equipment"
	CategoryDesignSupervision = "design_supervision"
	CategoryOther             = "other"
)

// Categories lists the categories in the order forms show them.
var Categories = []string{CategoryLand, CategoryConstruction, CategoryEquipment, CategoryDesignSupervision, CategoryOther}

// ValidExpenditureStatus reports whether s names an expenditure status.
func ValidExpenditureStatus(s string) bool {
	switch s {
	case StatusSubmitted, StatusApproved, StatusPartiallyApproved, StatusRejected, StatusWithdrawn, StatusReversed:
		return true
	}
	return false
}

// Expenditure is what a unit spent on a school against its pledge
// (هزینه‌کرد). FiscalYear is the Solar Hijri year of SpentOn. ApprovedAmount
// is set by an approval.
//
// ExceedsPledge says that the pledge's standing expenditures (submitted,
// approved or partially approved, each at its amount), taken in submission
// order up to and including this one, add up to more than the pledge: it is
// accepted, and flagged for the reviewer. Submission order is SubmittedAt
// (the submission or the last resubmission), then ID. The flag is this
// expenditure's, fixed at its place in that order: it is computed when the
// expenditure is submitted or resubmitted and when its own amount is edited,
// and no edit of another field, nor a change of another expenditure, moves
// it.
//
// The review columns (ApprovedAmount, ReviewReason, ReviewedBy, ReviewedAt)
// are the standing review's; a resubmission clears them, and Reviews keeps
// every round, the latest first. ReviewReason, ReviewedBy and the reversal's
// reason and author are the tax office's: an education officer or the
// secretariat reads the review's outcome (status, approved amount, when) but
// never its reasoning or the official's identity, which speak of the unit's
// tax affairs. See Redact.
type Expenditure struct {
	ID               int64               `db:"id" json:"id"`
	PledgeID         int64               `db:"pledge_id" json:"pledge_id"`
	UnitID           int64               `db:"unit_id" json:"unit_id"`
	SchoolID         int64               `db:"school_id" json:"school_id"`
	Amount           decimal.Decimal     `db:"amount" json:"amount"`
	SpentOn          taahod.Date         `db:"spent_on" json:"spent_on"`
	FiscalYear       int                 `db:"fiscal_year" json:"fiscal_year"`
	InvoiceNo        string              `db:"invoice_no" json:"invoice_no"`
	VendorName       string              `db:"vendor_name" json:"vendor_name"`
	VendorNationalID *string             `db:"vendor_national_id" json:"vendor_national_id"`
	Category         string              `db:"category" json:"category"`
	Description      *string             `db:"description" json:"description"`
	Status           string              `db:"status" json:"status"`
	ExceedsPledge    bool                `db:"exceeds_pledge" json:"exceeds_pledge"`
	ApprovedAmount   decimal.NullDecimal `db:"approved_amount" json:"approved_amount"`
	ReviewReason     *string             `db:"review_reason" json:"review_reason"`
	ReviewedBy       *UserRef            `db:"reviewed_by" json:"reviewed_by"`
	ReviewedAt       *time.Time          `db:"reviewed_at" json:"reviewed_at"`
	ReversedAt       *time.Time          `db:"reversed_at" json:"reversed_at"`
	ReversedBy       *UserRef            `db:"reversed_by" json:"reversed_by"`
	ReversalReason   *string             `db:"reversal_reason" json:"reversal_reason"`
	WithdrawalReason *string             `db:"withdrawal_reason" json:"withdrawal_reason"`
	WithdrawnBy      *UserRef            `db:"withdrawn_by" json:"withdrawn_by"`
	WithdrawnAt      *time.Time          `db:"withdrawn_at" json:"withdrawn_at"`
	SubmittedBy      UserRef             `db:"submitted_by" json:"submitted_by"`
	SubmittedAt      time.Time           `db:"submitted_at" json:"submitted_at"`
	CreatedAt        time.Time           `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time           `db:"updated_at" json:"updated_at"`
	Reviews          []ReviewRound       `db:"-" json:"reviews"`
}

// Redact removes what the actor may not see: the reasons and reviewers of
// the reviews, and the reversal's reason and author, for the roles kept
// from units' tax affairs.
func (e *Expenditure) Redact(actor taahod.Actor) {
	if !actor.SeesTaxFigures() {
		e.ReviewReason = nil
		e.ReviewedBy = nil
		e.ReversalReason = nil
		e.ReversedBy = nil
		for i := range e.Reviews {
			e.Reviews[i].Reason = nil
			e.Reviews[i].Reviewer = nil
		}
	}
}

// NewExpenditure is what submitting an expenditure takes. The date comes as
// spent_on ("2025-11-26") or spent_on_jalali ("1404/09/05").
type NewExpenditure struct {
	PledgeID         int64           `json:"pledge_id"`
	Amount           json.RawMessage `json:"amount"`
	SpentOn          *string         `json:"spent_on"`
	SpentOnJalali    *string         `json:"spent_on_jalali"`
	InvoiceNo        string          `json:"invoice_no"`
	VendorName       string          `json:"vendor_name"`
	VendorNationalID *string         `json:"vendor_national_id"`
	Category         string          `json:"category"`
	Description      *string         `json:"description"`

	amount                decimal.Decimal
	spentOn               taahod.Date
	vendorKey, invoiceKey string
}

// Validate checks the expenditure on its own: a positive exact amount, a
// date not after today in Tehran, an invoice number, a vendor (whose
// national id, when given, must be valid) and a category. The store checks
// it against its pledge.
func (n *NewExpenditure) Validate(today taahod.Date) error {
	var p taahod.Problems
	if n.PledgeID <= 0 {
		p.Add("pledge_id", "required", "pledge_id is required")
	}
	amount, err := taahod.ParseAmountJSON(n.Amount)
	if err != nil {
		p.AddErr("amount", err)
	}
	n.amount = amount
	n.spentOn = spentOn(&p, n.SpentOn, n.SpentOnJalali, today)
	checkInvoice(&p, &n.InvoiceNo)
	p.Text("vendor_name", &n.VendorName, true, 200)
	checkVendorNationalID(&p, &n.VendorNationalID)
	checkCategory(&p, n.Category)
	p.OptionalText("description", &n.Description, 2000)
	n.vendorKey = VendorKey(n.VendorName, n.VendorNationalID)
	n.invoiceKey = InvoiceKey(n.InvoiceNo)
	return p.Err()
}

func spentOn(p *taahod.Problems, iso, jalali *string, today taahod.Date) taahod.Date {
	d := p.Date("spent_on", text(iso), text(jalali), true)
	if !d.IsZero() && d.After(today) {
		p.Add("spent_on", "in_future", "spent_on is after today ("+today.String()+" in Tehran)")
		return taahod.Date{}
	}
	return d
}

func checkInvoice(p *taahod.Problems, s *string) {
	p.Text("invoice_no", s, true, 64)
}

func checkVendorNationalID(p *taahod.Problems, id **string) {
	if *id == nil {
		return
	}
	**id = strings.TrimSpace(**id)
	if **id == "" {
		*id = nil
		return
	}
	if _, err := taahod.ValidateNationalID(**id); err != nil {
		p.AddErr("vendor_national_id", err)
	}
}

func checkCategory(p *taahod.Problems, c string) {
	for _, k := range Categories {
		if c == k {
			return
		}
	}
	p.Add("category", "invalid_choice", "category must be one of land, construction, equipment, design_supervision, other")
}

// VendorKey identifies a vendor for the rule that one unit may not submit
// the same invoice of the same vendor twice: the vendor's national id when
// it is given ("nid:10101234567"), else its normalised name
// ("name:فولاد البرز"). Names are compared after NormaliseText, so spelling
// variants of one name (Arabic or Persian yeh and kaf, a half-space or a
// space, case) are one vendor; a vendor given once with its national id and
// once by name alone is two.
func VendorKey(name string, nationalID *string) string {
	if nationalID != nil && *nationalID != "" {
		return "nid:" + *nationalID
	}
	return "name:" + NormaliseText(name)
}

// InvoiceKey is an invoice number as compared for duplicates: normalised
// like a vendor's name, so "INV-۰۰۱" and "inv-001" are one invoice.
func InvoiceKey(invoiceNo string) string { return NormaliseText(invoiceNo) }

// NormaliseText folds the ways one Persian name or number is typed into one
// form; it is taahod.FoldText, kept under this name for its callers.
func NormaliseText(s string) string { return taahod.FoldText(s) }

// ExpenditurePatch is an edit of a submitted or rejected expenditure. Absent fields
// stay; vendor_national_id and description may be cleared with null. The
// pledge cannot change: withdraw and submit anew.
type ExpenditurePatch struct {
	Amount           taahod.Optional[json.RawMessage] `json:"amount"`
	SpentOn          taahod.Optional[string]          `json:"spent_on"`
	SpentOnJalali    taahod.Optional[string]          `json:"spent_on_jalali"`
	InvoiceNo        taahod.Optional[string]          `json:"invoice_no"`
	VendorName       taahod.Optional[string]          `json:"vendor_name"`
	VendorNationalID taahod.Optional[string]          `json:"vendor_national_id"`
	Category         taahod.Optional[string]          `json:"category"`
	Description      taahod.Optional[string]          `json:"description"`

	amount  decimal.Decimal
	spentOn taahod.Date
}

// Validate checks the fields present in the patch.
func (u *ExpenditurePatch) Validate(today taahod.Date) error {
	var p taahod.Problems
	cannotClear := func(field string, null bool) bool {
		if null {
			p.Add(field, "required", field+" cannot be cleared")
		}
		return null
	}
	if u.Amount.Set && !cannotClear("amount", u.Amount.Null) {
		d, err := taahod.ParseAmountJSON(u.Amount.Value)
		if err != nil {
			p.AddErr("amount", err)
		}
		u.amount = d
	}
	if u.SpentOn.Set || u.SpentOnJalali.Set {
		var iso, jalali *string
		if u.SpentOn.Set && !u.SpentOn.Null {
			iso = &u.SpentOn.Value
		}
		if u.SpentOnJalali.Set && !u.SpentOnJalali.Null {
			jalali = &u.SpentOnJalali.Value
		}
		u.spentOn = spentOn(&p, iso, jalali, today)
	}
	if u.InvoiceNo.Set && !cannotClear("invoice_no", u.InvoiceNo.Null) {
		checkInvoice(&p, &u.InvoiceNo.Value)
	}
	if u.VendorName.Set && !cannotClear("vendor_name", u.VendorName.Null) {
		p.Text("vendor_name", &u.VendorName.Value, true, 200)
	}
	if u.VendorNationalID.Set && !u.VendorNationalID.Null {
		id := &u.VendorNationalID.Value
		checkVendorNationalID(&p, &id)
		u.VendorNationalID.Null = id == nil
	}
	if u.Category.Set && !cannotClear("category", u.Category.Null) {
		checkCategory(&p, u.Category.Value)
	}
	if u.Description.Set && !u.Description.Null {
		p.Text("description", &u.Description.Value, false, 2000)
		u.Description.Null = u.Description.Value == ""
	}
	return p.Err()
}

// ExpenditureFilter narrows a list of expenditures. From and To bound
// spent_on, both included.
type ExpenditureFilter struct {
	UnitID     int64
	PledgeID   int64
	SchoolID   int64
	Status     string
	FiscalYear int
	From, To   taahod.Date
	Query      string // words each part of the invoice number or the vendor's name, folded
	// MissingDocuments selects the expenditures that still take evidence
	// (submitted or rejected) and have no document yet.
	MissingDocuments bool
	AfterID          int64
	Limit            int
}

// ValidCategory reports whether c is one of Categories.
func ValidCategory(c string) bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}
