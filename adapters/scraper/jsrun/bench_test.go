package jsrun_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/scraper/jsrun"
)

// scriptHeavyPage is the inline scripts of a realistic small-business page: analytics and tag
// manager boilerplate, a cookie banner, a jQuery-style init, a Joomla cloak and a character-map
// decoder.
var scriptHeavyPage = []string{
	`(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');ga('create', 'UA-000000-1', 'auto');ga('send', 'pageview');`,
	`window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-XXXXXXX', { anonymize_ip: true });`,
	`(function(){ var KEY = 'cookie_consent'; function get(n){ var m = document.cookie.match(new RegExp('(?:^|; )' + n.replace(/([.$?*|{}()\[\]\\\/+^])/g, '\\$1') + '=([^;]*)')); return m ? decodeURIComponent(m[1]) : undefined; }
  function set(n, v){ document.cookie = n + '=' + encodeURIComponent(v) + '; path=/; max-age=31536000'; }
  if (!get(KEY)) { var b = document.createElement('div'); b.className = 'cookie-banner'; document.body.appendChild(b); b.addEventListener('click', function(){ set(KEY, 'yes'); b.style.display = 'none'; }); } })();`,
	`jQuery(function($){ $('.menu-toggle').on('click', function(){ $('.nav').toggleClass('open'); }); $('a[href^="#"]').on('click', function(e){ e.preventDefault(); }); $('.year').text(new Date().getFullYear()); });`,
	`document.getElementById('cloak4f2a').innerHTML = '';
 var prefix = '&#109;a' + 'i&#108;' + '&#116;o';
 var path = 'hr' + 'ef' + '=';
 var addy4f2a = '&#105;nf&#111;' + '&#64;';
 addy4f2a = addy4f2a + 'k&#111;nt&#111;r' + '&#46;' + 'd&#101;';
 var addy_text4f2a = '&#105;nf&#111;' + '&#64;' + 'k&#111;nt&#111;r' + '&#46;' + 'd&#101;';document.getElementById('cloak4f2a').innerHTML += '<a ' + path + '\'' + prefix + ':' + addy4f2a + '\'>'+addy_text4f2a+'<\/a>';`,
	`(function(){ var k = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210@.zyxwvutsrqponmlkjihgfedcba", s = "LIWVIH8NROOYILLP9XL", k2 = "abcdefghijklmnopqrstuvwxyz.@0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", o = "";
for (var i = 0; i < s.length; i++) { o += k2.charAt(k.indexOf(s.charAt(i))); }
var l = document.getElementById('eeb-1'); l.innerHTML = '<a href="mailto:' + o + '">' + o + '</a>'; })();`,
}

func pageBytes(scripts []string) int64 {
	n := 0
	for _, s := range scripts {
		n += len(s)
	}
	return int64(n)
}

// BenchmarkScriptHeavyPage evaluates the whole page: runtime, prelude, every script.
func BenchmarkScriptHeavyPage(b *testing.B) {
	r := jsrun.New(jsrun.Limits{})
	ctx := context.Background()
	if got := revealed(r.Run(ctx, scriptHeavyPage)); !slices.Contains(got, "info@kontor.de") || !slices.Contains(got, "orders@millbrook.co") {
		b.Fatalf("revealed %v, want the cloak and the decoder", got)
	}
	b.SetBytes(pageBytes(scriptHeavyPage))
	b.ReportAllocs()
	for b.Loop() {
		r.Run(ctx, scriptHeavyPage)
	}
}

// BenchmarkPrefilteredPage is a page whose scripts cannot build an address: only the prefilter runs.
func BenchmarkPrefilteredPage(b *testing.B) {
	r := jsrun.New(jsrun.Limits{})
	ctx := context.Background()
	page := append([]string(nil), scriptHeavyPage[:2]...)
	page = append(page, strings.Repeat(`document.documentElement.className += ' js'; var x = [1, 2, 3].map(function (n) { return n * 2 });`, 40))
	if r.Run(ctx, page) != nil {
		b.Fatal("the page should not reach the interpreter")
	}
	b.SetBytes(pageBytes(page))
	b.ReportAllocs()
	for b.Loop() {
		r.Run(ctx, page)
	}
}
