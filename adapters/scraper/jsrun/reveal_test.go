package jsrun_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/scraper/jsrun"
)

// ScriptRunner is the port the extractor declares; Runner must satisfy it.
type ScriptRunner interface {
	Run(ctx context.Context, scripts []string) []string
}

var _ ScriptRunner = (*jsrun.Runner)(nil)

var addrRE = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// revealed returns the addresses in the fragments, read the way the extractor reads HTML
// (entities decoded).
func revealed(frags []string) []string {
	return addrRE.FindAllString(html.UnescapeString(strings.Join(frags, "\n")), -1)
}

type revealCase struct {
	name    string
	scripts []string
	want    string // "" for a negative case: no address may appear
}

// revealCases are labelled pages of script-built addresses, one per form the sandbox must reveal,
// and negatives that must reveal nothing.
var revealCases = []revealCase{
	{"concat literal", []string{`document.write('info' + '@' + 'acme.com')`}, "info@acme.com"},
	{"concat variables", []string{`var u = "sales", d = "acme-tools.de"; var a = u + String.fromCharCode(64) + d; document.write('<a href="mailto:' + a + '">' + a + '</a>');`}, "sales@acme-tools.de"},
	{"concat through functions", []string{`function at(){ return '@' } function mk(u, d){ return u + at() + d } document.writeln(mk('hello', 'brightlane.io'))`}, "hello@brightlane.io"},
	{"script defines, handler calls", []string{`function show(u, d){ document.getElementById('c').textContent = u + '@' + d }`, `show('team', 'kettle.example.org'); return false;`}, "team@kettle.example.org"},
	{"getElementById innerHTML", []string{`document.getElementById('mail').innerHTML = '<a href="mailto:' + 'anna' + '&#64;' + 'linde.se">Mail</a>'`}, "anna@linde.se"},
	{"querySelector textContent", []string{`var e = document.querySelector('.contact span'); e.textContent = ['bo', 'nordvik.no'].join('@');`}, "bo@nordvik.no"},
	{"innerText", []string{`document.getElementById('x').innerText = 'kim' + '@' + 'hanse.de'`}, "kim@hanse.de"},
	{"outerHTML", []string{`document.querySelector('#y').outerHTML = '<b>' + 'lea' + '@' + 'vogel.at</b>'`}, "lea@vogel.at"},
	{"value", []string{`document.getElementsByName('email')[0].value = 'max' + '@' + 'ostsee.de'`}, "max@ostsee.de"},
	{"getElementsByClassName href", []string{`var l = document.getElementsByClassName('m')[0]; l.href = 'mailto:' + 'ola' + '@' + 'fjord.no';`}, "ola@fjord.no"},
	{"createElement appendChild", []string{`var a = document.createElement('a'); a.href = 'mailto:' + 'ida' + '@' + 'sund.dk'; a.appendChild(document.createTextNode('write')); document.body.appendChild(a);`}, "ida@sund.dk"},
	{"setAttribute", []string{`var a = document.createElement('a'); a.setAttribute('href', 'mail' + 'to:' + 'per' + '@' + 'berg.se'); document.body.appendChild(a)`}, "per@berg.se"},
	{"location.href", []string{`location.href = 'mailto:' + 'jo' + '@' + 'strand.nl'`}, "jo@strand.nl"},
	{"window.location", []string{`window.location = 'mailto:' + ['ana', 'rio.pt'].join('@')`}, "ana@rio.pt"},
	{"atob", []string{`document.write(atob('Y29udGFjdEBncmVlbmZpZWxkLmNvbQ=='))`}, "contact@greenfield.com"},
	{"javascript: URL with atob", []string{`javascript:location.href=atob('bWFpbHRvOnN1cHBvcnRAcGluZXdvb2QuaW8=')`}, "support@pinewood.io"},
	{"javascript: URL percent-encoded", []string{`javascript:window.location=%27mailto:%27+%27lars%27+%27%40%27+%27havn.dk%27`}, "lars@havn.dk"},
	{"fromCharCode", []string{`document.write(String.fromCharCode(105,110,102,111,64,107,105,116,101,46,99,111,109))`}, "info@kite.com"},
	{"unescape", []string{`document.write(unescape('%6D%61%69%6C%40%64%75%6E%65%2E%66%72'))`}, "mail@dune.fr"},
	{"decodeURIComponent", []string{`document.write(decodeURIComponent('office%40alpen-huette.at'))`}, "office@alpen-huette.at"},
	{"eval of decoded string", []string{`eval(unescape('%64%6F%63%75%6D%65%6E%74%2E%77%72%69%74%65%28%27%6E%6F%72%61%40%6D%6F%6F%72%2E%69%65%27%29'))`}, "nora@moor.ie"},
	{"reversed string", []string{`document.write('moc.pohsekab@olleh'.split('').reverse().join(''))`}, "hello@bakeshop.com"},
	{"rot13", []string{`function rot13(s){ return s.replace(/[a-zA-Z]/g, function(c){ return String.fromCharCode((c <= 'Z' ? 90 : 122) >= (c = c.charCodeAt(0) + 13) ? c : c - 26); }); }
document.getElementById('r').innerHTML = rot13('<n uers="znvygb:wnar@ornpba.pbz">jevgr</n>');`}, "jane@beacon.com"},
	{"joomla cloak", []string{`document.getElementById('cloak4f2a').innerHTML = '';
 var prefix = '&#109;a' + 'i&#108;' + '&#116;o';
 var path = 'hr' + 'ef' + '=';
 var addy4f2a = '&#105;nf&#111;' + '&#64;';
 addy4f2a = addy4f2a + 'k&#111;nt&#111;r' + '&#46;' + 'd&#101;';
 var addy_text4f2a = '&#105;nf&#111;' + '&#64;' + 'k&#111;nt&#111;r' + '&#46;' + 'd&#101;';document.getElementById('cloak4f2a').innerHTML += '<a ' + path + '\'' + prefix + ':' + addy4f2a + '\'>'+addy_text4f2a+'<\/a>';`}, "info@kontor.de"},
	{"character-map decoder", []string{`(function(){ var k = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210@.zyxwvutsrqponmlkjihgfedcba", s = "LIWVIH8NROOYILLP9XL", k2 = "abcdefghijklmnopqrstuvwxyz.@0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", o = "";
for (var i = 0; i < s.length; i++) { o += k2.charAt(k.indexOf(s.charAt(i))); }
var l = document.getElementById('eeb-1'); l.innerHTML = '<a href="mailto:' + o + '">' + o + '</a>'; })();`}, "orders@millbrook.co"},
	{"charCode shift decoder", []string{`function dec(s, n){ var r = ''; for (var i = 0; i < s.length; i++) r += String.fromCharCode(s.charCodeAt(i) - n); return r; }
document.write('<a href="' + dec('pdlowr=yhudCqhxpdqq1gh', 3) + '">mail</a>');`}, "vera@neumann.de"},
	{"jquery html", []string{`$(function(){ $('#contact').html('<a href="mailto:' + 'tom' + '@' + 'hafen.de">Tom</a>'); });`}, "tom@hafen.de"},
	{"jquery text", []string{`jQuery('.who').text('eva' + '@' + 'wald.ch')`}, "eva@wald.ch"},
	{"jquery attr", []string{`$('a.mail').attr('href', 'mailto:' + 'uli' + '@' + 'see.at').show()`}, "uli@see.at"},
	{"jquery append", []string{`$(document).ready(function(){ $('#f').append('<span>' + 'ria' + '@' + 'berg.it</span>'); })`}, "ria@berg.it"},
	{"setTimeout callback", []string{`setTimeout(function(){ document.getElementById('t').textContent = 'tim' + '@' + 'lake.ca'; }, 500)`}, "tim@lake.ca"},
	{"addEventListener load", []string{`window.addEventListener('DOMContentLoaded', function(){ document.body.insertAdjacentHTML('beforeend', 'liv' + '@' + 'dal.no'); })`}, "liv@dal.no"},
	{"window.onload", []string{`window.onload = function(){ document.write('uma' + '@' + 'ridge.com') }`}, "uma@ridge.com"},
	{"javascript: URL body without its scheme", []string{`location.href=%27mailto:%27+%27pia%27+%27%40%27+%27holm.se%27`}, "pia@holm.se"},
	{"onclick body that returns", []string{`this.href = 'x'; location.href = 'mailto:' + 'nils' + '@' + 'vik.fi'; return false;`}, "nils@vik.fi"},
	{"stubbed call argument", []string{`console.log('debug ' + 'ken' + '@' + 'mesa.mx')`}, "ken@mesa.mx"},
	{"a failing callback does not cost the others", []string{`setTimeout(function(){ throw new Error('x') }); setTimeout(function(){ document.write('cal' + '@' + 'mesa.mx') })`}, "cal@mesa.mx"},
	{"output survives a later throw", []string{`document.write('amy' + '@' + 'cove.uk'); undefinedFunction();`}, "amy@cove.uk"},
	{"syntax error beside a good script", []string{`document.write('x' +)`, `document.write('rob' + '@' + 'glen.uk')`}, "rob@glen.uk"},

	{"negative: analytics boilerplate", []string{`window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-XXXX');`}, ""},
	{"negative: at sign in a twitter handle", []string{`document.write('follow @acme on social')`}, ""},
	{"negative: decoder producing no address", []string{`document.write('olleh'.split('').reverse().join(''))`}, ""},
	{"negative: reads but never writes", []string{`var x = document.getElementById('mail').innerHTML; var y = 'a' + '@';`}, ""},
	{"negative: network is absent", []string{`try { fetch('http://127.0.0.1/leak?e=' + 'a@b.com') } catch (e) {} try { new XMLHttpRequest() } catch (e) { document.write(typeof require + typeof process + typeof fetch) }`}, ""},
}

