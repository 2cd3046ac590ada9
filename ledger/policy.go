package ledger

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Offset policy modes: Article 172 as written deducts the spending from the
// taxable income; some years' budget laws count it directly as tax paid.
const (
	ModeDeduction = "deduction"
	ModeCredit    = "credit"
)

// Rounding modes of an offset.
const (
	RoundDown     = "down"
	RoundHalfEven = "half_even"
)

// Policy is a fiscal year's offset policy: the law of that year as data.
type Policy struct {
	FiscalYear         int              `db:"fiscal_year" json:"fiscal_year"`
	Mode               string           `db:"mode" json:"mode"`
	Rate               decimal.Decimal  `db:"rate" json:"rate"`
	TaxRate            *decimal.Decimal `db:"tax_rate" json:"tax_rate"`
	DeductionCapRate   decimal.Decimal  `db:"deduction_cap_rate" json:"deduction_cap_rate"`
	CapAmount          *decimal.Decimal `db:"cap_amount" json:"cap_amount"`
	CarryForwardYears  int              `db:"carry_forward_years" json:"carry_forward_years"`
	RoundingUnit       decimal.Decimal  `db:"rounding_unit" json:"rounding_unit"`
	Rounding           string           `db:"rounding" json:"rounding"`
	EligibleCategories []string         `db:"-" json:"eligible_categories"`
	LegalBasis         string           `db:"legal_basis" json:"legal_basis"`
	UpdatedAt          time.Time        `db:"updated_at" json:"updated_at"`
	// Frozen is true once an issued certificate relied on the policy.
	Frozen bool `db:"-" json:"frozen"`
}

// EffectiveRate is the share of a Rial of spending that becomes a Rial of
// offset: rate for credit, rate × tax_rate for deduction.
func (p Policy) EffectiveRate() decimal.Decimal {
	if p.Mode == ModeDeduction && p.TaxRate != nil {
		return p.Rate.Mul(*p.TaxRate)
	}
	return p.Rate
}

// Round rounds a non-negative amount to the policy's unit, down or half to
// even, exactly.
func (p Policy) Round(x decimal.Decimal) decimal.Decimal {
	q, r := x.QuoRem(p.RoundingUnit, 0)
	if p.Rounding == RoundHalfEven {
		twice := r.Add(r)
		if c := twice.Cmp(p.RoundingUnit); c > 0 || (c == 0 && !q.Mod(decimal.NewFromInt(2)).IsZero()) {
			q = q.Add(decimal.NewFromInt(1))
		}
	}
	return q.Mul(p.RoundingUnit)
}

// PolicyInput is the body of PUT /policies/{year}. Rates and amounts come as
// exact decimals (JSON strings, or numbers read from their text).
type PolicyInput struct {
	Mode               string          `json:"mode"`
	Rate               json.RawMessage `json:"rate"`
	TaxRate            json.RawMessage `json:"tax_rate"`
	DeductionCapRate   json.RawMessage `json:"deduction_cap_rate"`
	CapAmount          json.RawMessage `json:"cap_amount"`
	CarryForwardYears  *int            `json:"carry_forward_years"`
	RoundingUnit       json.RawMessage `json:"rounding_unit"`
	Rounding           string          `json:"rounding"`
	EligibleCategories []string        `json:"eligible_categories"`
	LegalBasis         string          `json:"legal_basis"`
}

// maxRateDecimals bounds the precision of a rate: enough for any rate a law
// states, small enough that products stay short.
const maxRateDecimals = 8

// MaxCarryForwardYears bounds carry_forward_years.
const MaxCarryForwardYears = 10

