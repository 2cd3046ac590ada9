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
//
// A listener can also die quietly (its server stopped, a network cut that
// no packet reports): nothing tells the cache, and notifications simply stop.
// So, with a lease, the cache answers only while its listener has answered
// a ping sent less than lease ago: a notification sent before that ping has
// reached the cache, so no change made on another server is missed for
// longer than lease (MaxCacheStaleness).
type tokenCache struct {
	ttl time.Duration
	// lease, when not zero, is how long a ping's answer vouches for the
	// listener; proof is when the last answered ping was sent.
	lease   time.Duration
	proof   time.Time
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
	if !c.live.Load() || (c.lease > 0 && time.Since(c.proof) > c.lease) {
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

// proved records that the listener answered a ping sent at sent.
func (c *tokenCache) proved(sent time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sent.After(c.proof) {
		c.proof = sent
	}
}

// flush empties the cache and says whether it may be used from now on.
func (c *tokenCache) flush(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = map[[32]byte]cacheEntry{}
	c.live.Store(live)
}

// MaxCacheStaleness bounds how long a change made through another server
// (a token revoked, a user disabled) can go unseen by this server's token
// cache when its listener has died without a word: the cache's lease. With
// the listener well, notifications take milliseconds.
const MaxCacheStaleness = 800 * time.Millisecond

// leasePing is how often the listener is pinged to renew the lease: often
// enough that a slow answer or two does not let the lease lapse.
const leasePing = MaxCacheStaleness / 5

// CacheTokens makes Authenticate remember live tokens for up to ttl, kept
// correct by a listener on AuthChannel over its own connection to dsn and
// a lease of MaxCacheStaleness renewed by pinging it. It returns once the
// listener listens (or with its error) and stops it when ctx ends. Without
// a call, every request reads the database.
func (s *Store) CacheTokens(ctx context.Context, dsn string, ttl time.Duration, log *slog.Logger) error {
	c := &tokenCache{ttl: ttl, lease: MaxCacheStaleness, entries: map[[32]byte]cacheEntry{}}
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
	c.proved(time.Now())
	c.flush(true)
	s.cache = c
	// The lease is renewed apart from the notifications' loop, so that a
	// ping that never returns (the quiet death it is there for) holds up
	// nothing but itself.
	go func() {
		tick := time.NewTicker(leasePing)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				sent := time.Now()
				if err := l.Ping(); err != nil {
					// No connection: stop trusting the cache until the
					// listener is back (its nil notification).
					c.flush(false)
				} else if ctx.Err() == nil {
					c.proved(sent)
					if !c.live.Load() {
						// Connected and listening again (pq sets the
						// connection it pings only after it listens
						// again); the cache was emptied when it went off,
						// and what is committed from now on is notified.
						c.flush(true)
					}
				}
			}
		}
	}()
	go func() {
		defer l.Close()
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
			}
		}
	}()
	return nil
}
