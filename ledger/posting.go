package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod/internal/database"
)

// Assets: a transaction balances in each.
const (
	AssetSpending = "spending"
	AssetTax      = "tax"
)

// Ledger transaction kinds.
const (
	TxApproval   = "approval"
	TxAssessment = "assessment"
	TxOffset     = "offset"
	TxReversal   = "reversal"
)

// Account names one ledger account of a unit. Its code is derived from the
// other fields, so the same account is always found again.
type Account struct {
	Asset         string
	UnitID        int64
	FiscalYear    int   // 0 when the account is not per year
	ExpenditureID int64 // 0 unless the account is one expenditure's
	Role          string

	id int64 // the account's id when the caller read it from the books already
}

// Account roles.
const (
	roleContributions = "contributions" // spending: the source of approved spending (negative)
	roleUnused        = "unused"        // spending: one expenditure's approved, unused part
	roleUsed          = "used"          // spending: used by a year's offsets
	roleAssessed      = "assessed"      // tax: the source of a year's tax (negative)
	roleDue           = "due"           // tax: what is left to pay of a year's tax
	roleOffset        = "offset"        // tax: what spending has offset of a year's tax
)

// Code is the account's unique name, such as "unit:7:tax:1404:due".
func (a Account) Code() string {
	switch {
	case a.ExpenditureID != 0:
		return fmt.Sprintf("unit:%d:spending:expenditure:%d", a.UnitID, a.ExpenditureID)
	case a.FiscalYear != 0:
		return fmt.Sprintf("unit:%d:%s:%d:%s", a.UnitID, a.Asset, a.FiscalYear, a.Role)
	}
	return fmt.Sprintf("unit:%d:%s:%s", a.UnitID, a.Asset, a.Role)
}

func (a Account) mayGoNegative() bool { return a.Role == roleContributions || a.Role == roleAssessed }

func contributions(unit int64) Account {
	return Account{Asset: AssetSpending, UnitID: unit, Role: roleContributions}
}
func unusedSpending(unit, expenditure int64) Account {
	return Account{Asset: AssetSpending, UnitID: unit, ExpenditureID: expenditure, Role: roleUnused}
}
func usedSpending(unit int64, year int) Account {
	return Account{Asset: AssetSpending, UnitID: unit, FiscalYear: year, Role: roleUsed}
}
func taxAssessed(unit int64, year int) Account {
	return Account{Asset: AssetTax, UnitID: unit, FiscalYear: year, Role: roleAssessed}
}
func taxDue(unit int64, year int) Account {
	return Account{Asset: AssetTax, UnitID: unit, FiscalYear: year, Role: roleDue}
}
func taxOffset(unit int64, year int) Account {
	return Account{Asset: AssetTax, UnitID: unit, FiscalYear: year, Role: roleOffset}
}

// Posting moves an amount into (positive) or out of (negative) an account.
type Posting struct {
	Account Account
	Amount  decimal.Decimal
}

// Transaction is one balanced movement of the ledger.
type Transaction struct {
	Kind          string
	UnitID        int64
	FiscalYear    int
	ExpenditureID int64
	Reverses      int64
	Memo          string
	Postings      []Posting
}

// postingsDigest is the SHA-256 of a transaction's postings in canonical
// form: one line "account_id:amount" per posting, in the order they are
// stored (by posting id), amounts canonical.
func postingsDigest(accountIDs []int64, amounts []decimal.Decimal) []byte {
	text := make([]string, len(amounts))
	for i, a := range amounts {
		text[i] = a.String()
	}
	return postingsDigestOfText(accountIDs, text)
}

// postingsDigestOfText is postingsDigest of amounts already in canonical
// text (decimal.Decimal's String), as the store sends them: a run of 10,000
// postings formats each amount once.
func postingsDigestOfText(accountIDs []int64, amounts []string) []byte {
	h := sha256.New()
	var line []byte
	for i := range accountIDs {
		line = strconv.AppendInt(line[:0], accountIDs[i], 10)
		line = append(line, ':')
		line = append(line, amounts[i]...)
		line = append(line, '\n')
		h.Write(line)
	}
	return h.Sum(nil)
}

