package scraper

import (
	"net/url"
	"strings"
	"unicode"
)

// The crawl's page cap (30 by default) is smaller than most company sites,
// so the order of the frontier decides which addresses a scan finds. A URL
// is ranked by what its path and link text say about the page, in several
// languages: the pages where people put addresses (contact, the legal
// notice, team and per-person pages, offices, about, press, privacy,
// careers, help) first, pages that rarely hold one (shop, blog archives,
// tags, pagination, accounts, feeds) last, everything else in between.
// Nothing is dropped for its rank: a small site is still crawled whole.

// wordRank is the rank of a page whose path or link text has one of words
// at the start of a word ("contact" matches "contacto" and "contact-us",
// "press" does not match "wordpress").
type wordRank struct {
	rank  int
	words []string
}

// contactRanks are the page kinds where a person looks for an address,
// best first. A URL takes the rank of the best kind it matches.
var contactRanks = []wordRank{
	{100, []string{"contact", "kontakt", "contatt", "contato", "get in touch", "reach us", "write to us",
		"nous contacter", "contacte", "kontaktformular", "ota yhteytt"}},
	{95, []string{"impressum", "imprint", "legal notice", "legal info", "site notice", "mentions legales",
		"mentions légales", "aviso legal", "note legali", "colofon", "disclosure"}},
	{90, []string{"team", "people", "staff", "leadership", "management", "mitarbeiter", "ansprechpartner",
		"geschaeftsfuehrung", "geschäftsführung", "geschaftsfuhrung", "vorstand", "board of", "board members",
		"advisory board", "our board", "directors", "direccion", "dirección", "direction ",
		"founders", "executives", "attorneys", "lawyers", "anwaelte", "anwälte", "doctors", "faculty",
		"experts", "equipo", "equipe", "équipe", "personas", "our people", "who we are",
		"chi siamo", "quienes somos", "quiénes somos", "qui sommes nous", "medewerkers", "direzione"}},
	{85, []string{"locations", "location", "offices", "office", "standort", "filiale", "niederlassung",
		"branches", "branch", "store locator", "find us", "visit us", "directions", "anfahrt", "sucursal",
		"oficina", "sedes", "agence", "agences", "bureaux", "implantations", "showroom", "vestiging"}},
	{80, []string{"about", "ueber uns", "über uns", "uber uns", "wir ueber uns", "a propos", "à propos",
		"sobre nosotros", "sobre ", "nosotros ", "qui sommes", "company", "unternehmen", "firma",
		"entreprise", "empresa", "our story", "chi siamo", "over ons", "azienda"}},
	{75, []string{"press", "presse", "prensa", "stampa", "media", "medien", "newsroom", "medios"}},
	{70, []string{"privacy", "datenschutz", "data protection", "gdpr", "dsgvo", "rgpd", "dpo",
		"confidentialite", "confidentialité", "privacidad", "donnees personnelles", "données personnelles"}},
	{65, []string{"careers", "career", "jobs", "job", "karriere", "stellen", "empleo", "trabaja",
		"emploi", "recrutement", "carrieres", "carrières", "vacancies", "join us", "work with us",
		"hiring", "lavora con noi", "vacatures"}},
	{60, []string{"support", "help", "hilfe", "faq", "customer service", "kundenservice",
		"ayuda", "aide", "soporte", "assistance", "assistenza"}},
	{50, []string{"terms", "agb", "conditions", "cgv", "cgu", "terminos", "términos", "condiciones",
		"nutzungsbedingungen", "legal", "rechtliches", "disclaimer", "haftungsausschluss", "policies"}},
}

// lowYield are the pages that rarely hold an address of their own (their
// footer is on every other page too), with how far they drop.
var lowYield = []wordRank{
	{-80, []string{"login", "log in", "signin", "sign in", "logout", "register", "signup", "sign up",
		"account", "my account", "cart", "basket", "checkout", "warenkorb", "kasse", "anmelden",
		"wishlist", "panier", "carrito", "compare ", "password", "wp login", "wp admin", "wp json",
		"wp content", "xmlrpc", "add to cart", "feed ", "feeds ", "rss ", "atom ", "print ", "share ",
		"api ", "ajax", "mein konto", "mon compte", "mi cuenta", "cesta ", "kalender", "calendar",
		"ical ", "download ", "downloads "}},
	{-40, []string{"tag ", "tags ", "category", "categories", "kategorie", "schlagwort", "archive",
		"archiv", "search", "suche", "buscar", "recherche", "product", "produkt", "produit",
		"producto", "shop ", "tienda ", "boutique ", "negozio ", "winkel ", "item ", "items ", "collections ", "catalog", "katalog", "sort ",
		"orderby ", "filter ", "events ", "veranstaltungen", "replytocom"}},
	{-20, []string{"blog", "news ", "post ", "posts ", "article", "magazin", "journal ", "stories ",
		"aktuelles", "actualites", "actualités", "noticias", "comments ", "author "}},
}

