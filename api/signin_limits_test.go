package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// signInAs posts a sign-in with the given password, from the client
// address from when it is not "" (as X-Forwarded-For: the tests' server
// trusts the loopback proxy).
func (e *env) signInAs(username, password, from string) response {
	e.t.Helper()
	var headers []string
	if from != "" {
		headers = []string{"X-Forwarded-For", from}
	}
	return e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, headers...)
}

// TestConcurrentGuessesStayWithinTheLimit sends 30 wrong passwords for one
// user at once: at most MaxFailures of them may be checked (401), the rest
// are refused before any check (429 with Retry-After). Issue 12, item 1.
func TestConcurrentGuessesStayWithinTheLimit(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc1", taahod.RoleAuditor)
	body, _ := json.Marshal(map[string]string{"username": "acc1", "password": "not-the-password"})
	const n = 30
	statuses := make([]int, n)
	retryAfter := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := http.Post(e.http.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses[i], retryAfter[i] = res.StatusCode, res.Header.Get("Retry-After")
		}()
	}
	close(start)
	wg.Wait()
	checked, refused := 0, 0
	for i, st := range statuses {
		switch st {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			refused++
			if retryAfter[i] == "" {
				t.Errorf("a 429 without Retry-After")
			}
		default:
			t.Errorf("status %d", st)
		}
	}
	if checked > auth.MaxFailures || checked+refused != n {
		t.Fatalf("%d passwords checked (401), %d refused (429) of %d: at most %d may be checked",
			checked, refused, n, auth.MaxFailures)
	}
	// Even the right password waits now.
	if r := e.signInAs("acc1", "password-of-acc1", ""); r.status != http.StatusTooManyRequests || r.problemCode() != taahod.ERATELIMITED {
		t.Fatalf("the right password after the guesses: %d %s", r.status, r.body)
	}
}

