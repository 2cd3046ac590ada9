package web

import (
	"strconv"

	"github.com/taahod/taahod/ledger"
)

// The school projects' enumerations as the education pages name them.

var schoolStatusNames = map[string]string{
	ledger.SchoolPlanned:           "در برنامه",
	ledger.SchoolUnderConstruction: "در دست ساخت",
	ledger.SchoolEquipping:         "در حال تجهیز",
	ledger.SchoolCompleted:         "تکمیل‌شده",
	ledger.SchoolHandedOver:        "تحویل‌شده",
}

// schoolStatuses is the order the pages list the statuses in: a school's
// life from plan to hand-over.
var schoolStatuses = []string{ledger.SchoolPlanned, ledger.SchoolUnderConstruction, ledger.SchoolEquipping,
	ledger.SchoolCompleted, ledger.SchoolHandedOver}

var schoolKindNames = map[string]string{
	ledger.KindSchool:            "مدرسه",
	ledger.KindEducationalCenter: "مرکز آموزشی",
}

// schoolKinds is the order the kind filter lists them in.
var schoolKinds = []string{ledger.KindSchool, ledger.KindEducationalCenter}

var progressKindNames = map[string]string{
	ledger.ProgressReport:     "گزارش پیشرفت",
	ledger.ProgressInspection: "بازدید",
	ledger.ProgressHandover:   "تحویل",
}

// progressKinds is the order the report form offers them in.
var progressKinds = []string{ledger.ProgressReport, ledger.ProgressInspection, ledger.ProgressHandover}

// SchoolStatusName is a school's status in Persian.
func SchoolStatusName(s string) string { return named(schoolStatusNames)(s) }

// SchoolKindName is a school project's kind in Persian.
func SchoolKindName(s string) string { return named(schoolKindNames)(s) }

// ProgressKindName is a progress report's kind in Persian.
func ProgressKindName(s string) string { return named(progressKindNames)(s) }

// WholeNumber writes n in Persian digits; a missing number is "".
func WholeNumber(n *int) string {
	if n == nil {
		return ""
	}
	return PersianDigits(strconv.Itoa(*n))
}
