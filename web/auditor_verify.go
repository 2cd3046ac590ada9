package web

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/verify"
)

// The auditor runs `taahod verify` on demand: the same checks
// (internal/verify.Checks), which only read. The POST starts a run in the
// background, one at a time for the whole service (the checks read every
// table); the page shows which checks are done and refreshes itself with
// <meta http-equiv="refresh"> (no script) until the run ends, then lists
// the findings. The latest run stays in memory for every auditor to read.

// verifyTimeout bounds a run: the checks read the whole books.
const verifyTimeout = 30 * time.Minute

// verifyRefreshSeconds is how often the page reloads while a run goes on.
const verifyRefreshSeconds = 2

// verifyCheckNames are the checks' names in Persian.
var verifyCheckNames = map[string]string{
	"audit chain":   "زنجیره دفتر رویدادها (هش هر رویداد و پیوند آن به رویداد پیشین)",
	"registry":      "دفتر کارگروه: جلسه‌ها، مصوبه‌ها، پرونده‌ها و واحدها",
	"ledger":        "دفتر هزینه‌ها، بررسی‌ها و تهاترها",
	"pledge totals": "جمع هزینه‌های فرستاده‌شده هر تعهد",
	"review rounds": "دورهای بررسی هزینه‌ها",
	"certificates":  "گواهی‌ها و امضای آن‌ها",
}

// summaryWords are the words of the checks' summaries ("9 entries, 0
// postings") in Persian.
var summaryWords = map[string]string{
	"entries":               "رویداد",
	"resolutions":           "مصوبه",
	"transactions":          "تراکنش",
	"postings":              "ردیف سند",
	"accounts":              "حساب",
	"pledges":               "تعهد",
	"reviewed expenditures": "هزینه بررسی‌شده",
	"certificates":          "گواهی",
	"serial counters":       "شمارنده شماره گواهی",
}

var summaryPart = regexp.MustCompile(`^(\d+) ([a-z ]+)$`)

// summaryText is a check's summary in Persian ("۹ رویداد"), or "" when
// it has a word this table lacks (the page then shows the command's own).
func summaryText(s string) string {
	var out []string
	for _, part := range strings.Split(s, ", ") {
		m := summaryPart.FindStringSubmatch(part)
		if m == nil || summaryWords[m[2]] == "" {
			return ""
		}
		out = append(out, PersianDigits(m[1])+" "+summaryWords[m[2]])
	}
	return strings.Join(out, "، ")
}

// Check states.
const (
	checkWaiting = "waiting"
	checkRunning = "running"
	checkDone    = "done"
	checkFailed  = "failed"
)

// verifyCheckState is one check of a run as far as it has gone.
type verifyCheckState struct {
	Name, Title string
	State       string
	// Summary is the command's own summary ("1204 entries"); Persian, its
	// words in Persian ("۱۲۰۴ رویداد") when summaryWords has them all.
	Summary, Persian string
	Findings         []database.Finding
}

// verifyRun is one run of the checks.
type verifyRun struct {
	StartedBy  string
	StartedAt  time.Time
	FinishedAt time.Time
	Checks     []verifyCheckState
}

// Running reports whether the run goes on.
func (r *verifyRun) Running() bool { return r.FinishedAt.IsZero() }

// Findings is how many findings the run has so far.
func (r *verifyRun) Findings() int {
	n := 0
	for _, c := range r.Checks {
		n += len(c.Findings)
	}
	return n
}

// Failed reports whether a check could not run.
func (r *verifyRun) Failed() bool {
	return slices.ContainsFunc(r.Checks, func(c verifyCheckState) bool { return c.State == checkFailed })
}

// Done is how many checks have ended.
func (r *verifyRun) Done() int {
	n := 0
	for _, c := range r.Checks {
		if c.State == checkDone || c.State == checkFailed {
			n++
		}
	}
	return n
}

// verifyRunner holds the latest run.
type verifyRunner struct {
	mu     sync.Mutex
	latest *verifyRun
	// finished is closed when the latest run ends (tests wait on it).
	finished chan struct{}
}

// start begins a run over db unless one goes on; it reports whether it
// started one.
func (v *verifyRunner) start(db *database.DB, by string, onError func(check string, err error)) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.latest != nil && v.latest.Running() {
		return false
	}
	run := &verifyRun{StartedBy: by, StartedAt: time.Now()}
	for _, c := range verify.Checks {
		run.Checks = append(run.Checks, verifyCheckState{Name: c.Name, Title: verifyCheckNames[c.Name], State: checkWaiting})
	}
	v.latest = run
	finished := make(chan struct{})
	v.finished = finished
	go func() {
		defer close(finished)
		ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
		defer cancel()
		for i, c := range verify.Checks {
			v.update(func() { run.Checks[i].State = checkRunning })
			summary, findings, err := c.Run(ctx, db)
			v.update(func() {
				run.Checks[i].Summary, run.Checks[i].Findings, run.Checks[i].State = summary, findings, checkDone
				run.Checks[i].Persian = summaryText(summary)
				if err != nil {
					run.Checks[i].State = checkFailed
				}
			})
			if err != nil {
				onError(c.Name, err)
			}
		}
		v.update(func() { run.FinishedAt = time.Now() })
	}()
	return true
}

func (v *verifyRunner) update(f func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	f()
}

// snapshot is a copy of the latest run, nil when there was none.
func (v *verifyRunner) snapshot() *verifyRun {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.latest == nil {
		return nil
	}
	r := *v.latest
	r.Checks = slices.Clone(r.Checks)
	return &r
}

// verifyData is the verify page.
type verifyData struct {
	Run *verifyRun
	// Refresh is the seconds before the page reloads itself; 0 when no
	// run goes on.
	Refresh int
}

// verifyPage renders /auditor/verify: the latest run, as far as it has
// gone, and the button that starts another.
func (p *Pages) verifyPage(c *gin.Context) {
	u, _ := signedIn(c)
	d := verifyData{Run: p.verifier.snapshot()}
	status := statusOf(c)
	if d.Run != nil && d.Run.Running() {
		d.Refresh = verifyRefreshSeconds
	} else {
		// The run the redirect spoke of has ended: the page says how.
		status = ""
	}
	p.render(c, http.StatusOK, "auditor_verify", page{User: &u, CSRF: csrfToken(c), Status: status, Data: d})
}

// startVerify starts a run, unless one goes on, and sends the auditor to
// watch it.
func (p *Pages) startVerify(c *gin.Context) {
	u, _ := signedIn(c)
	m := "verify_started"
	if !p.verifier.start(p.ledger.DB, u.DisplayName(), func(check string, err error) {
		p.log.Error("verify on demand", "check", check, "error", err)
	}) {
		m = "verify_running"
	}
	c.Redirect(http.StatusSeeOther, "/auditor/verify?m="+m)
}
