package ledger

import (
	"encoding/json"

	"github.com/taahod/taahod"
)

// The tax figures' answers carry the Solar Hijri twins of their timestamps
// (jalaliTime: "1404/09/05 14:30:00" in Tehran), as every date of the API
// has its *_jalali.

// MarshalJSON adds run_at_jalali and updated_at_jalali.
func (t TaxYear) MarshalJSON() ([]byte, error) {
	type plain TaxYear
	return json.Marshal(struct {
		plain
		RunAtJalali     *string `json:"run_at_jalali"`
		UpdatedAtJalali *string `json:"updated_at_jalali"`
	}{plain(t), taahod.JalaliTimePtr(t.RunAt), taahod.JalaliTimePtr(&t.UpdatedAt)})
}

// MarshalJSON adds recorded_at_jalali.
func (a Assessment) MarshalJSON() ([]byte, error) {
	type plain Assessment
	return json.Marshal(struct {
		plain
		RecordedAtJalali *string `json:"recorded_at_jalali"`
	}{plain(a), taahod.JalaliTimePtr(&a.RecordedAt)})
}

// MarshalJSON adds run_at_jalali.
func (s Statement) MarshalJSON() ([]byte, error) {
	type plain Statement
	return json.Marshal(struct {
		plain
		RunAtJalali *string `json:"run_at_jalali"`
	}{plain(s), taahod.JalaliTimePtr(s.RunAt)})
}
