package ledger

import (
	"context"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// RelatedExpenditure is another expenditure of the same unit that shares an
// invoice number or a vendor with the one under review: what a reviewer
// checks for an invoice claimed twice or split into parts.
type RelatedExpenditure struct {
	Expenditure
	// SameInvoice and SameVendor say which it shares: the invoice number and
	// the vendor as the duplicate rule compares them (InvoiceKey,
	// VendorKey).
	SameInvoice bool `db:"same_invoice" json:"same_invoice"`
	SameVendor  bool `db:"same_vendor" json:"same_vendor"`
}

// RelatedExpenditures lists the other expenditures of expenditure id's unit,
// in any status, with the same invoice number or the same vendor, newest
// first, at most limit, redacted for the actor (without their review
// rounds). An expenditure outside the actor's units, or unknown, has none.
func (s *Store) RelatedExpenditures(ctx context.Context, actor taahod.Actor, id int64, limit int) ([]RelatedExpenditure, error) {
	list := []RelatedExpenditure{}
	err := s.DB.SelectContext(ctx, &list, `
		SELECT `+expenditureColumns+`,
		       e.invoice_key = x.invoice_key AS same_invoice, e.vendor_key = x.vendor_key AS same_vendor
		  FROM expenditures x
		  JOIN expenditures e ON e.unit_id = x.unit_id AND e.id <> x.id
		                     AND (e.invoice_key = x.invoice_key OR e.vendor_key = x.vendor_key)
		  JOIN pledges p ON p.id = e.pledge_id
		 WHERE x.id = $1 AND ($2::bigint[] IS NULL OR x.unit_id = ANY($2))
		 ORDER BY e.id DESC LIMIT $3`, id, unitScope(actor), limit)
	if err != nil {
		return nil, database.MapError(err)
	}
	for i := range list {
		list[i].Redact(actor)
	}
	return list, nil
}
