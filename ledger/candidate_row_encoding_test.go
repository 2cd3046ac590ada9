package ledger

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/dbtest"
)

// The packed candidate row cuts its texts by their lengths in characters,
// which the client's UTF-8 keeps, and not in bytes, which it does not: in
// a database whose own encoding is WIN1256 a Persian letter is one byte,
// and two in UTF-8. The texts read back exactly in a UTF-8 database and in
// a WIN1256 one. (WIN1256 has no Persian yeh, U+06CC, so Taahod's books
// need a UTF-8 database anyway: the texts here do without it. The row
// does not rely on that.)
func TestCandidateRowReadsBackInAnyEncoding(t *testing.T) {
	admin, err := sqlx.Open("postgres", dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	texts := [3]string{"فاکتور، الف-7", "فروشگاه «پارس»،\u200cگچ و ژ", "مدرسه شاهد, چمران"}
	for _, encoding := range []string{"UTF8", "WIN1256"} {
		t.Run(encoding, func(t *testing.T) {
			name := fmt.Sprintf("taahod_encoding_%s_%d", strings.ToLower(encoding), os.Getpid())
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name); err != nil {
				t.Fatal(err)
			}
			if _, err := admin.Exec(`CREATE DATABASE ` + name + ` ENCODING '` + encoding + `' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name) })
			u, err := url.Parse(dbtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			u.Path = "/" + name
			db, err := sqlx.Open("postgres", u.String())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var row string
			if err := db.Get(&row, `SELECT `+candidateRowColumn+`
				  FROM (VALUES (7::bigint, 1000.50::numeric(40,2))) a(id, balance),
				       (VALUES (42::bigint, 1404, DATE '2025-09-26', $1::text, $2::text, 'construction'::text))
				         e(id, fiscal_year, spent_on, invoice_no, vendor_name, category),
				       (VALUES (3::bigint, $3::text)) s(id, name)`, texts[0], texts[1], texts[2]); err != nil {
				t.Fatal(err)
			}
			var (
				c  Candidate
				tx shownText
				a  StatementAllocation
			)
			if err := parseCandidateRow(row, &c, &tx); err != nil {
				t.Fatal(err)
			}
			tx.show(&c, &a)
			if a.InvoiceNo != texts[0] || a.VendorName != texts[1] || a.Category != "construction" || a.SchoolName != texts[2] ||
				c.ExpenditureID != 42 || c.Unused.String() != "1000.5" || c.SpentOn.String() != "2025-09-26" {
				t.Errorf("%q read as %+v and %+v", row, c, a)
			}
		})
	}
}
