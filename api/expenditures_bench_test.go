package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// BenchmarkSubmitExpenditure submits expenditures over HTTP in parallel, as
// the benchmark driver does (each with its Idempotency-Key, a sequencer
// chaining the audit entries), for profiling the submit path:
//
//	go test -run '^$' -bench SubmitExpenditure -cpuprofile cpu.out ./api
func BenchmarkSubmitExpenditure(b *testing.B) {
	db, dsn := dbtest.NewWithURL(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	// As in serve: commits do not wait for the chain, a sequencer chains.
	db.ChainOnCommit = false
	sequencer := &database.Sequencer{DSN: dsn, Log: log}
	go func() { _ = sequencer.Run(ctx) }()
	authStore := auth.NewStore(db)
	if err := authStore.CacheTokens(ctx, dsn, time.Minute, log); err != nil {
		b.Fatal(err)
	}
	srv := New(db, authStore, Config{Logger: log})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	unit, err := registry.NewStore(db).CreateUnit(ctx, taahod.System, registry.NewUnit{Name: "u", NationalID: taahod.MakeLegalEntityID("1010234567"), County: "c"})
	if err != nil {
		b.Fatal(err)
	}
	accToken := benchToken(b, auth.NewStore(db), "acc", taahod.RoleAccountant, unit.ID)
	store := ledger.NewStore(db)
	school, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "s", Kind: ledger.KindSchool, County: "c"})
	if err != nil {
		b.Fatal(err)
	}
	on := "2025-04-01"
	var pledges []int64
	for range 16 {
		p, err := store.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit.ID, SchoolID: school.ID, Amount: json.RawMessage(`"999999999999999"`), PledgedOn: &on})
		if err != nil {
			b.Fatal(err)
		}
		pledges = append(pledges, p.ID)
	}
	var seq, worker atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		pledge := pledges[int(worker.Add(1))%len(pledges)]
		client := &http.Client{}
		for pb.Next() {
			n := seq.Add(1)
			body := fmt.Appendf(nil, `{"pledge_id":%d,"amount":"1500000.50","spent_on":"2025-10-01","invoice_no":"B-%d","vendor_name":"مصالح","category":"construction","description":"میلگرد"}`, pledge, n)
			req, _ := http.NewRequest("POST", hs.URL+"/api/v1/expenditures", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+accToken)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", n))
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 201 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
}

// benchToken creates a user of role (with units) for a benchmark and
// returns the token of their sign-in.
func benchToken(b *testing.B, users *auth.Store, name string, role taahod.Role, units ...int64) string {
	b.Helper()
	ctx := context.Background()
	password := "password-of-" + name
	if _, err := users.CreateUser(ctx, taahod.System, auth.NewUser{Username: name, Password: password, Role: role, UnitIDs: units}); err != nil {
		b.Fatal(err)
	}
	sess, err := users.Login(ctx, name, password)
	if err != nil {
		b.Fatal(err)
	}
	return sess.Token
}