// TestSignInTimingHidesUserNames signs in as an unknown user, a disabled
// user and a real user with a wrong password, interleaved, with bcrypt's
// cost raised above the tests' usual minimum so that the password check
// weighs as it does in production. Each round times the three back to back,
// in turn in every order; the median over the rounds of each one's time
// over the wrong password's must be within 10 %, in wall-clock time and in
// this process's CPU time (the work done, which the other programs on a
// loaded machine disturb far less). A loaded machine can still upset one
// run's wall clock, so the measurement may run three times (see the end for
// a machine loaded past that); a real difference (with the old stand-in
// hash at cost 4 an unknown user's sign-in took a quarter of the time here)
// fails all three. Issue 12, item 2.
func TestSignInTimingHidesUserNames(t *testing.T) {
	saved := auth.BcryptCost
	auth.BcryptCost = 7
	defer func() { auth.BcryptCost = saved }()
	e := newEnv(t)
	e.mustCreateUser("real.user", taahod.RoleAuditor)
	e.mustCreateUser("gone.user", taahod.RoleAuditor)
	mustExec(t, e.db.DB.DB, `UPDATE users SET disabled = true WHERE username = 'gone.user'`)
	kinds := []string{"no.such.user", "gone.user", "real.user"}
	const rounds = 15
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	signIn := func(name string) (wall, work time.Duration) {
		// Not timed: the failures are forgotten, so that no limit is
		// reached.
		mustExec(t, e.db.DB.DB, `DELETE FROM signin_attempts`)
		b, _ := json.Marshal(map[string]string{"username": name, "password": "a-wrong-password"})
		start, startCPU := time.Now(), cpu()
		res, err := http.Post(e.http.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		wall, work = time.Since(start), cpu()-startCPU
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: %d", name, res.StatusCode)
		}
		return wall, work
	}
	median := func(v []float64) float64 {
		v = slices.Clone(v)
		slices.Sort(v)
		return v[len(v)/2]
	}
	signIn("no.such.user") // the first makes the stand-in hash
	keys := []string{"wall no.such.user", "wall gone.user", "cpu no.such.user", "cpu gone.user"}
	all := map[string][]float64{} // every try's ratios, pooled
	// within reports whether the medians of ratios of the keys that start
	// with kind are within bound of 1.
	within := func(ratios map[string][]float64, kind string, bound float64) (bool, string) {
		ok, report := true, []string{}
		for _, key := range keys {
			if !strings.HasPrefix(key, kind) {
				continue
			}
			m := median(ratios[key])
			report = append(report, fmt.Sprintf("%s %.3f", key, m))
			if m < 1-bound || m > 1+bound {
				ok = false
			}
		}
		return ok, strings.Join(report, ", ")
	}
	workAlike := true
	for try := 1; try <= 3; try++ {
		ratios := map[string][]float64{} // "wall name" or "cpu name": time over the wrong password's
		for i := range rounds {
			wall, work := map[string]time.Duration{}, map[string]time.Duration{}
			for j := range kinds {
				name := kinds[(i+j)%len(kinds)]
				wall[name], work[name] = signIn(name)
			}
			for _, name := range kinds[:2] {
				ratios["wall "+name] = append(ratios["wall "+name], float64(wall[name])/float64(wall["real.user"]))
				ratios["cpu "+name] = append(ratios["cpu "+name], float64(work[name])/float64(work["real.user"]))
			}
		}
		for k, v := range ratios {
			all[k] = append(all[k], v...)
		}
		cpuOK, cpuReport := within(ratios, "cpu", 0.10)
		wallOK, wallReport := within(ratios, "wall", 0.10)
		t.Logf("try %d: median time over a wrong password's: %s, %s", try, wallReport, cpuReport)
		if cpuOK && wallOK {
			return
		}
		workAlike = workAlike && cpuOK
	}
	// On a machine loaded past what 3 × 15 rounds can see through, the wall
	// clock's medians wander by more than 10 % though the work is the same:
	// then the same work in every try, and the wall clock within 20 % over
	// all the rounds, is taken as the answer (the old stand-in's sign-ins
	// took a quarter of the time, in both measures).
	wallOK, wallReport := within(all, "wall", 0.20)
	_, cpuReport := within(all, "cpu", 0.10)
	if workAlike && wallOK {
		t.Logf("the machine was too loaded for the wall clock's 10 %%; the work was alike in every try: %s, %s", wallReport, cpuReport)
		return
	}
	t.Fatalf("an unknown or disabled user's sign-in does not cost a wrong password's (within 10 %%): %s, %s", wallReport, cpuReport)
}

