// Package notify tells people and other systems what happened: each user's
// inbox, the webhooks' outbox and its delivery worker, the daily reminders
// of what is overdue, and (optionally) the inbox by email.
package notify
