package reports

import "github.com/shopspring/decimal"

// AmountFigure writes an amount as the certificate prints it: Persian
// digits with ٬ grouping. Other documents about a certificate (its public
// verify page) write it the same way.
func AmountFigure(a decimal.Decimal) string { return amountFigure(a) }

// AmountWords spells an amount in Persian words as the certificate prints
// it.
func AmountWords(a decimal.Decimal) string { return amountWords(a) }