// post appends a transaction: it checks that the postings balance per asset,
// finds or opens their accounts, and inserts the transaction and its
// postings. Account balances follow by trigger; the database checks again at
// commit that the transaction balances. It returns the transaction's id.
// Its statements run prepared when ps has them.
func post(ctx context.Context, ps prepared, tx *database.Tx, actorID *int64, t Transaction) (int64, error) {
	sums := map[string]decimal.Decimal{}
	postings := make([]Posting, 0, len(t.Postings)) // a run's are 10,003
	for _, p := range t.Postings {
		if p.Amount.IsZero() {
			continue
		}
		sums[p.Account.Asset] = sums[p.Account.Asset].Add(p.Amount)
		postings = append(postings, p)
	}
	for asset, sum := range sums {
		if !sum.IsZero() {
			return 0, fmt.Errorf("ledger %s transaction of unit %d does not balance in %s: %s", t.Kind, t.UnitID, asset, sum)
		}
	}
	if len(postings) == 0 {
		return 0, fmt.Errorf("ledger %s transaction of unit %d has no postings", t.Kind, t.UnitID)
	}
	// Accounts the caller knows by id (a run's expenditures, read with
	// their balances) need no finding.
	var unknown []Posting
	for _, p := range postings {
		if p.Account.id == 0 {
			unknown = append(unknown, p)
		}
	}
	ids, err := openAccounts(ctx, ps, tx, unknown)
	if err != nil {
		return 0, err
	}
	accountIDs := make([]int64, len(postings))
	amounts := make([]decimal.Decimal, len(postings))
	for i, p := range postings {
		accountIDs[i] = p.Account.id
		if accountIDs[i] == 0 {
			accountIDs[i] = ids[p.Account.Code()]
		}
		amounts[i] = p.Amount
	}
	id, err := insertTransaction(ctx, ps, tx, actorID, header{t.Kind, t.UnitID, t.FiscalYear, t.ExpenditureID, t.Reverses, t.Memo}, accountIDs, amounts)
	if err != nil {
		return 0, fmt.Errorf("post %s transaction of unit %d: %w", t.Kind, t.UnitID, err)
	}
	return id, nil
}

// header is what a ledger transaction records besides its postings.
type header struct {
	kind          string
	unitID        int64
	fiscalYear    int
	expenditureID int64
	reverses      int64
	memo          string
}

// insertTransactionQuery inserts a transaction ($1–$9) and its postings
// ($10 the accounts, $11 the amounts), in order, and returns its id.
const insertTransactionQuery = `
	WITH t AS (
		INSERT INTO ledger_transactions (kind, unit_id, fiscal_year, expenditure_id, reverses, memo,
		                                 postings_sha256, created_at, created_by)
		VALUES ($1, $2, NULLIF($3, 0), NULLIF($4, 0), NULLIF($5, 0), $6, $7, $8, $9)
		RETURNING id
	), p AS (
		INSERT INTO ledger_postings (transaction_id, account_id, amount)
		SELECT t.id, a, v::numeric FROM t, unnest($10::bigint[], $11::text[]) WITH ORDINALITY AS x(a, v, n)
		ORDER BY n
	)
	SELECT id FROM t`

// insertTransaction inserts a transaction and its postings, in order, in one
// statement, with the digest of the postings; prepared when ps has it.
func insertTransaction(ctx context.Context, ps prepared, tx *database.Tx, actorID *int64, h header, accountIDs []int64, amounts []decimal.Decimal) (int64, error) {
	amountText := make([]string, len(amounts))
	for i, a := range amounts {
		amountText[i] = a.String()
	}
	return insertTransactionText(ctx, ps, tx, actorID, h, accountIDs, amountText)
}

// insertTransactionText is insertTransaction of amounts in canonical text
// (decimal.Decimal's String).
func insertTransactionText(ctx context.Context, ps prepared, tx *database.Tx, actorID *int64, h header, accountIDs []int64, amountText []string) (int64, error) {
	var id int64
	err := ps.queryRow(ctx, tx, insertTransactionQuery,
		h.kind, h.unitID, h.fiscalYear, h.expenditureID, h.reverses, h.memo,
		postingsDigestOfText(accountIDs, amountText), tx.Now, actorID, pq.Array(accountIDs), pq.Array(amountText)).Scan(&id)
	return id, err
}

// openAccountsQuery opens the accounts $1–$6 (codes, assets, units, years,
// expenditures, whether each may go negative) that do not exist yet, and
// returns the id of each. The inserted rows are not visible to the second
// SELECT of the same statement, so the union returns every account exactly
// once.
const openAccountsQuery = `
	WITH input AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bool[])
		           AS i(code, asset, unit_id, fiscal_year, expenditure_id, may_go_negative)
	), opened AS (
		INSERT INTO ledger_accounts (code, asset, unit_id, fiscal_year, expenditure_id, may_go_negative)
		SELECT code, asset, unit_id, NULLIF(fiscal_year, 0), NULLIF(expenditure_id, 0), may_go_negative FROM input
		ON CONFLICT (code) DO NOTHING
		RETURNING id, code
	)
	SELECT id, code FROM opened
	UNION ALL
	SELECT a.id, a.code FROM ledger_accounts a JOIN input i ON i.code = a.code`

