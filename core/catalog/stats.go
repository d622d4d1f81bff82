package catalog

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scrapersky/scrapersky-go/core"
)

// StatusCounter counts domains by the value of every status column; the
// stores implement it with one pass over the domains.
type StatusCounter interface {
	CountStatuses(ctx context.Context) ([]core.StatusCount, error)
}

// DefaultStatsTTL is how long one count serves every caller of a
// StatsCache: the page asks every 3 s while scans run, and a count of
// 500,000 domains takes most of a second of database time.
const DefaultStatsTTL = 5 * time.Second

// DefaultStatsMinAge is how old a count must be before a Touch makes the
// next call count again: the workers of this process touch the cache at
// every claim and every finished job, and hundreds of jobs finishing in a
// second must not mean hundreds of counts.
const DefaultStatsMinAge = time.Second

// StatsCache serves the counts of a StatusCounter from one reading for up
// to its TTL, shared by all callers; callers that find it stale while a
// reading is under way wait for that reading instead of starting their
// own. Invalidate drops the reading: the writes made through this process
// (the API's) call it, so a count read after such a write includes it.
// Touch marks it stale once it is MinAge old: this process's workers call
// it when they claim or finish jobs, so their changes show within about a
// second; other processes' workers' within the TTL. It is safe for
// concurrent use.
type StatsCache struct {
	next StatusCounter
	ttl  time.Duration
	now  func() time.Time
	gen  atomic.Uint64 // bumped by Invalidate
	soft atomic.Uint64 // bumped by Touch
	min  time.Duration

	mu       sync.Mutex // held while reading: one reading at a time
	counts   []core.StatusCount
	readAt   time.Time
	readGen  uint64
	readSoft uint64
	hasCount bool
}

var _ StatusCounter = (*StatsCache)(nil)

// NewStatsCache returns a cache over next; a ttl of zero or less counts at
// every call.
func NewStatsCache(next StatusCounter, ttl time.Duration, clock core.Clock) *StatsCache {
	return &StatsCache{next: next, ttl: ttl, now: clock.Now, min: DefaultStatsMinAge}
}

// CountStatuses returns the cached counts while they are younger than the
// TTL and no write invalidated them since they were read; otherwise it
// counts again. A failed count is returned and not cached.
func (c *StatsCache) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gen, soft := c.gen.Load(), c.soft.Load()
	age := c.now().Sub(c.readAt)
	touched := c.readSoft != soft && age >= c.min
	if c.hasCount && c.readGen == gen && age < c.ttl && !touched {
		return c.counts, nil
	}
	// A write that invalidates during the reading bumps gen past the one
	// recorded here, so this reading, which may have missed it, serves
	// nobody after that write.
	counts, err := c.next.CountStatuses(ctx)
	if err != nil {
		return nil, err
	}
	c.counts, c.readAt, c.readGen, c.readSoft, c.hasCount = counts, c.now(), gen, soft, true
	return counts, nil
}

// Invalidate makes the next CountStatuses count again. It never waits.
func (c *StatsCache) Invalidate() { c.gen.Add(1) }

// Touch makes the next CountStatuses count again once the counts it would
// serve are at least MinAge (DefaultStatsMinAge) old. It never waits.
func (c *StatsCache) Touch() { c.soft.Add(1) }
