package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod/internal/database"
)

// maxLedgerFindings bounds what Verify reports of each check.
const maxLedgerFindings = 50

// Verify re-derives every balance of the ledger from its postings and checks
// the books: each transaction balances per asset and still matches the digest
// of its postings; each reversal mirrors what it reverses; each account's
// balance equals the sum of its postings and is not negative where it may not
// be; each unit-year's offset stays within its tax due and its accounts agree
// with its assessment; each expenditure's account holds what its review
// approved and no more was used. It returns a summary and what it found.
func Verify(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
	v := verifier{
		accounts: map[int64]*verifiedAccount{},
		byCode:   map[string]*verifiedAccount{},
		kinds:    map[int64]string{},
		mirrors:  map[int64][32]byte{},
	}
	if err := v.loadAccounts(ctx, db); err != nil {
		return "", nil, err
	}
	if err := v.walkPostings(ctx, db); err != nil {
		return "", nil, err
	}
	v.checkAccounts()
	if err := v.checkTaxYears(ctx, db); err != nil {
		return "", nil, err
	}
	if err := v.checkExpenditures(ctx, db); err != nil {
		return "", nil, err
	}
	summary := fmt.Sprintf("%d transactions, %d postings, %d accounts", v.transactions, v.postings, len(v.accounts))
	return summary, v.findings, nil
}

type verifiedAccount struct {
	ID            int64           `db:"id"`
	Code          string          `db:"code"`
	Asset         string          `db:"asset"`
	ExpenditureID *int64          `db:"expenditure_id"`
	MayGoNegative bool            `db:"may_go_negative"`
	Cached        decimal.Decimal `db:"balance"`

	derived  decimal.Decimal
	approved decimal.Decimal // net of approvals and their reversals
}

type verifiedPosting struct {
	id, account int64
	amount      decimal.Decimal
}

type verifier struct {
	accounts     map[int64]*verifiedAccount
	byCode       map[string]*verifiedAccount
	kinds        map[int64]string   // transaction id → kind ("reversal of approval" counts as approval)
	mirrors      map[int64][32]byte // transaction id → signature of its postings, negated
	suspects     []verifiedPosting  // postings of transactions whose digest failed
	findings     []database.Finding
	counts       map[string]int
	transactions int
	postings     int
}

func (v *verifier) report(check, subject, format string, args ...any) {
	if v.counts == nil {
		v.counts = map[string]int{}
	}
	v.counts[check]++
	if v.counts[check] <= maxLedgerFindings {
		v.findings = append(v.findings, database.Finding{Check: check, Subject: subject, Problem: fmt.Sprintf(format, args...)})
	}
}

func (v *verifier) loadAccounts(ctx context.Context, db *database.DB) error {
	var accounts []*verifiedAccount
	if err := db.SelectContext(ctx, &accounts, `SELECT id, code, asset, expenditure_id, may_go_negative, balance FROM ledger_accounts`); err != nil {
		return fmt.Errorf("read ledger accounts: %w", err)
	}
	for _, a := range accounts {
		v.accounts[a.ID] = a
		v.byCode[a.Code] = a
	}
	return nil
}

// walkPostings streams every posting with its transaction, in order, once.
func (v *verifier) walkPostings(ctx context.Context, db *database.DB) error {
	rows, err := db.QueryContext(ctx, `
		SELECT t.id, t.kind, COALESCE(t.reverses, 0), t.postings_sha256, p.id, p.account_id, p.amount
		  FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.transaction_id = t.id
		 ORDER BY t.id, p.id`)
	if err != nil {
		return fmt.Errorf("read ledger postings: %w", err)
	}
	defer rows.Close()
	var (
		cur      int64 = -1
		kind     string
		reverses int64
		digest   []byte
		lines    []verifiedPosting
	)
	for rows.Next() {
		var (
			id, rev           int64
			k                 string
			stored            []byte
			postingID, accoID *int64
			amount            decimal.NullDecimal
		)
		if err := rows.Scan(&id, &k, &rev, &stored, &postingID, &accoID, &amount); err != nil {
			return err
		}
		if id != cur {
			if cur >= 0 {
				v.closeTransaction(cur, kind, reverses, digest, lines)
			}
			cur, kind, reverses, digest, lines = id, k, rev, stored, lines[:0]
		}
		if postingID != nil {
			lines = append(lines, verifiedPosting{*postingID, *accoID, amount.Decimal})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur >= 0 {
		v.closeTransaction(cur, kind, reverses, digest, lines)
	}
	return nil
}

func (v *verifier) closeTransaction(id int64, kind string, reverses int64, digest []byte, lines []verifiedPosting) {
	v.transactions++
	v.postings += len(lines)
	subject := "ledger transaction " + strconv.FormatInt(id, 10)
	if len(lines) == 0 {
		v.report("ledger balance", subject, "it has no postings")
		return
	}
	effective := kind
	if kind == TxReversal {
		effective = v.kinds[reverses]
	}
	v.kinds[id] = effective

	sums := map[string]decimal.Decimal{}
	accountIDs := make([]int64, len(lines))
	amounts := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		a := v.accounts[l.account]
		if a == nil {
			v.report("ledger balance", subject, "posting %d names account %d, which does not exist", l.id, l.account)
			continue
		}
		a.derived = a.derived.Add(l.amount)
		if effective == TxApproval && a.ExpenditureID != nil {
			a.approved = a.approved.Add(l.amount)
		}
		sums[a.Asset] = sums[a.Asset].Add(l.amount)
		accountIDs[i], amounts[i] = l.account, l.amount
	}
	for _, asset := range []string{AssetSpending, AssetTax} {
		if s, ok := sums[asset]; ok && !s.IsZero() {
			v.report("ledger balance", subject, "its %s postings sum to %s, not zero", asset, s)
		}
	}
	if !bytes.Equal(postingsDigest(accountIDs, amounts), digest) {
		v.report("ledger digest", subject, "its postings no longer match their digest (changed, added or removed behind the application's back)")
		v.suspects = append(v.suspects, lines...)
	}
	if kind == TxReversal {
		if want, ok := v.mirrors[reverses]; !ok || want != signature(lines, false) {
			v.report("ledger reversal", subject, "it does not mirror transaction %d, which it reverses", reverses)
		}
	} else {
		v.mirrors[id] = signature(lines, true)
	}
}

// signature identifies a set of postings whatever their order; negated gives
// the signature their reversal must have.
func signature(lines []verifiedPosting, negated bool) [32]byte {
	parts := make([]string, len(lines))
	for i, l := range lines {
		amount := l.amount
		if negated {
			amount = amount.Neg()
		}
		parts[i] = strconv.FormatInt(l.account, 10) + ":" + amount.String()
	}
	slices.Sort(parts)
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p + "\n"))
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

