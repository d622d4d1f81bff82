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
	prio  bool
	seq   int
}

// frontier holds the URLs waiting to be fetched, contact-like ones first,
// then breadth first, then in discovery order. It remembers every URL it
// was given, so each is queued once. It is owned by the crawl's coordinator
// and needs no lock.
type frontier struct {
	h    itemHeap
	seen map[string]bool
	seq  int
}

func newFrontier() *frontier { return &frontier{seen: map[string]bool{}} }

// push queues u unless it was seen before, and reports whether it did.
func (f *frontier) push(u *url.URL, depth int, prio bool) bool {
	n, key := normalize(u)
	if f.seen[key] {
		return false
	}
	f.seen[key] = true
	f.seq++
	heap.Push(&f.h, item{u: n, key: key, depth: depth, prio: prio, seq: f.seq})
	return true
}

// pop removes and returns the next URL to fetch.
func (f *frontier) pop() item { return heap.Pop(&f.h).(item) }

// len is the number of URLs waiting.
func (f *frontier) len() int { return f.h.Len() }

// markSeen records a key reached another way (the final URL of a redirect),
// so a link to it is not queued.
func (f *frontier) markSeen(key string) { f.seen[key] = true }

// itemHeap is the container/heap behind frontier.
type itemHeap []item

func (h itemHeap) Len() int { return len(h) }
func (h itemHeap) Less(i, j int) bool {
	if h[i].prio != h[j].prio {
		return h[i].prio
	}
	if h[i].depth != h[j].depth {
		return h[i].depth < h[j].depth
	}
	return h[i].seq < h[j].seq
}
func (h itemHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)   { *h = append(*h, x.(item)) }
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
