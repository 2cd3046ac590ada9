package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// MailConfig is where and as whom the inbox is mailed, read from
// TAAHOD_SMTP_URL: smtp://[user:password@]host:port?from=address. With a
// user, the password is sent (PLAIN) only over TLS, which net/smtp starts
// when the server offers it, or to localhost.
type MailConfig struct {
	Addr string // host:port
	From string
	Auth smtp.Auth
	host string
}

// ParseSMTPURL reads TAAHOD_SMTP_URL. Its error never repeats the URL,
// which may hold a password.
func ParseSMTPURL(s string) (MailConfig, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return MailConfig{}, errors.New("TAAHOD_SMTP_URL must be smtp://[user:password@]host[:port]?from=address")
	}
	port := u.Port()
	if port == "" {
		port = "25"
	}
	c := MailConfig{Addr: net.JoinHostPort(u.Hostname(), port), From: u.Query().Get("from"), host: u.Hostname()}
	if c.From == "" {
		return MailConfig{}, errors.New("TAAHOD_SMTP_URL must name the sender: ?from=address")
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		c.Auth = smtp.PlainAuth("", u.User.Username(), pw, c.host)
	}
	return c, nil
}

// Mailer mails the inbox items of the users who have an email address,
// each once, as they come: a Persian, right-to-left HTML part with a
// plain-text one. Several may run at once: each item is mailed inside a
// transaction that holds its row (FOR UPDATE SKIP LOCKED) until it is
// marked mailed. Items older than a day when first seen are not mailed
// (an address added, or mail configured, does not flood the person with
// the past).
type Mailer struct {
	DB     *database.DB
	Config MailConfig
	// PublicURL makes the items' links absolute.
	PublicURL string
	Log       *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// MailOne mails one item that is due, if there is one, and reports
// whether there was one. When the SMTP server refuses it, the item is left
// to be mailed at the next try and the error returned.
func (m *Mailer) MailOne(ctx context.Context) (bool, error) {
	tx, err := m.DB.BeginTxx(ctx, nil)
	if err != nil {
		return false, database.MapError(err)
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	var it struct {
		ID        int64     `db:"id"`
		Message   string    `db:"message"`
		Link      *string   `db:"link"`
		CreatedAt time.Time `db:"created_at"`
		Email     string    `db:"email"`
		Name      *string   `db:"full_name"`
	}
	err = tx.GetContext(ctx, &it, `
		SELECT n.id, n.message, n.link, n.created_at, u.email, u.full_name
		  FROM notifications n JOIN users u ON u.id = n.user_id
		 WHERE n.mailed_at IS NULL AND u.email IS NOT NULL AND NOT u.disabled AND n.created_at > $1
		 ORDER BY n.id LIMIT 1
		   FOR UPDATE OF n SKIP LOCKED`, now.Add(-24*time.Hour))
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, database.MapError(err)
	}
	link := ""
	if it.Link != nil {
		link = strings.TrimRight(m.PublicURL, "/") + *it.Link
	}
	msg, err := mailMessage(m.Config.From, it.Email, it.Message, link, it.CreatedAt)
	if err != nil {
		return true, err
	}
	if err := smtp.SendMail(m.Config.Addr, m.Config.Auth, m.Config.From, []string{it.Email}, msg); err != nil {
		return true, fmt.Errorf("mail notification %d: %w", it.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notifications SET mailed_at = $2 WHERE id = $1`, it.ID, now); err != nil {
		return true, database.MapError(err)
	}
	return true, database.MapError(tx.Commit())
}

// Run mails what is due until ctx ends, looking again every poll when
// nothing is due or the SMTP server failed.
func (m *Mailer) Run(ctx context.Context, poll time.Duration) {
	log := m.Log
	if log == nil {
		log = slog.Default()
	}
	for {
		did, err := m.MailOne(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("mail notification", "err", err)
		}
		if did && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}

var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>سامانه تعهد</title></head>
<body style="font-family: Vazirmatn, Tahoma, sans-serif; direction: rtl; text-align: right">
<p>{{.Message}}</p>
{{with .Link}}<p><a href="{{.}}">دیدن در سامانه تعهد</a></p>{{end}}
<p style="color: #555">{{.When}} · این نامه را سامانه تعهد فرستاده است؛ اعلان‌های خود را در صفحه «اعلان‌ها» نیز می‌بینید.</p>
</body></html>
`))

// mailMessage writes the message: headers, and a multipart/alternative
// body with the plain text first and the HTML last (the one mail readers
// prefer), each in base64.
func mailMessage(from, to, message, link string, at time.Time) ([]byte, error) {
	when := taahod.JalaliTime(at)
	var html bytes.Buffer
	if err := mailHTML.Execute(&html, map[string]string{"Message": message, "Link": link, "When": when}); err != nil {
		return nil, err
	}
	text := message + "\r\n"
	if link != "" {
		text += "\r\n" + link + "\r\n"
	}
	text += "\r\n" + when + " · سامانه تعهد\r\n"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	boundary := "taahod-" + hex.EncodeToString(b)
	var out bytes.Buffer
	header := func(k, v string) { out.WriteString(k + ": " + v + "\r\n") }
	header("From", from)
	header("To", to)
	header("Subject", mime.BEncoding.Encode("utf-8", "سامانه تعهد: "+firstWords(message, 8)))
	header("Date", at.Format(time.RFC1123Z))
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	out.WriteString("\r\n")
	for _, part := range []struct{ kind, body string }{{"text/plain", text}, {"text/html", html.String()}} {
		out.WriteString("--" + boundary + "\r\n")
		header("Content-Type", part.kind+"; charset=utf-8")
		header("Content-Transfer-Encoding", "base64")
		out.WriteString("\r\n")
		enc := base64.StdEncoding.EncodeToString([]byte(part.body))
		for len(enc) > 76 {
			out.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		out.WriteString(enc + "\r\n")
	}
	out.WriteString("--" + boundary + "--\r\n")
	return out.Bytes(), nil
}

// firstWords is the start of a message, for a subject.
func firstWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return s
	}
	return strings.Join(words[:n], " ") + " …"
}