// generous gives scripts time enough under the race detector on a loaded machine: these tests are
// about what is revealed, not about budgets.
var generous = jsrun.Limits{ScriptTime: 5 * time.Second, PageTime: 10 * time.Second}

func TestRunReveals(t *testing.T) {
	t.Parallel()
	r := jsrun.New(generous)
	for _, tc := range revealCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := revealed(r.Run(context.Background(), tc.scripts))
			if tc.want == "" {
				require.Empty(t, got)
				return
			}
			require.Contains(t, got, tc.want)
		})
	}
}

// Every positive case must pass the prefilter, or the page would never reach the interpreter.
func TestWorthPassesEveryPositive(t *testing.T) {
	t.Parallel()
	for _, tc := range revealCases {
		if tc.want == "" {
			continue
		}
		worth := false
		for _, s := range tc.scripts {
			worth = worth || jsrun.Worth(strings.TrimPrefix(s, "javascript:"))
		}
		require.True(t, worth, tc.name)
	}
}

func TestWorthSeesEverySpellingOfTheHints(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`a = 'x' + '&#64;' + 'y'`, `a = 'x' + '&#X40;'`, `a = 'x%40y'`, `a = 'x\x40y'`, `a = 'x\u0040y'`, `a = 'x\100y'`,
		`a = 'MAILTO:'`, `String.FromCharCode(1)`, `s.charCodeAt(0)`, `s.charAt(0)`, `ATOB(s)`, `unescape(s)`,
		`decodeURIComponent(s)`, `s.split('').reverse()`, `s.replace(a, b)`, `eval(s)`, `var cloak1 = 1`, `ROT13(s)`,
	} {
		require.True(t, jsrun.Worth(s), s)
	}
}

func TestWorthRejectsBoilerplate(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-XXXX');`,
		`(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');`,
		`document.documentElement.className = 'js';`,
	} {
		require.False(t, jsrun.Worth(s), s)
	}
}

// A page none of whose scripts passes the prefilter returns nothing without evaluating: the
// script below would write an address if it ran.
func TestRunSkipsPagesTheFilterRejects(t *testing.T) {
	t.Parallel()
	r := jsrun.New(jsrun.Limits{})
	got := r.Run(context.Background(), []string{`document.write(['ann', 'x.com'].join(String.fromCodePoint(64)))`})
	require.Empty(t, got)
}

func TestRunSkipsBundlesOverTheSizeCap(t *testing.T) {
	t.Parallel()
	r := jsrun.New(jsrun.Limits{ScriptSize: 1 << 10, ScriptTime: generous.ScriptTime, PageTime: generous.PageTime})
	bundle := `document.write('big' + '@' + 'bundle.com');` + strings.Repeat("var a=1;", 200)
	require.Empty(t, revealed(r.Run(context.Background(), []string{bundle})))
	got := revealed(r.Run(context.Background(), []string{bundle, `document.write('small' + '@' + 'page.com')`}))
	require.Equal(t, []string{"small@page.com"}, got)
}
