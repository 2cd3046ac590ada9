package database_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"testing"
	"time"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestAnswerTemplateFilledAlike: a statement's answer is filled by
// PostgreSQL's format() in the database and by fillHoles in Go, and the api
// sends Go's as the answer a replay reads back: the two must agree byte for
// byte, whatever the text around the holes holds (%, things that look like
// placeholders, non-ASCII text), and a template that format() could not
// take (a NUL that is no hole, bytes that are not UTF-8) is refused.
func TestAnswerTemplateFilledAlike(t *testing.T) {
	db := dbtest.New(t)
	values := []string{"1234", "true", "false", "۱۲"}
	for _, text := range []string{
		`{"id":` + database.Hole(1) + `,"flag":` + database.Hole(2) + `}`,
		`100% %s %1$s %% %I %L \u0000 "` + database.Hole(4) + `" میلگرد ۱۰٪`,
		database.Hole(3) + database.Hole(1) + database.Hole(1),
		`no hole at all`,
		``,
	} {
		format, ok := database.FormatTemplate([]byte(text))
		if !ok {
			t.Fatalf("%q refused", text)
		}
		var got string
		if err := db.Get(&got, `SELECT format($1::text, $2::text, $3::text, $4::text, $5::text)`,
			format, values[0], values[1], values[2], values[3]); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if want := string(database.FillHoles([]byte(text), values)); got != want {
			t.Fatalf("%q:\nformat() %q\nGo       %q", text, got, want)
		}
	}
	for _, bad := range []string{"a\x00b", "a\x00", "\xff\xfe"} {
		if _, ok := database.FormatTemplate([]byte(bad)); ok {
			t.Fatalf("%q taken as a template", bad)
		}
	}
}

// TestStoredAnswerChecked: Settle keeps the answer the statement stored only
// when the statement's digest of the body is that of Go's filling; else the
// claim holds an answer no handler's matches, so that the api stores the
// handler's over it (api keepStoredAnswer) and a replay still repeats what
// the client got.
func TestStoredAnswerChecked(t *testing.T) {
	form := func(record []byte) database.StatementAnswer {
		return database.StatementAnswer{Status: 201, ContentType: "application/json", Body: record,
			Headers: []byte(`{"Location":"/x/` + database.Hole(1) + `"}`)}
	}
	settle := func(digest string) (database.StoredAnswer, bool) {
		c := &database.Claim{UserID: 1, Key: "k", Hash: make([]byte, 32)}
		ctx := database.WithAnswerForm(database.WithClaim(context.Background(), c), form)
		sc, ok := database.OpenStatementClaim(ctx, time.Now())
		if !ok || !sc.Answer([]byte(`{"id":`+database.Hole(1)+`}`)) {
			t.Fatal("no answered statement claim")
		}
		if err := sc.SettleAnswered(nil, true, false, true, digest, "7"); err != nil {
			t.Fatal(err)
		}
		if c.State() != database.ClaimCommitted {
			t.Fatalf("state %v", c.State())
		}
		return c.StoredAnswer()
	}
	sum := md5.Sum([]byte(`{"id":7}`))
	a, ok := settle(hex.EncodeToString(sum[:]))
	if !ok || a.Status != 201 || string(a.Body) != `{"id":7}` || string(a.Headers) != `{"Location":"/x/7"}` {
		t.Fatalf("kept %v %+v", ok, a)
	}
	if a, ok := settle("0123"); !ok || a.Status != 0 || a.Body != nil {
		t.Fatalf("a body the statement stored otherwise kept as %+v", a)
	}
}
