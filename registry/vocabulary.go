package registry

import (
	"slices"
	"strings"
)

// A choice is one value of a closed vocabulary: the word the API and the
// database use, and its Persian title for people (reports, CSV files).
type choice struct {
	Value string
	Title string
	// Also are further spellings a CSV file may use for the value.
	Also []string
}

// vocabulary is a closed list of choices, in the order reports print them.
type vocabulary []choice

// Values returns the API words, in order.
func (v vocabulary) Values() []string {
	out := make([]string, len(v))
	for i, c := range v {
		out[i] = c.Value
	}
	return out
}

// Has reports whether s is one of the API words.
func (v vocabulary) Has(s string) bool {
	return slices.ContainsFunc(v, func(c choice) bool { return c.Value == s })
}

// Title returns the Persian title of an API word, or the word itself when it
// is not in the vocabulary.
func (v vocabulary) Title(s string) string {
	for _, c := range v {
		if c.Value == s {
			return c.Title
		}
	}
	return s
}

// read finds the choice a person wrote in a file: the API word or any of the
// Persian spellings, compared after foldKey (case, spaces, half-spaces and
// Arabic letter forms do not matter).
func (v vocabulary) read(s string) (string, bool) {
	k := foldKey(s)
	for _, c := range v {
		if k == foldKey(c.Value) || k == foldKey(c.Title) {
			return c.Value, true
		}
		for _, a := range c.Also {
			if k == foldKey(a) {
				return c.Value, true
			}
		}
	}
	return "", false
}

// list renders the API words with their Persian titles for a message:
// "a (…), b (…) or c (…)".
func (v vocabulary) list() string {
	parts := make([]string, len(v))
	for i, c := range v {
		parts[i] = c.Value + " (" + c.Title + ")"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Session kinds.
const (
	KindFormal    = "formal"
	KindField     = "field"
	KindSiteVisit = "site_visit"
)

// SessionKinds: a formal session of the working group, a field session held
// in one of the province's counties, or a site visit (the governor's
// "Industry, Agriculture and Tourism Wednesdays").
var SessionKinds = vocabulary{
	{KindFormal, "جلسه رسمی", []string{"رسمی"}},
	{KindField, "جلسه میدانی", []string{"میدانی"}},
	{KindSiteVisit, "بازدید چهارشنبه", []string{"بازدید", "چهارشنبه‌های صنعت، کشاورزی و گردشگری"}},
}

// Categories are the subjects of resolutions and cases.
var Categories = vocabulary{
	{"banking", "بانکی", []string{"بانک"}},
	{"tax", "مالیاتی", []string{"مالیات"}},
	{"social_security", "تأمین اجتماعی", []string{"تامین اجتماعی", "بیمه"}},
	{"customs", "گمرکی", []string{"گمرک"}},
	{"gas", "گاز", nil},
	{"electricity", "برق", nil},
	{"water", "آب", nil},
	{"land", "زمین", nil},
	{"permits", "مجوزها", []string{"مجوز"}},
	{"other", "سایر", []string{"متفرقه"}},
}

// Resolution statuses.
const (
	StatusNotified       = "notified"
	StatusImplemented    = "implemented"
	StatusInFollowUp     = "in_follow_up"
	StatusNotImplemented = "not_implemented"
	StatusCancelled      = "cancelled"
)

// Statuses are the states of a resolution, in the order of the figures.
var Statuses = vocabulary{
	{StatusImplemented, "اجرا شده", nil},
	{StatusInFollowUp, "در حال پیگیری", []string{"در دست پیگیری", "پیگیری"}},
	{StatusNotImplemented, "اجرا نشده", nil},
	{StatusNotified, "ابلاغ شده", []string{"ابلاغ"}},
	{StatusCancelled, "لغو شده", []string{"لغو"}},
}

// changeStatuses are the statuses a change may set: notified is only the
// first state.
var changeStatuses = vocabulary{Statuses[0], Statuses[1], Statuses[2], Statuses[4]}

// Case channels.
const (
	ChannelPhone              = "phone_inquiry"
	ChannelWritten            = "written_inquiry"
	ChannelReferralProvincial = "referral_provincial"
	ChannelReferralNational   = "referral_national"
)

// Channels are the ways a case is handled outside a session.
var Channels = vocabulary{
	{ChannelPhone, "استعلام تلفنی", nil},
	{ChannelWritten, "استعلام کتبی", nil},
	{ChannelReferralProvincial, "ارجاع به ستاد استانی", []string{"ارجاع استانی"}},
	{ChannelReferralNational, "ارجاع به ستاد ملی", []string{"ارجاع ملی"}},
}

func isReferral(channel string) bool {
	return channel == ChannelReferralProvincial || channel == ChannelReferralNational
}

// Case outcomes.
const (
	OutcomeOpen     = "open"
	OutcomeResolved = "resolved"
	OutcomeReferred = "referred"
)

// Outcomes are where a case stands.
var Outcomes = vocabulary{
	{OutcomeOpen, "باز", []string{"در جریان"}},
	{OutcomeResolved, "حل شده", []string{"مختومه"}},
	{OutcomeReferred, "ارجاع شده", nil},
}
