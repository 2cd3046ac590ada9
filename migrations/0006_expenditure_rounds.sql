-- +goose Up
-- Expenditures go round: a rejected expenditure may be corrected and
-- submitted again, and every review of it is kept. A withdrawal keeps its
-- reason, who withdrew and when.

-- submitted_at is the expenditure's place in the review queue and in its
-- pledge's submission order: its submission, or its last resubmission.
ALTER TABLE expenditures
    ADD COLUMN submitted_at      TIMESTAMPTZ,
    ADD COLUMN withdrawal_reason TEXT,
    ADD COLUMN withdrawn_by      BIGINT REFERENCES users (id),
    ADD COLUMN withdrawn_at      TIMESTAMPTZ;

UPDATE expenditures SET submitted_at = created_at;
ALTER TABLE expenditures ALTER COLUMN submitted_at SET NOT NULL;

-- Withdrawals made before this migration: their reason and actor were kept
-- only in the audit log; a withdrawn expenditure changes no more, so its
-- last update was its withdrawal.
UPDATE expenditures e
   SET withdrawn_at = coalesce(a.at, e.updated_at),
       withdrawn_by = a.actor_id,
       withdrawal_reason = nullif(btrim(a.reason), '')
  FROM expenditures x
  LEFT JOIN LATERAL (
        SELECT l.at, l.actor_id, l.changes::jsonb ->> 'reason' AS reason
          FROM audit_log l
         WHERE l.target_type = 'expenditure' AND l.target_id = x.id::text AND l.action = 'expenditure.withdraw'
         ORDER BY l.seq DESC LIMIT 1) a ON true
 WHERE x.id = e.id AND e.status = 'withdrawn';

ALTER TABLE expenditures
    ADD CONSTRAINT expenditures_withdrawal CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    ADD CONSTRAINT expenditures_withdrawn_by CHECK (withdrawn_by IS NULL OR withdrawn_at IS NOT NULL),
    ADD CONSTRAINT expenditures_withdrawal_reason CHECK (withdrawal_reason IS NULL OR withdrawn_at IS NOT NULL);

-- The review queue: submitted expenditures, oldest (re)submission first.
DROP INDEX expenditures_submitted;
CREATE INDEX expenditures_queue ON expenditures (submitted_at, id) WHERE status = 'submitted';

-- Every review of an expenditure, append-only: a resubmitted expenditure's
-- review columns are cleared (the status CHECK of 0002 wants them empty
-- while it is submitted), and its earlier rounds stay here. amount is the
-- expenditure's amount when it was reviewed (it may be edited between
-- rounds).
CREATE TABLE expenditure_reviews (
    id              BIGSERIAL PRIMARY KEY,
    expenditure_id  BIGINT NOT NULL REFERENCES expenditures (id),
    decision        TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    status          TEXT NOT NULL CHECK (status IN ('approved', 'partially_approved', 'rejected')),
    amount          NUMERIC(20,2) NOT NULL CHECK (amount > 0),
    approved_amount NUMERIC(20,2) CHECK (approved_amount > 0 AND approved_amount <= amount),
    reason          TEXT,
    reviewer_id     BIGINT REFERENCES users (id),
    reviewed_at     TIMESTAMPTZ NOT NULL,
    CHECK (CASE status
        WHEN 'approved'           THEN decision = 'approve' AND approved_amount = amount
        WHEN 'partially_approved' THEN decision = 'approve' AND approved_amount < amount AND btrim(reason) <> ''
        ELSE decision = 'reject' AND approved_amount IS NULL AND btrim(reason) <> ''
    END)
);
CREATE INDEX expenditure_reviews_expenditure ON expenditure_reviews (expenditure_id, id);
CREATE TRIGGER expenditure_reviews_append_only BEFORE UPDATE OR DELETE ON expenditure_reviews
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER expenditure_reviews_no_truncate BEFORE TRUNCATE ON expenditure_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The reviews made before this migration: one round each, from the
-- expenditure's review columns (a reversed approval keeps them).
INSERT INTO expenditure_reviews (expenditure_id, decision, status, amount, approved_amount, reason, reviewer_id, reviewed_at)
SELECT id,
       CASE WHEN status = 'rejected' THEN 'reject' ELSE 'approve' END,
       CASE WHEN status = 'rejected' THEN 'rejected'
            WHEN approved_amount = amount THEN 'approved'
            ELSE 'partially_approved' END,
       amount, approved_amount, review_reason, reviewed_by, reviewed_at
  FROM expenditures
 WHERE reviewed_at IS NOT NULL
 ORDER BY reviewed_at, id;
