package notify

import (
	"context"
	"encoding/json"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Item is an inbox item as its user sees it.
type Item struct {
	ID          int64           `db:"id" json:"id"`
	Rule        string          `db:"rule" json:"rule"`
	SubjectType string          `db:"subject_type" json:"subject_type"`
	SubjectID   string          `db:"subject_id" json:"subject_id"`
	Message     string          `db:"message" json:"message"`
	Link        *string         `db:"link" json:"link"`
	Resource    json.RawMessage `db:"resource" json:"resource"`
	CreatedAt   time.Time       `db:"created_at" json:"created_at"`
	ReadAt      *time.Time      `db:"read_at" json:"read_at"`
	// The Jalali twins, which the store fills in.
	CreatedAtJalali string  `db:"-" json:"created_at_jalali"`
	ReadAtJalali    *string `db:"-" json:"read_at_jalali"`
}

// Inbox reads and marks the users' inbox items.
type Inbox struct {
	DB *database.DB
}

// InboxFilter selects a user's items: newest first, before BeforeID when
// it is not 0, only the unread ones with Unread, at most Limit.
type InboxFilter struct {
	UserID   int64
	Unread   bool
	BeforeID int64
	Limit    int
}

// List returns the items f selects.
func (b Inbox) List(ctx context.Context, f InboxFilter) ([]Item, error) {
	q := `SELECT id, rule, subject_type, subject_id, message, link, resource, created_at, read_at
	        FROM notifications WHERE user_id = $1 AND ($2 = 0 OR id < $2)`
	if f.Unread {
		q += ` AND read_at IS NULL`
	}
	var items []Item
	if err := b.DB.SelectContext(ctx, &items, q+` ORDER BY id DESC LIMIT $3`, f.UserID, f.BeforeID, f.Limit); err != nil {
		return nil, database.MapError(err)
	}
	for i := range items {
		items[i].CreatedAtJalali = taahod.JalaliTime(items[i].CreatedAt)
		items[i].ReadAtJalali = taahod.JalaliTimePtr(items[i].ReadAt)
	}
	return items, nil
}

// Unread counts a user's unread items.
func (b Inbox) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := b.DB.GetContext(ctx, &n, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID)
	return n, database.MapError(err)
}

// MarkRead marks one of a user's items read (an item read already keeps
// the time it was first read) and returns it. It returns ENOTFOUND for an
// item that is not the user's.
func (b Inbox) MarkRead(ctx context.Context, userID, id int64) (Item, error) {
	var it Item
	err := b.DB.Transact(ctx, func(tx *database.Tx) error {
		return tx.GetContext(ctx, &it, `
			UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2
			RETURNING id, rule, subject_type, subject_id, message, link, resource, created_at, read_at`, id, userID, tx.Now)
	})
	if err = database.NotFound(err, "notification", id); err != nil {
		return it, err
	}
	it.CreatedAtJalali = taahod.JalaliTime(it.CreatedAt)
	it.ReadAtJalali = taahod.JalaliTimePtr(it.ReadAt)
	return it, nil
}

// MarkAllRead marks every unread item of a user read and returns how many
// it marked.
func (b Inbox) MarkAllRead(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := b.DB.Transact(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`, userID, tx.Now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