// TestSignInLimitsPerAddress plays several clients behind a trusted proxy.
// One address may not spray many names; a stranger's failures do not lock
// the user out of an address they signed in from before, while strangers
// stay limited; X-Forwarded-For counts only from a trusted proxy; failed and
// refused sign-ins are audited without the password. Issue 12, item 3.
func TestSignInLimitsPerAddress(t *testing.T) {
	e := newEnvWithConfig(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	e.mustCreateUser("acc1", taahod.RoleAuditor)
	e.mustCreateUser("acc2", taahod.RoleAuditor)
	const (
		home      = "203.0.113.7"  // where acc1 works and has signed in before
		stranger  = "198.51.100.9" // someone guessing
		sprayer   = "198.51.100.66"
		elsewhere = "192.0.2.44"
	)

	t.Run("one address cannot spray many names", func(t *testing.T) {
		for i := range auth.MaxAddressFailures {
			name := "user" + strings.Repeat("x", i%7) + string(rune('a'+i))
			if r := e.signInAs(name, "Spring-2026!", sprayer); r.status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d %s", i+1, r.status, r.body)
			}
		}
		r := e.signInAs("another.name", "Spring-2026!", sprayer)
		if r.status != http.StatusTooManyRequests || r.problemCode() != taahod.ERATELIMITED || r.header.Get("Retry-After") == "" {
			t.Fatalf("past the address's limit: %d %s", r.status, r.body)
		}
		// Other addresses are not slowed down.
		if r := e.signInAs("acc2", "password-of-acc2", elsewhere); r.status != http.StatusOK {
			t.Fatalf("another address: %d %s", r.status, r.body)
		}
	})

	t.Run("a stranger cannot lock the user out of a known address", func(t *testing.T) {
		if r := e.signInAs("acc1", "password-of-acc1", home); r.status != http.StatusOK {
			t.Fatalf("first sign-in at home: %d %s", r.status, r.body)
		}
		for i := range auth.MaxFailures {
			if r := e.signInAs("acc1", "guess-number-"+string(rune('a'+i)), stranger); r.status != http.StatusUnauthorized {
				t.Fatalf("stranger's guess %d: %d", i+1, r.status)
			}
		}
		if r := e.signInAs("acc1", "password-of-acc1", stranger); r.status != http.StatusTooManyRequests {
			t.Fatalf("the stranger past the name's limit: %d %s", r.status, r.body)
		}
		// Any other address the user never signed in from is a stranger's
		// too: the name's limit holds there.
		if r := e.signInAs("acc1", "password-of-acc1", elsewhere); r.status != http.StatusTooManyRequests {
			t.Fatalf("a new address past the name's limit: %d %s", r.status, r.body)
		}
		if r := e.signInAs("acc1", "password-of-acc1", home); r.status != http.StatusOK {
			t.Fatalf("the user at home after a stranger's failures: %d %s", r.status, r.body)
		}
	})

	t.Run("the known address has a limit of its own", func(t *testing.T) {
		for range auth.MaxFailures {
			if r := e.signInAs("acc1", "not-the-password", home); r.status != http.StatusUnauthorized {
				t.Fatalf("%d", r.status)
			}
		}
		if r := e.signInAs("acc1", "password-of-acc1", home); r.status != http.StatusTooManyRequests {
			t.Fatalf("at home past the limit: %d %s", r.status, r.body)
		}
	})

	t.Run("failed and refused sign-ins are audited without the password", func(t *testing.T) {
		var rows []struct {
			Action  string `db:"action"`
			Changes string `db:"changes"`
		}
		if err := e.db.Select(&rows, `SELECT action, changes FROM audit_log WHERE action LIKE 'auth.login_%' ORDER BY seq`); err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, r := range rows {
			var ch map[string]string
			if err := json.Unmarshal([]byte(r.Changes), &ch); err != nil {
				t.Fatalf("%s: %v", r.Changes, err)
			}
			found[r.Action+" "+ch["username"]+" "+ch["address"]+" "+ch["outcome"]] = true
		}
		for _, want := range []string{
			"auth.login_failed usera " + sprayer + " unknown_user",
			"auth.login_refused another.name " + sprayer + " refused",
			"auth.login_failed acc1 " + stranger + " wrong_password",
			"auth.login_refused acc1 " + stranger + " refused",
		} {
			if !found[want] {
				t.Errorf("no audit entry %q in %v", want, found)
			}
		}
		var all string
		if err := e.db.Get(&all, `SELECT string_agg(changes, ' ') FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"Spring-2026!", "guess-number-", "not-the-password", "password-of-acc1"} {
			if strings.Contains(all, secret) {
				t.Fatalf("the audit trail holds the password %q", secret)
			}
		}
	})
}

// TestForwardedForOnlyFromTrustedProxies sends failures with a different
// X-Forwarded-For each to a server that trusts no proxy: they all count
// against the connection's own address.
func TestForwardedForOnlyFromTrustedProxies(t *testing.T) {
	e := newEnv(t)
	for i := range auth.MaxAddressFailures {
		from := "198.51.100." + string(rune('1'+i%9)) + string(rune('0'+i/9))
		if r := e.signInAs("name"+string(rune('a'+i)), "a-wrong-password", from); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, r.status)
		}
	}
	if r := e.signInAs("name.z", "a-wrong-password", "192.0.2.200"); r.status != http.StatusTooManyRequests {
		t.Fatalf("an untrusted X-Forwarded-For escaped the address's limit: %d %s", r.status, r.body)
	}
}