func (v *verifier) checkAccounts() {
	changed := map[int64]bool{}
	ids := make([]int64, 0, len(v.accounts))
	for id := range v.accounts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		a := v.accounts[id]
		if !a.Cached.Equal(a.derived) {
			changed[id] = true
			v.report("ledger balances", "ledger account "+a.Code, "its balance says %s but its postings sum to %s", a.Cached, a.derived)
		}
		if !a.MayGoNegative && a.derived.IsNegative() {
			v.report("ledger balances", "ledger account "+a.Code, "its postings sum to %s, below zero", a.derived)
		}
	}
	// A posting changed behind the application's back both breaks its
	// transaction's digest and leaves its account's cached balance behind:
	// name the postings where the two meet.
	for _, p := range v.suspects {
		if changed[p.account] {
			v.report("ledger digest", "ledger posting "+strconv.FormatInt(p.id, 10),
				"it was changed: its account %s and its transaction no longer agree", v.accounts[p.account].Code)
		}
	}
}

func (v *verifier) derived(code string) decimal.Decimal {
	if a := v.byCode[code]; a != nil {
		return a.derived
	}
	return decimal.Zero
}

func (v *verifier) checkTaxYears(ctx context.Context, db *database.DB) error {
	var years []struct {
		UnitID     int64           `db:"unit_id"`
		FiscalYear int             `db:"fiscal_year"`
		TaxDue     decimal.Decimal `db:"tax_due"`
	}
	if err := db.SelectContext(ctx, &years, `SELECT unit_id, fiscal_year, tax_due FROM tax_years ORDER BY unit_id, fiscal_year`); err != nil {
		return fmt.Errorf("read tax years: %w", err)
	}
	for _, y := range years {
		subject := fmt.Sprintf("unit %d, year %d", y.UnitID, y.FiscalYear)
		offset := v.derived(taxOffset(y.UnitID, y.FiscalYear).Code())
		if offset.GreaterThan(y.TaxDue) {
			v.report("offsets within tax due", subject, "offset %s is above the tax due %s", offset, y.TaxDue)
		}
		if assessed := v.derived(taxAssessed(y.UnitID, y.FiscalYear).Code()).Neg(); !assessed.Equal(y.TaxDue) {
			v.report("offsets within tax due", subject, "the ledger has %s assessed but the tax year says %s", assessed, y.TaxDue)
		}
		if due := v.derived(taxDue(y.UnitID, y.FiscalYear).Code()); !due.Equal(y.TaxDue.Sub(offset)) {
			v.report("offsets within tax due", subject, "%s is left due but tax due less offset is %s", due, y.TaxDue.Sub(offset))
		}
	}
	return nil
}

func (v *verifier) checkExpenditures(ctx context.Context, db *database.DB) error {
	var exps []struct {
		ID       int64            `db:"id"`
		UnitID   int64            `db:"unit_id"`
		Status   string           `db:"status"`
		Approved *decimal.Decimal `db:"approved_amount"`
	}
	if err := db.SelectContext(ctx, &exps, `SELECT id, unit_id, status, approved_amount FROM expenditures ORDER BY id`); err != nil {
		return fmt.Errorf("read expenditures: %w", err)
	}
	for _, e := range exps {
		want := decimal.Zero
		if (e.Status == "approved" || e.Status == "partially_approved") && e.Approved != nil {
			want = *e.Approved
		}
		a := v.byCode[unusedSpending(e.UnitID, e.ID).Code()]
		got, unused := decimal.Zero, decimal.Zero
		if a != nil {
			got, unused = a.approved, a.derived
		}
		subject := "expenditure " + strconv.FormatInt(e.ID, 10)
		if !got.Equal(want) {
			v.report("expenditures", subject, "the ledger has %s approved but its review (%s) says %s", got, e.Status, want)
		}
		if used := got.Sub(unused); used.GreaterThan(got) || unused.GreaterThan(got) {
			v.report("expenditures", subject, "used %s of %s approved", used, got)
		}
	}
	return nil
}
