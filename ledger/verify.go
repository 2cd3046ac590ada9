package ledger

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod/internal/database"
)

// maxLedgerFindings bounds what Verify reports of each check.
const maxLedgerFindings = 50

// Verify re-derives every balance of the ledger from its postings and checks
// the books: each transaction balances per asset and still matches the digest
// of its postings; each reversal mirrors what it reverses; each account's
// balance equals the sum of its postings and is not negative where it may not
// be; each account is what its code says, and each posting is on an account
// its transaction may move (of its unit, its year, its expenditure, in the
// direction its kind moves it), so that a transaction's unit, year, kind or
// expenditure changed behind the application's back is found too; each
// unit-year's offset stays within its tax due and its accounts agree with its
// assessment; each expenditure's account holds what its review approved and
// no more was used; and the spending sums that runs read their figures from
// (ledger_spending_sums) agree with the accounts they sum. It returns a
// summary and what it found.
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
	UnitID        int64           `db:"unit_id"`
	FiscalYear    *int            `db:"fiscal_year"`
	ExpenditureID *int64          `db:"expenditure_id"`
	MayGoNegative bool            `db:"may_go_negative"`
	Cached        decimal.Decimal `db:"balance"`
	// An expenditure's account records its year and category (0023).
	SpentYear *int    `db:"spent_year"`
	Category  *string `db:"category"`

	role     string // as its code names it
	derived  decimal.Decimal
	approved decimal.Decimal // net of approvals and their reversals
}

// account is the Account the row describes, its role read from its code.
func (a *verifiedAccount) account() Account {
	acc := Account{Asset: a.Asset, UnitID: a.UnitID, Role: a.role}
	if a.FiscalYear != nil {
		acc.FiscalYear = *a.FiscalYear
	}
	if a.ExpenditureID != nil {
		acc.ExpenditureID = *a.ExpenditureID
	}
	return acc
}

// roleOf reads an account's role from its code: the last part, or unused
// for an expenditure's account.
func roleOf(code string, expenditure *int64) string {
	if expenditure != nil {
		return roleUnused
	}
	return code[strings.LastIndexByte(code, ':')+1:]
}

// postingRules says, per kind of transaction, on which accounts its
// postings may be and in which direction (+1 in, -1 out, 0 either): an
// approval moves spending from the unit's contributions into its
// expenditure's account; an assessment moves tax between the year's
// assessed and due; an offset moves spending out of expenditures' accounts
// into the year's used, and tax from the year's due into its offset. A
// reversal moves the same the other way.
var postingRules = map[string]map[string]int{
	TxApproval:   {roleContributions: -1, roleUnused: +1},
	TxAssessment: {roleAssessed: 0, roleDue: 0},
	TxOffset:     {roleUnused: -1, roleUsed: +1, roleDue: -1, roleOffset: +1},
}

// verifiedHeader is what a transaction says of itself besides its postings.
type verifiedHeader struct {
	kind              string
	unit, expenditure int64
	year              int
	reverses          int64
	digest            []byte
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
	if err := db.SelectContext(ctx, &accounts, `
		SELECT id, code, asset, unit_id, fiscal_year, expenditure_id, may_go_negative, balance, spent_year, category
		  FROM ledger_accounts ORDER BY id`); err != nil {
		return fmt.Errorf("read ledger accounts: %w", err)
	}
	for _, a := range accounts {
		a.role = roleOf(a.Code, a.ExpenditureID)
		v.accounts[a.ID] = a
		v.byCode[a.Code] = a
		// Balances are found by code: the code must say what the row is.
		if acc := a.account(); acc.Code() != a.Code || acc.mayGoNegative() != a.MayGoNegative {
			v.report("ledger accounts", "ledger account "+a.Code, "account %d is not what its code says (unit %d, %s, year %v, expenditure %v, may go negative %v)",
				a.ID, a.UnitID, a.Asset, nullable(a.FiscalYear), nullable(a.ExpenditureID), a.MayGoNegative)
		}
	}
	return nil
}

func nullable[T any](p *T) any {
	if p == nil {
		return "none"
	}
	return *p
}