// Policy validates the input and returns the policy it states for year.
// Defaults: deduction_cap_rate 1, carry_forward_years 0, rounding_unit 1,
// rounding down, every category eligible.
func (in PolicyInput) Policy(year int) (Policy, error) {
	var p taahod.Problems
	pol := Policy{FiscalYear: year, Mode: in.Mode, Rounding: in.Rounding, LegalBasis: strings.TrimSpace(in.LegalBasis)}
	checkYear(&p, year)
	switch in.Mode {
	case ModeDeduction, ModeCredit:
	case "":
		p.Add("mode", "required", "mode is required: deduction or credit")
	default:
		p.Add("mode", "invalid_choice", "mode must be deduction or credit")
	}
	if r, err := parseRate(in.Rate, true); err != nil {
		p.AddErr("rate", err)
	} else {
		pol.Rate = *r
	}
	if r, err := parseRate(in.TaxRate, false); err != nil {
		p.AddErr("tax_rate", err)
	} else {
		pol.TaxRate = r
	}
	if in.Mode == ModeDeduction && absent(in.TaxRate) {
		p.Add("tax_rate", "required", "a deduction policy needs the tax rate the deduction saves (Article 105: 0.25)")
	}
	pol.DeductionCapRate = decimal.NewFromInt(1)
	if !absent(in.DeductionCapRate) {
		if r, err := parseRate(in.DeductionCapRate, true); err != nil {
			p.AddErr("deduction_cap_rate", err)
		} else {
			pol.DeductionCapRate = *r
		}
	}
	if !absent(in.CapAmount) {
		if a, err := taahod.ParseAmountJSON(in.CapAmount); err != nil {
			p.AddErr("cap_amount", err)
		} else {
			pol.CapAmount = &a
		}
	}
	if in.CarryForwardYears != nil {
		pol.CarryForwardYears = *in.CarryForwardYears
		if pol.CarryForwardYears < 0 || pol.CarryForwardYears > MaxCarryForwardYears {
			p.Add("carry_forward_years", "out_of_range", "carry_forward_years must be from 0 to 10")
		}
	}
	pol.RoundingUnit = decimal.NewFromInt(1)
	if !absent(in.RoundingUnit) {
		if u, err := taahod.ParseAmountJSON(in.RoundingUnit); err != nil {
			p.AddErr("rounding_unit", err)
		} else {
			pol.RoundingUnit = u
		}
	}
	switch in.Rounding {
	case "":
		pol.Rounding = RoundDown
	case RoundDown, RoundHalfEven:
	default:
		p.Add("rounding", "invalid_choice", "rounding must be down or half_even")
	}
	if in.EligibleCategories == nil {
		pol.EligibleCategories = slices.Clone(Categories)
	} else {
		seen := map[string]bool{}
		for _, c := range in.EligibleCategories {
			if !slices.Contains(Categories, c) {
				p.Add("eligible_categories", "invalid_choice", "unknown category "+c+": use land, construction, equipment, design_supervision or other")
				continue
			}
			if !seen[c] {
				seen[c] = true
				pol.EligibleCategories = append(pol.EligibleCategories, c)
			}
		}
		slices.SortFunc(pol.EligibleCategories, func(a, b string) int { return slices.Index(Categories, a) - slices.Index(Categories, b) })
		if pol.EligibleCategories == nil {
			pol.EligibleCategories = []string{}
		}
	}
	switch {
	case pol.LegalBasis == "":
		p.Add("legal_basis", "required", "legal_basis is required: it is printed on the certificate")
	case !utf8.ValidString(pol.LegalBasis) || utf8.RuneCountInString(pol.LegalBasis) > 1000:
		p.Add("legal_basis", "too_long", "legal_basis must be at most 1000 characters")
	}
	return pol, p.Err()
}

func absent(raw json.RawMessage) bool { return len(raw) == 0 || isNull(raw) }

func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }

// parseRate reads a rate in [0, 1] given as a JSON string or number, exactly.
// An absent or null rate is nil, or an error when required.
func parseRate(raw json.RawMessage, required bool) (*decimal.Decimal, error) {
	if absent(raw) {
		if required {
			return nil, rateError("required", "is required")
		}
		return nil, nil
	}
	var text string
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, rateError("not_a_number", "must be a decimal such as \"0.25\"")
		}
	} else {
		text = s
	}
	intPart, frac, hasDot := strings.Cut(text, ".")
	if intPart == "" || !digits(intPart) || (hasDot && (frac == "" || !digits(frac))) {
		return nil, rateError("not_a_number", "must be a decimal such as \"0.25\", with ASCII digits")
	}
	if len(frac) > maxRateDecimals {
		return nil, rateError("too_many_decimals", "must have at most 8 fractional digits")
	}
	r, err := decimal.NewFromString(text)
	if err != nil {
		return nil, rateError("not_a_number", "must be a decimal such as \"0.25\"")
	}
	if r.IsNegative() || r.GreaterThan(decimal.NewFromInt(1)) {
		return nil, rateError("out_of_range", "must be from 0 to 1")
	}
	return &r, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(s) <= 18
}

func rateError(code, message string) error {
	return &taahod.Error{Code: taahod.EINVALID, Message: message, Fields: []taahod.FieldError{{Code: code, Message: message}}}
}

// MarshalJSON adds updated_at_jalali, the Solar Hijri twin of updated_at.
func (p Policy) MarshalJSON() ([]byte, error) {
	type plain Policy
	return json.Marshal(struct {
		plain
		UpdatedAtJalali *string `json:"updated_at_jalali"`
	}{plain(p), taahod.JalaliTimePtr(&p.UpdatedAt)})
}
