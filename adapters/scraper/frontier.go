package scraper

import (
	"container/heap"
	"net/url"
)

// item is a URL waiting in the frontier.
type item struct {
	u     *url.URL
	key   string
	depth int
	rank  int // rankURL's, or inherited from the page linking to it
	seq   int
}

// frontier holds the URLs waiting to be fetched, highest rank first (see
// rankURL), then breadth first, then in discovery order, so a crawl is
// deterministic for a given order of arrivals. It remembers every URL it
// was given, so each is queued once; a URL found again with a higher rank
// (a link reading "Contact" to a page first seen without text) moves up.
// It is owned by the crawl's coordinator and needs no lock.
type frontier struct {
	h    itemHeap
	seen map[string]bool
	seq  int
}

func newFrontier() *frontier {
	return &frontier{seen: map[string]bool{}, h: itemHeap{pos: map[string]int{}}}
}

// push queues u unless it was seen before, and reports whether it did. A
// URL still waiting takes the higher of its rank and rank.
func (f *frontier) push(u *url.URL, depth, rank int) bool {
	n, key := normalize(u)
	if f.seen[key] {
		if i, ok := f.h.pos[key]; ok && f.h.items[i].rank < rank {
			f.h.items[i].rank = rank
			heap.Fix(&f.h, i)
		}
		return false
	}
	f.seen[key] = true
	f.seq++
	heap.Push(&f.h, item{u: n, key: key, depth: depth, rank: rank, seq: f.seq})
	return true
}

// pop removes and returns the next URL to fetch.
func (f *frontier) pop() item { return heap.Pop(&f.h).(item) }

// len is the number of URLs waiting.
func (f *frontier) len() int { return f.h.Len() }

// markSeen records a key reached another way (the final URL of a redirect),
// so a link to it is not queued.
func (f *frontier) markSeen(key string) { f.seen[key] = true }

// itemHeap is the container/heap behind frontier; pos finds a waiting key
// in items.
type itemHeap struct {
	items []item
	pos   map[string]int
}

func (h *itemHeap) Len() int { return len(h.items) }
func (h *itemHeap) Less(i, j int) bool {
	a, b := &h.items[i], &h.items[j]
	if a.rank != b.rank {
		return a.rank > b.rank
	}
	if a.depth != b.depth {
		return a.depth < b.depth
	}
	return a.seq < b.seq
}
func (h *itemHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.pos[h.items[i].key], h.pos[h.items[j].key] = i, j
}
func (h *itemHeap) Push(x any) {
	it := x.(item)
	h.pos[it.key] = len(h.items)
	h.items = append(h.items, it)
}
func (h *itemHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	delete(h.pos, it.key)
	return it
}
