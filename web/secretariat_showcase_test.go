package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// seedSessions gives the showcase the working group's sessions: a formal
// session of three resolutions (one overdue, one with a status history)
// and a field session in Takestan; ids {session} and {resolution}.
func (s *showcase) seedSessions(t *testing.T, sec taahod.Actor, unitID int64) {
	t.Helper()
	ctx := context.Background()
	store := registry.NewStore(s.db)
	title, county, chair := "جلسه رسمی کارگروه، خرداد ۱۴۰۵", "تاکستان", "معاون هماهنگی امور اقتصادی استانداری"
	formal, ids, err := store.CreateSessionWithResolutions(ctx, sec,
		registry.NewSession{Kind: registry.KindFormal, HeldOnJalali: "1405/03/10", Title: &title, Chair: &chair,
			Attendees: []string{"بانک ملی استان", "اداره کل امور مالیاتی استان", "شرکت گاز استان"}},
		[]registry.NewResolution{
			{UnitID: &unitID, Text: "بانک ملی استان مهلت بازپرداخت تسهیلات شرکت فولاد البرز را شش ماه تمدید کند.",
				Category: "banking", Agencies: []string{"بانک ملی استان"}, DeadlineJalali: "1405/04/10"},
			{UnitID: &unitID, Text: "شرکت گاز استان انشعاب گاز واحد را تا پایان سال وصل کند.",
				Category: "gas", Agencies: []string{"شرکت گاز استان"}, DeadlineJalali: "1405/12/01"},
			{Text: "اداره کل امور مالیاتی استان فهرست واحدهای مشمول ماده ۱۷۲ را به دبیرخانه بفرستد.",
				Category: "tax", Agencies: []string{"اداره کل امور مالیاتی استان", "بانک ملی استان"}, DeadlineJalali: "1405/05/01"},
		})
	if err != nil {
		t.Fatalf("showcase: sessions: %v", err)
	}
	s.ids["session"] = fmt.Sprint(formal.ID)
	s.ids["resolution"] = fmt.Sprint(ids[0])
	note := "نامه به سرپرستی بانک فرستاده شد"
	if _, err := store.ChangeStatus(ctx, sec, ids[0], registry.StatusChange{Status: registry.StatusInFollowUp, OnJalali: "1405/04/20", Note: &note}); err != nil {
		t.Fatalf("showcase: status: %v", err)
	}
	if _, err := store.CreateSession(ctx, sec, registry.NewSession{Kind: registry.KindField, HeldOnJalali: "1405/06/05", County: &county}); err != nil {
		t.Fatalf("showcase: field session: %v", err)
	}
}
