package main

import (
	"context"
	"fmt"
	"time"
)

// runKill9 kills the server with SIGKILL while 8 clients submit
// expenditures with Idempotency-Keys, starts it again, and lets the clients
// retry what was not acknowledged with the same keys. Nothing acknowledged
// may be lost, nothing written twice, and no key may stay in use (409
// idempotency_key_in_use) once the suite's wait (-stuck-wait, a minute)
// has passed.
func runKill9(ctx context.Context, s *suite) error {
	e, err := s.newEnv(ctx, "kill9")
	if err != nil {
		return err
	}
	defer e.close()
	acc := e.tokens["accountant"]
	l, err := startSubmitters(ctx, e, "K9")
	if err != nil {
		return err
	}
	time.Sleep(1500 * time.Millisecond)
	e.srv.kill9()
	time.Sleep(300 * time.Millisecond)
	l.halt()
	inFlight := len(l.pending)
	if err := e.srv.start(ctx); err != nil {
		return fmt.Errorf("restart after kill -9: %w", err)
	}
	t0 := time.Now()
	stuck := l.settle(ctx, e, acc, s.stuckWait)
	settled := time.Since(t0).Round(100 * time.Millisecond)
	lost, dups, err := l.audit(ctx, e, "K9")
	if err != nil {
		return err
	}
	fmt.Printf("kill9: submitted=%d acknowledged=%d unacknowledged_at_kill=%d lost=%d duplicates=%d stuck_keys=%d (after %s of retries, bound %s) answers=%s\n",
		l.submitted, len(l.acked), inFlight, lost, dups, len(stuck), settled, s.stuckWait, l.statuses)
	s.check(lost == 0, "kill9", "%d acknowledged submissions lost", lost)
	s.check(dups == 0, "kill9", "%d duplicate writes", dups)
	s.check(len(stuck) == 0, "kill9", "%d keys still refused after %s: %v", len(stuck), s.stuckWait, l.why(stuck, 3))
	s.check(len(l.serverErrors) == 0, "kill9", "%d answers 5xx: %v", len(l.serverErrors), first(l.serverErrors, 3))
	s.verify(ctx, e)
	return nil
}

func first(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}
