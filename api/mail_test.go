package api

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/notify"
)

// smtpSink is a tiny SMTP server for the tests: it answers EHLO, MAIL,
// RCPT, DATA and QUIT, and keeps each message with its recipients.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []sunkMail
}

type sunkMail struct {
	to   []string
	data string
}

func newSMTPSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpSink) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { fmt.Fprint(conn, line+"\r\n") }
	say("220 sink ESMTP")
	var to []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-sink")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			to = nil
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			to = append(to, strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>"))
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.mail = append(s.mail, sunkMail{to: to, data: data.String()})
			s.mu.Unlock()
			say("250 kept")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// TestMailedInbox sets an accountant's email address through the
// administrators' API, and checks that their inbox item is mailed once, as
// Persian right-to-left HTML with a plain-text part, and that a colleague
// without an address gets no mail.
func TestMailedInbox(t *testing.T) {
	w := newWorld(t)
	w.mustCreateUser("acc-a2", taahod.RoleAccountant, w.unitA.ID) // no address: no mail
	var accID string
	for _, u := range w.get("/api/v1/users?q=acc-a", w.admin)["items"].([]any) {
		if m := u.(map[string]any); m["username"] == "acc-a" {
			accID = str(m["id"])
		}
	}
	if r := w.do("PATCH", "/api/v1/users/"+accID, w.admin, map[string]any{"email": "not an address"}); r.status != 422 || r.fieldErrors()["email"] != "invalid_email" {
		t.Errorf("bad email: %d %s", r.status, r.body)
	}
	if r := w.do("PATCH", "/api/v1/users/"+accID, w.admin, map[string]any{"email": "hesabdar@alborz-steel.example"}); r.status != 200 || r.json()["email"] != "hesabdar@alborz-steel.example" {
		t.Fatalf("set email: %d %s", r.status, r.body)
	}

	exp := w.evidenceBy(w.accA, w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000")))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", exp), w.tax, map[string]any{"decision": "reject", "reason": "فاکتور ناخوانا"}); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	sink := newSMTPSink(t)
	cfg, err := notify.ParseSMTPURL("smtp://" + sink.ln.Addr().String() + "?from=taahod@qazvin.example")
	if err != nil {
		t.Fatal(err)
	}
	m := &notify.Mailer{DB: w.db, Config: cfg, PublicURL: "https://taahod.example", Now: func() time.Time { return theNow }}
	ctx := context.Background()
	for {
		did, err := m.MailOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			break
		}
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.mail) != 1 || len(sink.mail[0].to) != 1 || sink.mail[0].to[0] != "hesabdar@alborz-steel.example" {
		t.Fatalf("mail sent: %+v", sink.mail)
	}
	msg, err := mail.ReadMessage(strings.NewReader(sink.mail[0].data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.HasPrefix(subject, "سامانه تعهد: ") {
		t.Errorf("subject %q", subject)
	}
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || media != "multipart/alternative" {
		t.Fatalf("content type %q", msg.Header.Get("Content-Type"))
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		kind, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[kind] = decodeBase64(t, string(body))
	}
	link := fmt.Sprintf("https://taahod.example/accountant/expenditures/%d", exp)
	if text := parts["text/plain"]; !strings.Contains(text, "رد شد: فاکتور ناخوانا") || !strings.Contains(text, link) {
		t.Errorf("plain part: %q", text)
	}
	if html := parts["text/html"]; !strings.Contains(html, `lang="fa" dir="rtl"`) || !strings.Contains(html, "رد شد: فاکتور ناخوانا") || !strings.Contains(html, `href="`+link+`"`) {
		t.Errorf("HTML part: %q", html)
	}
	var mailed int
	if err := w.db.Get(&mailed, `SELECT count(*) FROM notifications WHERE mailed_at IS NOT NULL`); err != nil || mailed != 1 {
		t.Errorf("%d items marked mailed (%v), want 1", mailed, err)
	}
}

func decodeBase64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(s))
	if err != nil {
		t.Fatalf("part is not base64: %v", err)
	}
	return string(b)
}
