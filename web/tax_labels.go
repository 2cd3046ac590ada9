package web

import (
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
)

// The tax office's enumerations (certificate statuses, offset policy modes
// and roundings) as its pages name them in Persian.

var certificateStatusNames = map[string]string{
	string(certificate.StatusValid):      "معتبر",
	string(certificate.StatusSuperseded): "جایگزین‌شده",
	string(certificate.StatusRevoked):    "باطل‌شده",
}

var policyModeNames = map[string]string{
	ledger.ModeDeduction: "کسر از درآمد مشمول مالیات",
	ledger.ModeCredit:    "پرداخت مالیات (اعتبار)",
}

var roundingNames = map[string]string{
	ledger.RoundDown:     "رو به پایین",
	ledger.RoundHalfEven: "به نزدیک‌ترین (نیمه به زوج)",
}

// CertificateStatusName is a certificate's status in Persian.
func CertificateStatusName(s certificate.Status) string {
	return named(certificateStatusNames)(string(s))
}

// PolicyModeName is an offset policy's mode in Persian.
func PolicyModeName(s string) string { return named(policyModeNames)(s) }

// RoundingName is an offset policy's rounding in Persian.
func RoundingName(s string) string { return named(roundingNames)(s) }

// OptionalAmount writes an amount that may be absent (a taxable income not
// given, a policy with no cap) as Amount does, or «—».
func OptionalAmount(d *decimal.Decimal) string {
	if d == nil {
		return "—"
	}
	return Amount(*d)
}
