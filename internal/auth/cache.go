package auth

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// AuthChannel is the notification channel on which the database announces
// every change that may end a sign-in: a token revoked, expired by hand or
// deleted, a user changed or disabled, a user's units changed. Triggers
// (migration 0001) send it in the changing transaction, so it arrives when
// that transaction commits.
const AuthChannel = "taahod_auth"

// tokenCache remembers, for a short while, the users of tokens that were
// found live, so that most requests authenticate without a database round
// trip. Revocation stays correct because the cache empties itself on every
// notification of AuthChannel, and is not used at all while its listener is
// not connected and listening; a logout also forgets its own token at once.
// An entry lives at most ttl and never past its token's expiry.
type tokenCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[[32]byte]cacheEntry
	// gen counts the flushes. A lookup remembers it before it reads the
	// database and stores its answer only if no flush came in between, so
	// that an answer read before a revocation cannot outlive the flush
	// that the revocation caused.
	gen  uint64
	live atomic.Bool
}

type cacheEntry struct {
	user  User
	until time.Time
}

// maxCacheEntries bounds the cache; past it, it starts over.
const maxCacheEntries = 100_000

func (c *tokenCache) get(key [32]byte, now time.Time) (User, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live.Load() {
		return User{}, c.gen, false
	}
	e, ok := c.entries[key]
	if !ok || !now.Before(e.until) {
		return User{}, c.gen, false
	}
	return e.user, c.gen, true
}

func (c *tokenCache) put(key [32]byte, u User, until time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live.Load() || gen != c.gen {
		return
	}
	if len(c.entries) >= maxCacheEntries {
		c.entries = map[[32]byte]cacheEntry{}
	}
	c.entries[key] = cacheEntry{user: u, until: until}
}

func (c *tokenCache) forget(key [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// invalidate empties the cache and leaves its state alone: a change made in
// this process takes effect here at once, without waiting for its
// notification to come back.
func (c *tokenCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = map[[32]byte]cacheEntry{}
}

// flush empties the cache and says whether it may be used from now on.
func (c *tokenCache) flush(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = map[[32]byte]cacheEntry{}
	c.live.Store(live)
}

// CacheTokens makes Authenticate remember live tokens for up to ttl, kept
// correct by a listener on AuthChannel over its own connection to dsn. It
// returns once the listener listens (or with its error) and stops it when ctx
// ends. Without a call, every request reads the database.
func (s *Store) CacheTokens(ctx context.Context, dsn string, ttl time.Duration, log *slog.Logger) error {
	c := &tokenCache{ttl: ttl, entries: map[[32]byte]cacheEntry{}}
	events := func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			// Notifications may be missed from now on: stop trusting the
			// cache until the listener is back.
			c.flush(false)
			log.Warn("sign-in cache off: its listener lost the database", "error", err)
		}
	}
	l := pq.NewListener(dsn, 100*time.Millisecond, 5*time.Second, events)
	if err := l.Listen(AuthChannel); err != nil {
		l.Close()
		return err
	}
	c.flush(true)
	s.cache = c
	go func() {
		defer l.Close()
		ping := time.NewTicker(5 * time.Second)
		defer ping.Stop()
		for {
			select {
			case <-ctx.Done():
				c.flush(false)
				return
			case n := <-l.Notify:
				// A nil notification follows a reconnection, after the
				// listener listens again: what was missed is flushed, and
				// the cache may serve again.
				if n == nil {
					log.Info("sign-in cache on again")
				}
				c.flush(true)
			case <-ping.C:
				// A connection that died quietly shows here.
				if err := l.Ping(); err != nil {
					c.flush(false)
				}
			}
		}
	}()
	return nil
}
