package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The audit chain is appended without a shared row.
//
// A change queues its audit entry (appendEntry, StatementAuditSQL) as a row of
// its own in audit_queue, stamped with its top-level transaction id
// (pg_current_xact_id(), an xid8, which never wraps) and a serial id. It
// touches no row that another writer touches, so writers no longer wait for
// each other's commits. One sequencer per database (Sequencer, elected by an
// advisory lock) later moves committed entries into audit_log in batches,
// giving each its seq, prev_hash and hash exactly as an append used to
// (ChainHash over Content), and advances audit_head.
//
// Why the order is safe. A batch is read by one statement:
//
//	SELECT … FROM audit_queue
//	 WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
//	 ORDER BY xid, id LIMIT n
//
// pg_current_snapshot() is the snapshot of that very statement, and its xmin
// is the oldest transaction still running when the snapshot was taken. So
//
//  1. every transaction with xid < xmin has ended: it committed before the
//     snapshot (its entries are visible to the statement, all of them) or it
//     aborted (its entries never existed). No entry with such an xid can
//     appear later: its transaction is over. The candidate set is complete.
//  2. every entry not yet written, or written by a transaction still
//     running, has xid ≥ xmin (a running transaction's xid is ≥ xmin by
//     definition of xmin; a transaction that starts later gets a larger xid).
//
// The sequencer chains the smallest n candidates in (xid, id) order. Every
// entry it leaves behind is either a candidate with a larger key (1) or has
// xid ≥ xmin, larger than every xid chained (2). So the chain is sorted by
// (xid, id) for ever: no entry is ever skipped, and none can later need a
// place before one already chained. An entry whose transaction is still open
// holds back every entry with a larger xid, even those already committed,
// until it commits or aborts: the price of a deterministic order, paid only
// as long as that transaction stays open. id orders a transaction's own
// entries as it wrote them (the serial grows within a session).
//
// The order of the chain is thus the order in which transactions took their
// ids, not their commit order; each entry still carries its own time (at).
// pg_snapshot_xmin is cluster-wide: a long write transaction in another
// database of the cluster delays the chain too (VerifyAudit reports entries
// queued for long).
//
// Two sequencers never chain at once: the elected one holds a session
// advisory lock (sequencerLock) on its own connection and writes on that
// connection only, so when the connection dies the lock passes to another,
// and nothing half-done stays behind: a batch moves in one statement (queue
// rows deleted, chain rows inserted, head advanced). That statement also
// advances audit_head only from the head the sequencer holds (WHERE seq = the
// old seq) and fails unless it moved every entry it read
// (audit_chain_check), and seq is audit_log's primary key: a second writer,
// were there one, would fail rather than fork the chain.

// Head is the tip of the audit chain: the last chained entry's sequence
// number and hash; 0 and 32 zero bytes while the chain is empty.
type Head struct {
	Seq  int64  `db:"seq"`
	Hash []byte `db:"hash"`
}

// sequencerLock is the session advisory lock that elects the sequencer of a
// database ("TAAHODSQ"); advisory locks are per database.
const sequencerLock int64 = 0x5441_4148_4F44_5351

// SequencerHolders are the backends of q's database that hold the
// sequencer's lock: one while a sequencer lives, none between its end and
// the next election. Tests check that there is never more than one; the
// submission benchmark reads the holder's CPU as the chaining's cost.
func SequencerHolders(ctx context.Context, q sqlx.QueryerContext) ([]int, error) {
	var pids []int
	err := sqlx.SelectContext(ctx, q, &pids, `SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((classid::bigint << 32) | objid::bigint) = $1`, sequencerLock)
	return pids, err
}

// Defaults of a Sequencer.
const (
	// DefaultChainPoll is how often the sequencer looks for committed
	// entries: the lag from a commit to the chain is about this when the
	// service is quiet. Polling was chosen over LISTEN/NOTIFY because a
	// NOTIFY in every writing transaction serialises commits on the
	// notification queue's lock, the very thing the queue removes.
	DefaultChainPoll = 20 * time.Millisecond
	// DefaultChainBatch bounds the entries of one step (one transaction).
	DefaultChainBatch = 1000
	// DefaultElectionRetry is how often a server that is not the sequencer
	// tries to become it: the takeover time after the sequencer's
	// connection dies.
	DefaultElectionRetry = time.Second
)

