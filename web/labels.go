package web

import (
	"github.com/taahod/taahod/ledger"
)

// The ledger's enumerations (statuses, categories, review decisions) as the
// pages name them in Persian; a value without a name is shown as it is.

var expenditureStatusNames = map[string]string{
	ledger.StatusSubmitted:         "در انتظار بررسی",
	ledger.StatusApproved:          "تأییدشده",
	ledger.StatusPartiallyApproved: "بخشی تأییدشده",
	ledger.StatusRejected:          "ردشده",
	ledger.StatusWithdrawn:         "پس‌گرفته",
	ledger.StatusReversed:          "تأیید برگشت‌خورده",
}

// expenditureStatuses is the order the status filter lists them in.
var expenditureStatuses = []string{ledger.StatusSubmitted, ledger.StatusApproved, ledger.StatusPartiallyApproved,
	ledger.StatusRejected, ledger.StatusWithdrawn, ledger.StatusReversed}

var pledgeStatusNames = map[string]string{
	ledger.PledgePending:    "بدون هزینه",
	ledger.PledgeInProgress: "در حال اجرا",
	ledger.PledgeFulfilled:  "انجام‌شده",
	ledger.PledgeOverdue:    "سررسید گذشته",
	ledger.PledgeCancelled:  "لغوشده",
}

var categoryNames = map[string]string{
	ledger.CategoryLand:              "زمین",
	ledger.CategoryConstruction:      "ساخت",
	ledger.CategoryEquipment:         "تجهیز",
	ledger.CategoryDesignSupervision: "طراحی و نظارت",
	ledger.CategoryOther:             "سایر",
}

var decisionNames = map[string]string{
	ledger.DecisionApprove: "تأیید",
	ledger.DecisionReject:  "رد",
}

func named(names map[string]string) func(string) string {
	return func(s string) string {
		if n, ok := names[s]; ok {
			return n
		}
		return s
	}
}

// ExpenditureStatusName is an expenditure status in Persian.
func ExpenditureStatusName(s string) string { return named(expenditureStatusNames)(s) }

// PledgeStatusName is a pledge's derived status in Persian.
func PledgeStatusName(s string) string { return named(pledgeStatusNames)(s) }

// CategoryName is a spending category in Persian.
func CategoryName(s string) string { return named(categoryNames)(s) }

// DecisionName is a review decision in Persian.
func DecisionName(s string) string { return named(decisionNames)(s) }

// deref is the text a nullable field holds, "" for none.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// isImage reports whether a document's recognised type is an image, which
// the expenditure's page shows as a thumbnail.
func isImage(contentType string) bool {
	return contentType == ledger.TypeJPEG || contentType == ledger.TypePNG
}
