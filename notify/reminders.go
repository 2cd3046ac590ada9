package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/reports/fa"
)

// DefaultReviewWaitDays is how many days an expenditure waits for review
// before the tax officers are reminded of it (TAAHOD_REVIEW_WAIT_DAYS).
const DefaultReviewWaitDays = 7

// ReminderLock is the key of the advisory lock that lets one server at a
// time send the reminders (an arbitrary number: "taahod" in ASCII, then 15).
const ReminderLock int64 = 0x74616168_6f64_0f

// maxListed is how many ids a reminder's resource lists; its count says
// how many there are in all.
const maxListed = 100

// Reminders sends the reminders of what is overdue: to each tax officer,
// the expenditures that have waited for review more than ReviewWaitDays;
// to each education officer, the pledges past their due date and not yet
// fully approved; to the secretariat, the resolutions past their deadline
// and still open, one item per agency. Each reminder is a digest, sent at
// most once a user, rule, subject and Tehran day, whoever runs it and
// however often.
type Reminders struct {
	DB *database.DB
	// ReviewWaitDays: 0 is DefaultReviewWaitDays.
	ReviewWaitDays int
	Log            *slog.Logger
}

// Send writes today's reminders not yet written and returns how many it
// wrote; ran is false when another server was sending them at that moment
// (it then writes nothing: that server writes them).
func (r Reminders) Send(ctx context.Context) (written int64, ran bool, err error) {
	wait := r.ReviewWaitDays
	if wait <= 0 {
		wait = DefaultReviewWaitDays
	}
	err = r.DB.Transact(ctx, func(tx *database.Tx) error {
		written, ran = 0, false
		if err := tx.GetContext(ctx, &ran, `SELECT pg_try_advisory_xact_lock($1)`, ReminderLock); err != nil || !ran {
			return err
		}
		for _, send := range []func(context.Context, *database.Tx, int) (int64, error){reviewWaiting, pledgesOverdue, resolutionsOverdue} {
			n, err := send(ctx, tx, wait)
			if err != nil {
				return err
			}
			written += n
		}
		return nil
	})
	return written, ran, err
}

// Run sends the reminders now and then every interval until ctx ends.
func (r Reminders) Run(ctx context.Context, interval time.Duration) {
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	for {
		if n, ran, err := r.Send(ctx); err != nil && ctx.Err() == nil {
			log.Error("send reminders", "err", err)
		} else if ran && n > 0 {
			log.Info("reminders sent", "items", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// remind writes one reminder to each user of role, unless they had it
// today.
func remind(ctx context.Context, tx *database.Tx, role taahod.Role, rule, subjectType, subjectID, message, link string, resource map[string]any) (int64, error) {
	raw, err := json.Marshal(resource)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO notifications (user_id, rule, subject_type, subject_id, day, scheduled, message, link, resource, created_at)
		SELECT id, $2, $3, $4, $5, TRUE, $6, $7, $8, $9 FROM users WHERE role = $1 AND NOT disabled
		ON CONFLICT (user_id, rule, subject_type, subject_id, day) WHERE scheduled DO NOTHING`,
		role, rule, subjectType, subjectID, taahod.Today(tx.Now), message, link, string(raw), tx.Now)
	if err != nil {
		return 0, fmt.Errorf("reminder %s %s: %w", rule, subjectID, err)
	}
	return res.RowsAffected()
}

func count(n int) string { return fa.Digits(strconv.Itoa(n)) }

func reviewWaiting(ctx context.Context, tx *database.Tx, wait int) (int64, error) {
	var w struct {
		N      int           `db:"n"`
		Oldest *time.Time    `db:"oldest"`
		IDs    pq.Int64Array `db:"ids"`
	}
	if err := tx.GetContext(ctx, &w, `
		SELECT count(*) AS n, min(submitted_at) AS oldest,
		       (array_agg(id ORDER BY submitted_at, id))[1:$2] AS ids
		  FROM expenditures WHERE status = 'submitted' AND submitted_at < $1`,
		tx.Now.AddDate(0, 0, -wait), maxListed); err != nil {
		return 0, err
	}
	if w.N == 0 {
		return 0, nil
	}
	msg := fmt.Sprintf("%s هزینه بیش از %s روز است که در صف بررسی مانده است.", count(w.N), count(wait))
	return remind(ctx, tx, taahod.RoleTaxOfficer, RuleReviewWaiting, "review_queue", "all", msg, "/tax-office/queue",
		map[string]any{"count": w.N, "wait_days": wait, "expenditure_ids": []int64(w.IDs),
			"oldest_submitted_at": w.Oldest, "oldest_submitted_at_jalali": taahod.JalaliTimePtr(w.Oldest)})
}

func pledgesOverdue(ctx context.Context, tx *database.Tx, _ int) (int64, error) {
	var w struct {
		N   int           `db:"n"`
		IDs pq.Int64Array `db:"ids"`
	}
	if err := tx.GetContext(ctx, &w, `
		SELECT count(*) AS n, (array_agg(p.id ORDER BY p.due_on, p.id))[1:$2] AS ids
		  FROM pledges p
		  LEFT JOIN LATERAL (SELECT sum(approved_amount) AS approved FROM expenditures WHERE pledge_id = p.id) a ON TRUE
		 WHERE p.due_on < $1 AND p.cancelled_at IS NULL AND COALESCE(a.approved, 0) < p.amount`,
		taahod.Today(tx.Now), maxListed); err != nil {
		return 0, err
	}
	if w.N == 0 {
		return 0, nil
	}
	msg := fmt.Sprintf("%s تعهد از سررسید گذشته و هنوز کامل تأیید نشده است.", count(w.N))
	return remind(ctx, tx, taahod.RoleEducationOfficer, RulePledgeOverdue, "pledges", "overdue", msg, "/education/schools",
		map[string]any{"count": w.N, "pledge_ids": []int64(w.IDs)})
}

func resolutionsOverdue(ctx context.Context, tx *database.Tx, _ int) (int64, error) {
	var agencies []struct {
		ID   int64         `db:"id"`
		Name string        `db:"name"`
		N    int           `db:"n"`
		IDs  pq.Int64Array `db:"ids"`
	}
	// The same resolutions as registry's overdue list.
	if err := tx.SelectContext(ctx, &agencies, `
		SELECT a.id, a.name, count(*) AS n, (array_agg(r.id ORDER BY r.deadline, r.id))[1:$2] AS ids
		  FROM resolutions r
		  JOIN resolution_agencies ra ON ra.resolution_id = r.id
		  JOIN agencies a ON a.id = ra.agency_id
		 WHERE r.deadline < $1 AND r.status NOT IN ('implemented', 'cancelled')
		 GROUP BY a.id, a.name ORDER BY a.id`, taahod.Today(tx.Now), maxListed); err != nil {
		return 0, err
	}
	var written int64
	for _, a := range agencies {
		msg := fmt.Sprintf("%s مصوبه نزد «%s» از مهلت گذشته و هنوز اجرا نشده است.", count(a.N), a.Name)
		n, err := remind(ctx, tx, taahod.RoleSecretariat, RuleResolutionOverdue, "agency", strconv.FormatInt(a.ID, 10), msg,
			"/secretariat/resolutions/overdue", map[string]any{"agency_id": a.ID, "agency": a.Name, "count": a.N, "resolution_ids": []int64(a.IDs)})
		if err != nil {
			return 0, err
		}
		written += n
	}
	return written, nil
}