// Sequencer chains queued audit entries. Every `taahod serve` runs one; the
// advisory lock lets one of them work and keeps the others waiting to take
// over. The zero durations and batch take the defaults above.
type Sequencer struct {
	// DSN is the database; the sequencer opens a connection of its own to it,
	// which holds the lock as long as it lives.
	DSN   string
	Poll  time.Duration
	Batch int
	Retry time.Duration
	// AfterBatch, when set, is called with the new head after every step that
	// chained entries, and once with the current head on election (entries
	// may have been chained by WaitChained in the meantime). It runs on the
	// sequencer's goroutine while it holds the lock: signed checkpoints hook
	// here. An error is logged; the chain goes on.
	AfterBatch func(ctx context.Context, head Head) error
	Log        *slog.Logger
}

func (s *Sequencer) defaults() {
	if s.Poll <= 0 {
		s.Poll = DefaultChainPoll
	}
	if s.Batch <= 0 {
		s.Batch = DefaultChainBatch
	}
	if s.Retry <= 0 {
		s.Retry = DefaultElectionRetry
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
}

// Run campaigns for the lock and, once elected, chains until ctx ends or its
// connection fails, then campaigns again. It returns ctx's error when ctx
// ends, or an error when the database URL cannot be used at all.
func (s *Sequencer) Run(ctx context.Context) error {
	s.defaults()
	dsn, err := WithBinaryParameters(s.DSN)
	if err != nil {
		return err
	}
	pool, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return fmt.Errorf("audit sequencer: %w", err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	for {
		if err := s.campaign(ctx, pool); err != nil && ctx.Err() == nil {
			s.Log.Warn("audit sequencer stepped down", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.Retry):
		}
	}
}

// campaign tries the lock once on a fresh connection and, when it wins,
// leads until an error or ctx's end. The connection that held the lock is
// closed, not returned to the pool: the lock goes with it.
func (s *Sequencer) campaign(ctx context.Context, pool *sqlx.DB) error {
	conn, err := pool.Connx(ctx)
	if err != nil {
		return err
	}
	var won bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, sequencerLock).Scan(&won); err != nil || !won {
		conn.Close()
		return err
	}
	defer func() { _ = conn.Raw(func(any) error { return driver.ErrBadConn }) }() // close it: the lock ends with the session
	s.Log.Info("audit sequencer elected")
	// A server that vanishes without closing its socket must not keep the
	// lock for the hours of the default TCP keepalive.
	if _, err := conn.ExecContext(ctx, `SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 5`); err != nil {
		return err
	}
	// The sequencer is the only writer of the head: read it once, and
	// again only after a failure (the campaign starts afresh).
	var head Head
	if err := conn.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE singleton`); err != nil {
		return err
	}
	s.afterBatch(ctx, head)
	for {
		// A step is two statements, each its own transaction: the batch
		// read (a quiet poll costs only that) and the move.
		n, err := chainStep(ctx, conn, &head, s.Batch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if n > 0 {
			s.afterBatch(ctx, head)
		}
		if n == s.Batch {
			continue // more are waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.Poll):
		}
	}
}

func (s *Sequencer) afterBatch(ctx context.Context, head Head) {
	if s.AfterBatch == nil {
		return
	}
	if err := s.AfterBatch(ctx, head); err != nil {
		s.Log.Warn("audit sequencer: after batch", "seq", head.Seq, "error", err)
	}
}

// queuedEntry is an entry of audit_queue with its place in the order.
type queuedEntry struct {
	Entry
	XID string `db:"xid"`
	ID  int64  `db:"id"`
}

// chainStep chains at most limit committed entries after head, whose caller
// holds the sequencer's lock, moves head to the new tip and returns how many
// it chained. q is the sequencer's connection (each statement then commits
// on its own: the batch read is stable, as no other writer may take or add
// the entries it read, and the move is one statement) or a transaction. See
// the order's argument above.
func chainStep(ctx context.Context, q sqlx.QueryerContext, head *Head, limit int) (int, error) {
	// The columns are qualified: a bare xid in ORDER BY would name the
	// output column, the id as text, which sorts 10 before 9. Sorted by the
	// key of the queue's primary key, the read walks that index and stops
	// after limit entries.
	var batch []queuedEntry
	if err := sqlx.SelectContext(ctx, q, &batch, `
		SELECT xid::text AS xid, id, at, actor_id, actor_name, actor_role, action, target_type,
		       target_id, request_id, changes
		  FROM audit_queue
		 WHERE audit_queue.xid < pg_snapshot_xmin(pg_current_snapshot())
		 ORDER BY audit_queue.xid, audit_queue.id
		 LIMIT $1`, limit); err != nil {
		return 0, fmt.Errorf("read audit queue: %w", err)
	}
	if len(batch) == 0 {
		return 0, nil
	}
	var (
		xids   = make([]string, len(batch))
		ids    = make([]int64, len(batch))
		seqs   = make([]int64, len(batch))
		prevs  = make([][]byte, len(batch))
		hashes = make([][]byte, len(batch))
		prev   = head.Hash
		last   []byte
	)
	for i := range batch {
		e := &batch[i]
		xids[i], ids[i], seqs[i] = e.XID, e.ID, head.Seq+int64(i)+1
		prevs[i], hashes[i] = prev, ChainHash(prev, e.Content())
		last, prev = prev, hashes[i]
	}
	var ok bool
	err := q.QueryRowxContext(ctx, `
		WITH c AS (
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[], $5::bytea[])
			           AS c (xid, id, seq, prev_hash, hash)
		), moved AS (
			DELETE FROM audit_queue q USING c
			 WHERE q.xid = c.xid::xid8 AND q.id = c.id
			RETURNING c.seq, q.at, q.actor_id, q.actor_name, q.actor_role, q.action, q.target_type,
			          q.target_id, q.request_id, q.changes, c.prev_hash, c.hash
		), chained AS (
			INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, action, target_type,
			                       target_id, request_id, changes, prev_hash, hash, chained_at)
			SELECT seq, at, actor_id, actor_name, actor_role, action, target_type,
			       target_id, request_id, changes, prev_hash, hash, clock_timestamp()
			  FROM moved
			RETURNING 1
		), tip AS (
			UPDATE audit_head SET seq = $6, prev_hash = $7, hash = $8
			 WHERE singleton AND seq = $9
			RETURNING 1
		)
		SELECT audit_chain_check((SELECT count(*) FROM chained) = $10 AND (SELECT count(*) FROM tip) = 1)`,
		pq.StringArray(xids), pq.Int64Array(ids), pq.Int64Array(seqs), pq.ByteaArray(prevs), pq.ByteaArray(hashes),
		seqs[len(seqs)-1], last, prev, head.Seq, len(batch)).Scan(&ok)
	if err != nil {
		// Another writer moved the queue or the head (audit_chain_check
		// raised, so the statement wrote nothing), or the database failed:
		// the caller starts afresh from the head as stored.
		return 0, fmt.Errorf("chain audit entries: %w", err)
	}
	*head = Head{Seq: seqs[len(seqs)-1], Hash: prev}
	return len(batch), nil
}

// ErrChainWait is returned by WaitChained when the entries it waits for are
// not chained in time.
var ErrChainWait = errors.New("audit entries not chained in time")

// chainWaitLimit bounds WaitChained: a transaction held open for longer
// holds the chain back (see the order's argument) and the caller is told.
const chainWaitLimit = 30 * time.Second

// WaitChained returns once every audit entry committed before the call is
// chained. When no sequencer holds the lock it chains them itself, step by
// step, under the lock held for each step's transaction; otherwise it waits
// for the sequencer. Commands that write without a server (user add,
// seed-demo) call it before they exit, and tests through ChainOnCommit; it
// returns ErrChainWait after 30 s.
func WaitChained(ctx context.Context, db *DB) error {
	// Every transaction that committed before now has an xid below the
	// snapshot's xmax.
	var mark string
	if err := db.GetContext(ctx, &mark, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text`); err != nil {
		return MapError(err)
	}
	deadline := time.Now().Add(chainWaitLimit)
	for pause := 500 * time.Microsecond; ; {
		var waiting bool
		if err := db.GetContext(ctx, &waiting, `SELECT EXISTS (SELECT 1 FROM audit_queue WHERE xid < $1::xid8)`, mark); err != nil {
			return MapError(err)
		}
		if !waiting {
			return nil
		}
		n, err := chainIfFree(ctx, db)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if time.Now().After(deadline) {
			return ErrChainWait
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// chainIfFree runs one step of the sequencer on db's pool when no sequencer
// holds the lock, and returns how many entries it chained.
func chainIfFree(ctx context.Context, db *DB) (int, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, MapError(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	var free bool
	if err := tx.GetContext(ctx, &free, `SELECT pg_try_advisory_xact_lock($1)`, sequencerLock); err != nil || !free {
		return 0, MapError(err)
	}
	var head Head
	if err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE singleton`); err != nil {
		return 0, MapError(err)
	}
	n, err := chainStep(ctx, tx, &head, DefaultChainBatch)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, MapError(err)
	}
	return n, nil
}

// Queued is called by a writer after an autocommitted statement that queued
// an audit entry outside Transact (ledger's submission). It does nothing
// unless ChainOnCommit is set, and then waits for the entry to be chained.
func (db *DB) Queued(ctx context.Context) error {
	if !db.ChainOnCommit {
		return nil
	}
	return WaitChained(ctx, db)
}