// openAccounts returns the ids of the postings' accounts, creating those
// that do not exist yet; prepared when ps has it.
func openAccounts(ctx context.Context, ps prepared, tx *database.Tx, postings []Posting) (map[string]int64, error) {
	if len(postings) == 0 {
		return nil, nil
	}
	var (
		codes, assets []string
		units, exps   []int64
		years         []int64
		negative      []bool
		seen          = map[string]bool{}
	)
	for _, p := range postings {
		a := p.Account
		code := a.Code()
		if seen[code] {
			continue
		}
		seen[code] = true
		codes = append(codes, code)
		assets = append(assets, a.Asset)
		units = append(units, a.UnitID)
		years = append(years, int64(a.FiscalYear))
		exps = append(exps, a.ExpenditureID)
		negative = append(negative, a.mayGoNegative())
	}
	ids := make(map[string]int64, len(codes))
	rows, err := ps.query(ctx, tx, openAccountsQuery,
		pq.Array(codes), pq.Array(assets), pq.Array(units), pq.Array(years), pq.Array(exps), pq.Array(negative))
	if err == nil {
		err = scanAccountIDs(rows, ids)
	}
	if err != nil {
		return nil, fmt.Errorf("open ledger accounts: %w", err)
	}
	// An account another transaction opened after this statement's snapshot
	// was taken (say, two first approvals of a unit at once, both opening
	// its contributions account) is in neither half: the INSERT waited for
	// that transaction to commit and skipped the row, and the SELECT could
	// not see it. A new statement sees it.
	var missing []string
	for _, c := range codes {
		if ids[c] == 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT id, code FROM ledger_accounts WHERE code = ANY($1)`, pq.Array(missing))
		if err == nil {
			err = scanAccountIDs(rows, ids)
		}
		if err != nil {
			return nil, fmt.Errorf("open ledger accounts: %w", err)
		}
	}
	for _, c := range codes {
		if ids[c] == 0 {
			return nil, fmt.Errorf("ledger account %s was not opened", c)
		}
	}
	return ids, nil
}

// scanAccountIDs reads rows of (id, code) into ids, and closes them.
func scanAccountIDs(rows *sql.Rows, ids map[string]int64) error {
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			code string
		)
		if err := rows.Scan(&id, &code); err != nil {
			return err
		}
		ids[code] = id
	}
	return rows.Err()
}

// reverse appends the transaction that undoes transaction id: the same
// postings with their signs turned, naming the one it reverses.
func reverse(ctx context.Context, tx *database.Tx, actorID *int64, id int64, memo string) (int64, error) {
	var orig struct {
		UnitID        int64  `db:"unit_id"`
		FiscalYear    *int   `db:"fiscal_year"`
		ExpenditureID *int64 `db:"expenditure_id"`
	}
	if err := tx.GetContext(ctx, &orig, `SELECT unit_id, fiscal_year, expenditure_id FROM ledger_transactions WHERE id = $1`, id); err != nil {
		return 0, fmt.Errorf("reverse ledger transaction %d: %w", id, err)
	}
	var lines []struct {
		AccountID int64           `db:"account_id"`
		Amount    decimal.Decimal `db:"amount"`
	}
	if err := tx.SelectContext(ctx, &lines, `SELECT account_id, amount FROM ledger_postings WHERE transaction_id = $1 ORDER BY id`, id); err != nil {
		return 0, err
	}
	accountIDs := make([]int64, len(lines))
	amounts := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		accountIDs[i] = l.AccountID
		amounts[i] = l.Amount.Neg()
	}
	h := header{kind: TxReversal, unitID: orig.UnitID, reverses: id, memo: memo}
	if orig.FiscalYear != nil {
		h.fiscalYear = *orig.FiscalYear
	}
	if orig.ExpenditureID != nil {
		h.expenditureID = *orig.ExpenditureID
	}
	rid, err := insertTransaction(ctx, nil, tx, actorID, h, accountIDs, amounts)
	if err != nil {
		return 0, fmt.Errorf("reverse ledger transaction %d: %w", id, err)
	}
	return rid, nil
}
