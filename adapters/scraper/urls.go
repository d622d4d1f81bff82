package scraper

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// homeURL turns a stored domain ("acme.com", "127.0.0.1:8080",
// "[::1]:9000") into the https URL of its home page.
func homeURL(site string) (*url.URL, error) {
	s := strings.TrimSpace(site)
	if s == "" || strings.ContainsAny(s, "/?#@\\ ") {
		return nil, fmt.Errorf("%w: %q is not a host", errInvalidURL, site)
	}
	u, err := url.Parse("https://" + s + "/")
	if err != nil || u.Hostname() == "" || u.Host != s {
		return nil, fmt.Errorf("%w: %q is not a host", errInvalidURL, site)
	}
	n, _ := normalize(u)
	return n, nil
}

// normalize returns a copy of u without fragment, user info and default
// port, with a lowercase scheme and host and a non-empty path, and the key
// under which the crawler remembers it. The key leaves out the scheme so that
// http and https links to the same page are fetched once.
func normalize(u *url.URL) (*url.URL, string) {
	n := *u
	n.Scheme = strings.ToLower(n.Scheme)
	n.User = nil
	n.Fragment, n.RawFragment = "", ""
	host := strings.ToLower(n.Hostname())
	port := n.Port()
	if (n.Scheme == "http" && port == "80") || (n.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" || strings.Contains(host, ":") {
		if port != "" {
			n.Host = net.JoinHostPort(host, port)
		} else {
			n.Host = "[" + host + "]"
		}
	} else {
		n.Host = host
	}
	if n.Path == "" {
		n.Path, n.RawPath = "/", ""
	}
	n.ForceQuery = false
	key := n.Host + n.EscapedPath()
	if n.RawQuery != "" {
		key += "?" + n.RawQuery
	}
	return &n, key
}

// robotsPath is the part of u that robots.txt rules match against.
func robotsPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// scope decides which URLs belong to the site being crawled. A host with a
// public suffix is widened to its registrable domain, so www. and other
// subdomains belong to it; an IP literal or a name without a public suffix
// (localhost, intranet names) matches only its exact host and port.
type scope struct {
	domain   string // registrable domain, or "" for exact matching
	hostPort string // normalized host[:port] for exact matching
}

func scopeOf(u *url.URL) scope {
	n, _ := normalize(u)
	host := n.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return scope{hostPort: n.Host}
	}
	suffix, icann := publicsuffix.PublicSuffix(host)
	// An unlisted TLD falls back to the "*" rule: not ICANN and a single
	// label. Such names (localhost, corp) have no registrable domain.
	if !icann && !strings.Contains(suffix, ".") {
		return scope{hostPort: n.Host}
	}
	domain, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return scope{hostPort: n.Host}
	}
	return scope{domain: domain}
}

func (s scope) contains(u *url.URL) bool {
	n, _ := normalize(u)
	if s.domain == "" {
		return n.Host == s.hostPort
	}
	host := n.Hostname()
	return host == s.domain || strings.HasSuffix(host, "."+s.domain)
}

// binaryExt lists file extensions that never hold a page worth reading.
// Links ending in them are dropped before any request.
var binaryExt = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`
		pdf ps eps doc docx xls xlsx ppt pptx odt ods odp rtf epub mobi
		png jpg jpeg gif webp svg svgz ico bmp tif tiff avif heic heif psd raw
		zip gz tgz tar bz2 xz 7z rar zst lz lzma cab
		exe msi dmg pkg deb rpm apk ipa bin iso img jar
		mp3 mp4 m4a m4v wav ogg oga ogv opus flac aac wma wmv webm avi mov mkv flv mpg mpeg 3gp
		woff woff2 ttf otf eot
		css js mjs map json xml rss atom csv ics vcf swf`) {
		binaryExt["."+e] = true
	}
}

func isBinaryPath(p string) bool {
	return binaryExt[strings.ToLower(path.Ext(p))]
}
