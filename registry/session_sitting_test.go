package registry_test

import (
	"context"
	"errors"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// TestCreateSessionWithResolutions: a sitting is kept whole, its
// resolutions adopted on the session's date; a fault in any row, or in the
// session, keeps nothing and names every fault at once.
func TestCreateSessionWithResolutions(t *testing.T) {
	s, db := fixture(t)
	ctx := context.Background()
	count := func() (sessions, resolutions, audits int) {
		t.Helper()
		for q, dst := range map[string]*int{`SELECT count(*) FROM sessions`: &sessions, `SELECT count(*) FROM resolutions`: &resolutions,
			`SELECT count(*) FROM audit_log`: &audits} {
			if err := db.GetContext(ctx, dst, q); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	s0, r0, a0 := count()
	county := "تاکستان"
	session := registry.NewSession{Kind: registry.KindField, HeldOnJalali: "1404/06/01", County: &county}
	good := registry.NewResolution{Text: "وصل گاز", Category: "gas", Agencies: []string{"شرکت گاز"}, DeadlineJalali: "1404/09/01"}

	// A row whose deadline falls before the session, another with no
	// text: nothing is kept, both are named by their index.
	late := good
	late.DeadlineJalali = "1404/05/01"
	empty := good
	empty.Text = ""
	_, _, err := s.CreateSessionWithResolutions(ctx, taahod.System, session, []registry.NewResolution{good, late, empty})
	fields := fieldCodes(err)
	if taahod.ErrorCode(err) != taahod.EINVALID || fields["resolutions[1].deadline"] != "before_adoption" || fields["resolutions[2].text"] != "required" || len(fields) != 2 {
		t.Fatalf("bad rows: %v %v", err, fields)
	}
	// The session at fault: its fields and the rows' own are named at once.
	bad := session
	bad.Kind = "party"
	_, _, err = s.CreateSessionWithResolutions(ctx, taahod.System, bad, []registry.NewResolution{good, empty})
	if fields = fieldCodes(err); fields["kind"] != "invalid_choice" || fields["resolutions[1].text"] != "required" {
		t.Fatalf("bad session: %v %v", err, fields)
	}
	if s1, r1, a1 := count(); s1 != s0 || r1 != r0 || a1 != a0 {
		t.Fatalf("a refused sitting kept something: sessions %d→%d, resolutions %d→%d, audit %d→%d", s0, s1, r0, r1, a0, a1)
	}

	out, ids, err := s.CreateSessionWithResolutions(ctx, taahod.System, session, []registry.NewResolution{good, good})
	if err != nil || len(ids) != 2 || out.Resolutions != 2 || deref(out.County) != "تاکستان" {
		t.Fatalf("sitting: %v %+v %v", err, out, ids)
	}
	for _, id := range ids {
		r, err := s.FindResolution(ctx, registry.SignedIn(taahod.System), id)
		if err != nil || r.SessionID == nil || *r.SessionID != out.ID || r.AdoptedOn != out.HeldOn || r.SessionKind == nil || *r.SessionKind != registry.KindField {
			t.Errorf("resolution %d: %v %+v", id, err, r)
		}
	}
	if s1, r1, a1 := count(); s1 != s0+1 || r1 != r0+2 || a1 != a0+1 {
		t.Errorf("kept sessions %d→%d, resolutions %d→%d, audit %d→%d; want one session, two resolutions, one audit entry", s0, s1, r0, r1, a0, a1)
	}
}

// fieldCodes maps the fields of an EINVALID error to their codes.
func fieldCodes(err error) map[string]string {
	out := map[string]string{}
	var e *taahod.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			out[f.Field] = f.Code
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
