package ledger

import (
	"encoding/json"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// TestSubmitChangesAreCanonical holds the hand-ordered audit changes of a
// submission to what database.CanonicalJSON makes of the same values.
func TestSubmitChangesAreCanonical(t *testing.T) {
	desc, nid := "میلگرد <و> سیمان & \"بتن\"", taahod.MakeLegalEntityID("1086234567")
	for _, in := range []NewExpenditure{
		{PledgeID: 7, Amount: json.RawMessage(`"1500.50"`), InvoiceNo: "A-1", VendorName: "فروشنده", Category: CategoryLand},
		{PledgeID: 8, Amount: json.RawMessage(`1234567890123.45`), InvoiceNo: "<b>", VendorName: "v", Category: CategoryOther,
			Description: &desc, VendorNationalID: &nid},
	} {
		on := "2025-10-01"
		in.SpentOn = &on
		if err := in.Validate(taahod.MustParseDate("2025-11-26")); err != nil {
			t.Fatal(err)
		}
		fast, err := json.Marshal(in.auditChanges())
		if err != nil {
			t.Fatal(err)
		}
		var generic map[string]any
		if err := json.Unmarshal(fast, &generic); err != nil {
			t.Fatal(err)
		}
		slow, err := database.CanonicalJSON(map[string]any{
			"pledge_id": in.PledgeID, "amount": in.amount, "spent_on": in.spentOn, "fiscal_year": in.spentOn.FiscalYear(),
			"invoice_no": in.InvoiceNo, "vendor_name": in.VendorName, "vendor_national_id": in.VendorNationalID,
			"category": in.Category, "description": in.Description,
		})
		if err != nil || slow != string(fast) {
			t.Fatalf("canonical %s\nfast      %s (%v)", slow, fast, err)
		}
	}
}