// walkPostings streams every posting with its transaction, in order, once.
func (v *verifier) walkPostings(ctx context.Context, db *database.DB) error {
	rows, err := db.QueryContext(ctx, `
		SELECT t.id, t.kind, t.unit_id, COALESCE(t.fiscal_year, 0), COALESCE(t.expenditure_id, 0), COALESCE(t.reverses, 0),
		       t.postings_sha256, p.id, p.account_id, p.amount
		  FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.transaction_id = t.id
		 ORDER BY t.id, p.id`)
	if err != nil {
		return fmt.Errorf("read ledger postings: %w", err)
	}
	defer rows.Close()
	var (
		cur   int64 = -1
		h     verifiedHeader
		lines []verifiedPosting
	)
	for rows.Next() {
		var (
			id                int64
			next              verifiedHeader
			postingID, accoID *int64
			amount            decimal.NullDecimal
		)
		if err := rows.Scan(&id, &next.kind, &next.unit, &next.year, &next.expenditure, &next.reverses, &next.digest,
			&postingID, &accoID, &amount); err != nil {
			return err
		}
		if id != cur {
			if cur >= 0 {
				v.closeTransaction(cur, h, lines)
			}
			cur, h, lines = id, next, lines[:0]
		}
		if postingID != nil {
			lines = append(lines, verifiedPosting{*postingID, *accoID, amount.Decimal})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur >= 0 {
		v.closeTransaction(cur, h, lines)
	}
	// The walk reaches postings from their transactions: look for the
	// others, postings of a transaction that does not exist (the database
	// refuses them as they are written, by set rather than by foreign key).
	var orphans int
	if err := db.GetContext(ctx, &orphans, `
		SELECT count(*) FROM ledger_postings p WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = p.transaction_id)`); err != nil {
		return fmt.Errorf("read ledger postings: %w", err)
	}
	if orphans > 0 {
		v.report("ledger balance", "ledger postings", "%d postings name a transaction that does not exist", orphans)
	}
	return nil
}

func (v *verifier) closeTransaction(id int64, h verifiedHeader, lines []verifiedPosting) {
	v.transactions++
	v.postings += len(lines)
	subject := "ledger transaction " + strconv.FormatInt(id, 10)
	if len(lines) == 0 {
		v.report("ledger balance", subject, "it has no postings")
		return
	}
	kind, reverses, digest := h.kind, h.reverses, h.digest
	effective := kind
	if kind == TxReversal {
		effective = v.kinds[reverses]
	}
	v.kinds[id] = effective
	v.checkPostingRules(id, h, effective, lines)

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

// checkPostingRules reports a transaction with a posting on an account its
// kind may not move: another unit's, another year's, another expenditure's,
// or in the wrong direction. effective is the kind of what a reversal
// reverses.
func (v *verifier) checkPostingRules(id int64, h verifiedHeader, effective string, lines []verifiedPosting) {
	rules, ok := postingRules[effective]
	if !ok {
		return // a reversal of nothing known: the mirror check names it
	}
	direction := 1
	if h.kind == TxReversal {
		direction = -1
	}
	for _, l := range lines {
		a := v.accounts[l.account]
		if a == nil {
			continue // named by the balance check
		}
		want, allowed := rules[a.role]
		acc := a.account()
		problem := ""
		switch {
		case a.UnitID != h.unit:
			problem = fmt.Sprintf("it is unit %d's, but the transaction is unit %d's", a.UnitID, h.unit)
		case !allowed:
			problem = fmt.Sprintf("%s transactions do not move %s accounts", effective, a.role)
		case effective == TxApproval && (h.year != 0 || (acc.Role == roleUnused && acc.ExpenditureID != h.expenditure)):
			problem = fmt.Sprintf("the approval is of expenditure %d (year %d)", h.expenditure, h.year)
		case effective != TxApproval && acc.Role != roleUnused && acc.FiscalYear != h.year:
			problem = fmt.Sprintf("it is %d's, but the transaction is %d's", acc.FiscalYear, h.year)
		case want != 0 && l.amount.Sign() != want*direction:
			problem = fmt.Sprintf("its sign is wrong for a posting to a %s account in a %s transaction", a.role, h.kind)
		}
		if problem != "" {
			v.report("ledger postings", "ledger transaction "+strconv.FormatInt(id, 10),
				"its %s posting %d of %s to account %s does not belong in it: %s", h.kind, l.id, l.amount, a.Code, problem)
			return
		}
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
		ID         int64            `db:"id"`
		UnitID     int64            `db:"unit_id"`
		FiscalYear int              `db:"fiscal_year"`
		Category   string           `db:"category"`
		Status     string           `db:"status"`
		Approved   *decimal.Decimal `db:"approved_amount"`
	}
	if err := db.SelectContext(ctx, &exps, `SELECT id, unit_id, fiscal_year, category, status, approved_amount FROM expenditures ORDER BY id`); err != nil {
		return fmt.Errorf("read expenditures: %w", err)
	}
	sums := map[spendingKey]*spendingSums{}
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
		if a != nil {
			if a.SpentYear == nil || *a.SpentYear != e.FiscalYear || a.Category == nil || *a.Category != e.Category {
				v.report("ledger spending sums", "ledger account "+a.Code, "it records year %v, %v, but its expenditure is of %d, %s",
					nullable(a.SpentYear), nullable(a.Category), e.FiscalYear, e.Category)
			}
			k := spendingKey{e.UnitID, e.FiscalYear, e.Category}
			if sums[k] == nil {
				sums[k] = &spendingSums{}
			}
			sums[k].add(got, unused)
		}
		subject := "expenditure " + strconv.FormatInt(e.ID, 10)
		if !got.Equal(want) {
			v.report("expenditures", subject, "the ledger has %s approved but its review (%s) says %s", got, e.Status, want)
		}
		if used := got.Sub(unused); used.GreaterThan(got) || unused.GreaterThan(got) {
			v.report("expenditures", subject, "used %s of %s approved", used, got)
		}
	}
	return v.checkSpendingSums(ctx, db, sums)
}

// spendingKey names a row of ledger_spending_sums: a unit's expenditures of
// one fiscal year and category.
type spendingKey struct {
	unit     int64
	year     int
	category string
}

// spendingSums is a row of ledger_spending_sums, as stored or as derived
// from the postings.
type spendingSums struct {
	Approved decimal.Decimal `db:"approved"`
	Unused   decimal.Decimal `db:"unused"`
	Accounts int64           `db:"accounts"`
}

func (s *spendingSums) add(approved, unused decimal.Decimal) {
	s.Approved, s.Unused = s.Approved.Add(approved), s.Unused.Add(unused)
	if unused.IsPositive() {
		s.Accounts++
	}
}

func (s spendingSums) String() string {
	return fmt.Sprintf("approved %s, unused %s in %d accounts", s.Approved, s.Unused, s.Accounts)
}

// checkSpendingSums compares the sums a run reads its figures from
// (ledger_spending_sums, kept by the posting trigger) with derived, the
// same sums of the expenditures' accounts as their postings make them.
func (v *verifier) checkSpendingSums(ctx context.Context, db *database.DB, derived map[spendingKey]*spendingSums) error {
	rows, err := db.QueryContext(ctx, `
		SELECT unit_id, fiscal_year, category, approved, unused, unused_accounts FROM ledger_spending_sums ORDER BY unit_id, fiscal_year, category`)
	if err != nil {
		return fmt.Errorf("read ledger spending sums: %w", err)
	}
	defer rows.Close()
	seen := map[spendingKey]bool{}
	for rows.Next() {
		var (
			k      spendingKey
			stored spendingSums
		)
		if err := rows.Scan(&k.unit, &k.year, &k.category, &stored.Approved, &stored.Unused, &stored.Accounts); err != nil {
			return fmt.Errorf("read ledger spending sums: %w", err)
		}
		seen[k] = true
		want := spendingSums{}
		if d := derived[k]; d != nil {
			want = *d
		}
		if !stored.Approved.Equal(want.Approved) || !stored.Unused.Equal(want.Unused) || stored.Accounts != want.Accounts {
			v.report("ledger spending sums", fmt.Sprintf("unit %d, year %d, %s", k.unit, k.year, k.category),
				"the sums say %s but the postings make %s", stored, want)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read ledger spending sums: %w", err)
	}
	keys := make([]spendingKey, 0, len(derived))
	for k := range derived {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b spendingKey) int {
		return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.year, b.year), cmp.Compare(a.category, b.category))
	})
	for _, k := range keys {
		if d := derived[k]; !d.Approved.IsZero() || !d.Unused.IsZero() {
			v.report("ledger spending sums", fmt.Sprintf("unit %d, year %d, %s", k.unit, k.year, k.category),
				"no sums are kept, but the postings make %s", *d)
		}
	}
	return nil
}
