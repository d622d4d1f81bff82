package scraper

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
)

// maxLinksPerPage bounds the work one page with a huge link list can cause.
const maxLinksPerPage = 2000

// Selectors are compiled once: an invalid selector would otherwise match
// nothing without a word.
var (
	baseSel = cascadia.MustCompile("base[href]")
	linkSel = cascadia.MustCompile("a[href], area[href]")
)

// link is one outgoing link with the text a user would click on.
type link struct {
	url  *url.URL
	text string
}

// extractLinks returns the absolute http(s) links of an HTML page, resolved
// against its <base href> if there is one.
func extractLinks(pageURL *url.URL, body []byte) []link {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	base := pageURL
	if href, ok := doc.FindMatcher(baseSel).First().Attr("href"); ok {
		if b, err := pageURL.Parse(strings.TrimSpace(href)); err == nil {
			base = b
		}
	}
	var links []link
	doc.FindMatcher(linkSel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		href, _ := s.Attr("href")
		href = strings.TrimSpace(href)
		if href == "" || strings.HasPrefix(href, "#") {
			return true
		}
		u, err := base.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return true
		}
		text := s.Text()
		if alt, ok := s.Attr("alt"); ok && goquery.NodeName(s) == "area" {
			text = alt
		}
		if title, ok := s.Attr("title"); ok {
			text += " " + title
		}
		links = append(links, link{url: u, text: strings.Join(strings.Fields(text), " ")})
		return len(links) < maxLinksPerPage
	})
	return links
}
