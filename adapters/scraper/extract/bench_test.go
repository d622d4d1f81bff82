package extract

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// benchPage builds a page of about size bytes shaped like a small-business
// site: navigation, long articles, a staff table, inline scripts and styles,
// JSON-LD, a form, protected and obfuscated addresses and a footer.
func benchPage(size int) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Acme Tools – Industrial supplies since 1962</title>
<meta name="description" content="Acme Tools sells industrial supplies, fasteners &amp; tools.">
<link rel="stylesheet" href="/assets/site.css?v=3"><style>body{font:16px/1.5 sans-serif}.hero{background:url(hero@2x.jpg)}</style>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Acme Tools","email":"mailto:info@acme-tools.com","contactPoint":[{"@type":"ContactPoint","email":"sales@acme-tools.com"}]}</script>
</head><body><header><nav><ul>`)
	for i := range 12 {
		fmt.Fprintf(&b, `<li class="nav-item"><a class="nav-link" href="/section-%d/">Section %d</a></li>`, i, i)
	}
	b.WriteString(`</ul></nav></header><main>`)
	words := strings.Fields(`the quick brown fox jumps over lazy dogs while our engineers deliver precision
		fasteners bolts nuts washers and custom machined parts to customers across Europe and North America
		with same day shipping on stock items and certified quality management according to ISO 9001`)
	for i := 0; b.Len() < size-4000; i++ {
		fmt.Fprintf(&b, `<section id="s%d"><h2>Article %d</h2>`, i, i)
		for p := range 4 {
			b.WriteString(`<p>`)
			for w := range 60 {
				b.WriteString(words[(i*7+p*13+w)%len(words)])
				if w%17 == 5 {
					fmt.Fprintf(&b, ` <a href="/products/%d-%d">product %d</a>`, i, w, w)
				}
				if w%23 == 11 {
					b.WriteString(` <strong>important</strong>`)
				}
				b.WriteByte(' ')
			}
			b.WriteString(`</p>`)
		}
		if i%5 == 0 {
			b.WriteString(`<table class="staff"><tr><th>Name</th><th>Email</th><th>Phone</th></tr>`)
			for r := range 3 {
				fmt.Fprintf(&b, `<tr><td>Person %d</td><td>person%d.%d@acme-tools.com</td><td>+1 555 01%02d</td></tr>`, r, i, r, r)
			}
			b.WriteString(`</table>`)
		}
		if i%7 == 3 {
			fmt.Fprintf(&b, `<p>Regional office: office%d [at] acme-tools [dot] com, or <a href="/cdn-cgi/l/email-protection#7112175c1d181f1a3110121c145c051e1e1d025f121e1c">[email&#160;protected]</a></p>`, i)
		}
		b.WriteString(`<img src="/img/photo@2x.png" alt="photo"></section>`)
	}
	b.WriteString(`</main><form><input type="email" name="email" placeholder="you@yourdomain.com"><input type="hidden" name="to" value="web@acme-tools.com"></form>
<footer><p>Acme Tools GmbH · <a href="mailto:info@acme-tools.com?subject=Hello">info@acme-tools.com</a> · <a href="tel:+15550100">+1 555 0100</a></p>
<script src="/assets/app.js" defer></script></footer></body></html>`)
	return []byte(b.String())
}

func TestBenchPage(t *testing.T) {
	t.Parallel()
	page := benchPage(100 << 10)
	require := func(cond bool, msg string, args ...any) {
		t.Helper()
		if !cond {
			t.Fatalf(msg, args...)
		}
	}
	require(len(page) > 95<<10 && len(page) < 110<<10, "page is %d bytes", len(page))
	got := HTML(page, "https://www.acme-tools.com/")
	emails := map[string]Source{}
	for _, f := range got {
		emails[f.Email] = f.Source
	}
	require(emails["info@acme-tools.com"] == SourceJSONLD, "info: %q", emails["info@acme-tools.com"])
	require(emails["person0.2@acme-tools.com"] == SourceText, "person0.2: %q", emails["person0.2@acme-tools.com"])
	require(emails["office3@acme-tools.com"] == SourceObfuscated, "office3: %q", emails["office3@acme-tools.com"])
	require(emails["cf-link@acme-tools.com"] == SourceCFEmail, "cf-link: %q", emails["cf-link@acme-tools.com"])
	require(emails["web@acme-tools.com"] == SourceInput, "web: %q", emails["web@acme-tools.com"])
	require(len(got) > 20, "found %d", len(got))
	t.Logf("benchmark page: %d bytes, %d addresses", len(page), len(got))
}

// BenchmarkHTML measures throughput on a realistic ~100 KB page.
func BenchmarkHTML(b *testing.B) {
	page := benchPage(100 << 10)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	loopCPU(b, len(page), func() {
		if len(HTML(page, "https://www.acme-tools.com/")) == 0 {
			b.Fatal("no addresses")
		}
	})
}

// BenchmarkParse is the floor under BenchmarkHTML: goquery's parse of the
// same page and nothing else.
func BenchmarkParse(b *testing.B) {
	page := benchPage(100 << 10)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	loopCPU(b, len(page), func() {
		if _, err := goquery.NewDocumentFromReader(bytes.NewReader(page)); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkTokenize is the floor under BenchmarkHTML since it reads the token
// stream: the tokenizer alone, every token visited, nothing extracted.
func BenchmarkTokenize(b *testing.B) {
	page := benchPage(100 << 10)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	loopCPU(b, len(page), func() {
		z := html.NewTokenizer(bytes.NewReader(page))
		for z.Next() != html.ErrorToken {
		}
	})
}

// scriptPage is benchPage with script-built addresses: inline scripts that
// write links, javascript: links and event handlers, about one in ten
// kilobytes of the page.
func scriptPage(size int) []byte {
	var b strings.Builder
	b.Write(benchPage(size - 8<<10))
	for i := range 40 {
		fmt.Fprintf(&b, `<p><script>document.write('<a href="mailto:' + 'desk%d' + '@' + 'acme-tools.com">desk</a>');</script>`, i)
		fmt.Fprintf(&b, `<a href="javascript:void(0)" onclick="this.textContent = 'room%d' + '@' + 'acme-tools.com'">show</a></p>`, i)
	}
	return []byte(b.String())
}

// BenchmarkHTMLScripts measures the script path on a script-heavy page with
// the tests' writerRunner: collecting the scripts and reading back what they
// write, not the cost of a JavaScript interpreter.
func BenchmarkHTMLScripts(b *testing.B) {
	page := scriptPage(100 << 10)
	x := Extractor{Scripts: writerRunner{}}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	loopCPU(b, len(page), func() {
		if len(x.HTML(context.Background(), page, "https://www.acme-tools.com/")) < 80 {
			b.Fatal("script-built addresses missing")
		}
	})
}