// Ranks of a URL's position, added to the rank of its words.
const (
	rankPerSegment = -5  // each path segment after the first, but numbers
	rankQuery      = -10 // a query string: usually a variant of a page
	rankDate       = -10 // a year or date in the path: an archive or a post
	rankPagination = -40 // the second and later pages of a listing
	inheritDrop    = 15  // a neutral link on a ranked page ranks this much below it
	inheritFloor   = 50  // pages below this rank pass nothing on
)

// rankURL ranks a link to u whose text (the words a user clicks, its title
// or alt) is text, found on a page that passes inherit on (see inherited):
// higher is crawled first. The best contact kind named by the path, query
// or text sets the base; every low-yield kind named by the path or query
// lowers it, and so do depth, a query, pagination and dates. Only the
// text's contact words count: "Sign in" next to a contact link says nothing
// about where it goes. A link that names no kind at all (/anna-schmidt on a
// team page) takes inherit when that is higher.
func rankURL(u *url.URL, text string, inherit int) int {
	path := words(u.Path)
	query := words(u.RawQuery)
	best := 0
	for _, wr := range contactRanks {
		if hasWord(path, wr.words) || hasWord(query, wr.words) || text != "" && hasWord(words(text), wr.words) {
			best = wr.rank
			break
		}
	}
	low := false
	for _, wr := range lowYield {
		if hasWord(path, wr.words) || hasWord(query, wr.words) {
			best += wr.rank
			low = true
		}
	}
	if isPagination(path) || isPagination(query) {
		best += rankPagination
		low = true
	}
	if hasDate(u.Path) {
		best += rankDate
		low = true
	}
	if best == 0 && !low && inherit > 0 {
		return inherit
	}
	if segs := segments(u.Path); segs > 1 {
		best += (segs - 1) * rankPerSegment
	}
	if u.RawQuery != "" {
		best += rankQuery
	}
	return best
}

// inherited is what a page of rank parent passes on to the neutral links
// it has and the home page has not (the home page's links are the site's
// navigation, on every page): the people and places an index page lists
// come right after it.
func inherited(parent int) int {
	if parent < inheritFloor {
		return 0
	}
	return parent - inheritDrop
}

// words lowercases s (a path, query or link text, percent-decoded where it
// can be) and turns every run of characters other than letters and digits
// into one space, with a space at both ends, so a word's start is " word"
// and a whole word " word ".
func words(s string) string {
	if strings.ContainsRune(s, '%') {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 1)
	b.WriteByte(' ')
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// hasWord reports whether s (made by words) has one of ws (made ready by
// init) at the start of a word, or as a whole word when it ends in a space.
func hasWord(s string, ws []string) bool {
	for _, w := range ws {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isPagination reports whether path or query words (made by words) number
// a page of a listing: /blog/page/2, ?page=3, /seite/4.
func isPagination(s string) bool {
	for _, w := range []string{" page ", " paged ", " seite ", " pagina ", " página ", " pg "} {
		if i := strings.Index(s, w); i >= 0 && i+len(w) < len(s) && s[i+len(w)] >= '0' && s[i+len(w)] <= '9' {
			return true
		}
	}
	return false
}

func init() {
	// Every word is matched at the start of a word of the text.
	for _, l := range [][]wordRank{contactRanks, lowYield} {
		for _, wr := range l {
			for i, w := range wr.words {
				wr.words[i] = " " + w
			}
		}
	}
}

// hasDate reports whether a path segment is a year from 1990 to 2099 (a
// blog or news archive: /2024/05/title) or starts with a yyyy-mm-dd date.
func hasDate(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if len(seg) >= 4 && (strings.HasPrefix(seg, "19") && seg[2] == '9' || strings.HasPrefix(seg, "20")) &&
			isDigits(seg[:4]) && (len(seg) == 4 || seg[4] == '-' && len(seg) >= 10 && isDigits(seg[5:7])) {
			return true
		}
	}
	return false
}

// segments counts the segments of a path that are not numbers (a date's
// /2024/05/ is ranked by hasDate, not as depth).
func segments(p string) int {
	n := 0
	for seg := range strings.SplitSeq(p, "/") {
		if seg != "" && !isDigits(seg) {
			n++
		}
	}
	return n
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
