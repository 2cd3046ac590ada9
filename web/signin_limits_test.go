package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// TestSignInPageSharesTheAPILimit guesses one user's password at once
// through the API and the sign-in page together: the two share one count
// (internal/auth), so of all the guesses at most MaxFailures are checked,
// and afterwards the page refuses even the right password. Issue 12,
// item 1.
func TestSignInPageSharesTheAPILimit(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	body, _ := json.Marshal(map[string]string{"username": "acc", "password": "wrong-wrong-wrong"})
	const each = 10
	var (
		mu      sync.Mutex
		checked int
		wg      sync.WaitGroup
	)
	count := func(status int) {
		mu.Lock()
		defer mu.Unlock()
		if status == http.StatusUnauthorized {
			checked++
		} else if status != http.StatusTooManyRequests {
			t.Errorf("status %d", status)
		}
	}
	browsers := make([]*browser, each)
	tokens := make([]string, each)
	for i := range browsers {
		// Each browser fetches the form first (its token), outside the race.
		browsers[i] = e.browser()
		tokens[i] = browsers[i].get("/signin").csrf()
	}
	start := make(chan struct{})
	for i := range each {
		wg.Add(2)
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
			count(res.StatusCode)
		}()
		go func() {
			defer wg.Done()
			<-start
			res, err := browsers[i].client.PostForm(e.http.URL+"/signin", url.Values{
				csrfField: {tokens[i]}, "username": {"acc"}, "password": {"wrong-wrong-wrong"}})
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			count(res.StatusCode)
		}()
	}
	close(start)
	wg.Wait()
	if checked > auth.MaxFailures {
		t.Fatalf("%d of %d guesses were checked: at most %d may be", checked, 2*each, auth.MaxFailures)
	}
	a := e.browser().submit("/signin", "/signin", url.Values{"username": {"acc"}, "password": {"password-of-acc"}})
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Fatalf("the right password after the guesses: %d", a.status)
	}
}
