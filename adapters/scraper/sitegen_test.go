package scraper_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// This file generates realistic company sites for the crawl's recall tests:
// 60 to 80 pages laid out as real sites are (header navigation, a footer on
// every page, an about section with team and per-person pages, offices with
// a page per city, legal pages, careers, press, a help centre, a paginated
// blog with tags and categories, a shop), with the addresses placed where
// real sites put them. Most pages hold no address of their own, so which
// pages a capped crawl fetches first decides how many it finds.

// lang names the paths and labels of one site language.
type lang struct {
	about, team, leadership, locations, contact, legal, privacy, terms      string
	careers, press, support, faq, blog, products, cart, login, search, page string
	tag, category                                                           string
	// labels of the same keys, as the links read.
	label map[string]string
	// word for "Email" in front of an address.
	email string
}

var english = lang{
	about: "about", team: "about/team", leadership: "about/leadership", locations: "offices",
	contact: "contact", legal: "legal-notice", privacy: "privacy-policy", terms: "terms",
	careers: "careers", press: "press", support: "support", faq: "support/faq", blog: "blog",
	products: "products", cart: "cart", login: "account/login", search: "search", page: "page",
	tag: "tag", category: "category", email: "Email",
	label: map[string]string{
		"home": "Home", "about": "About", "team": "Our team", "leadership": "Leadership",
		"locations": "Offices", "contact": "Contact us", "legal": "Legal notice",
		"privacy": "Privacy", "terms": "Terms of use", "careers": "Careers", "press": "Press",
		"support": "Support", "faq": "FAQ", "blog": "Journal", "products": "Shop", "cart": "Basket",
		"login": "Sign in", "search": "Search", "older": "Older posts", "more": "Read more",
		"buy": "Add to basket",
	},
}

var german = lang{
	about: "ueber-uns", team: "ueber-uns/unser-team", leadership: "geschaeftsfuehrung",
	locations: "standorte", contact: "kontakt", legal: "impressum", privacy: "datenschutz",
	terms: "agb", careers: "karriere", press: "presse", support: "hilfe", faq: "hilfe/haeufige-fragen",
	blog: "magazin", products: "produkte", cart: "warenkorb", login: "konto/anmelden", search: "suche",
	page: "seite", tag: "schlagwort", category: "kategorie", email: "E-Mail",
	label: map[string]string{
		"home": "Startseite", "about": "Über uns", "team": "Unser Team", "leadership": "Geschäftsführung",
		"locations": "Standorte", "contact": "Kontakt", "legal": "Impressum", "privacy": "Datenschutz",
		"terms": "AGB", "careers": "Karriere", "press": "Presse", "support": "Hilfe", "faq": "FAQ",
		"blog": "Magazin", "products": "Produkte", "cart": "Warenkorb", "login": "Anmelden",
		"search": "Suche", "older": "Ältere Beiträge", "more": "Weiterlesen", "buy": "In den Warenkorb",
	},
}

var spanish = lang{
	about: "quienes-somos", team: "quienes-somos/equipo", leadership: "direccion", locations: "sedes",
	contact: "contacto", legal: "aviso-legal", privacy: "politica-de-privacidad", terms: "condiciones",
	careers: "trabaja-con-nosotros", press: "prensa", support: "ayuda", faq: "ayuda/preguntas-frecuentes",
	blog: "blog", products: "tienda", cart: "carrito", login: "mi-cuenta/acceso", search: "buscar",
	page: "pagina", tag: "etiqueta", category: "categoria", email: "Correo",
	label: map[string]string{
		"home": "Inicio", "about": "Quiénes somos", "team": "Equipo", "leadership": "Dirección",
		"locations": "Sedes", "contact": "Contacto", "legal": "Aviso legal", "privacy": "Privacidad",
		"terms": "Condiciones", "careers": "Empleo", "press": "Prensa", "support": "Ayuda", "faq": "Preguntas",
		"blog": "Blog", "products": "Tienda", "cart": "Carrito", "login": "Acceder",
		"search": "Buscar", "older": "Entradas anteriores", "more": "Leer más", "buy": "Añadir al carrito",
	},
}

// siteSpec shapes one generated site.
type siteSpec struct {
	lang   lang
	domain string // of the addresses
	people []string
	cities []string
	// flatPeople puts the per-person pages at /firstname-lastname, a path
	// that says nothing about the page, as many CMSs do.
	flatPeople bool
	// quirks reaches some pages only the way a person can: the offices
	// through a <select> that navigates on change, the press page through
	// an onclick handler, the legal notice through JSON-LD and a nofollow
	// link.
	quirks  bool
	sitemap bool
}

// genSite is a generated site: its pages by path and the addresses they
// hold.
type genSite struct {
	pages map[string]string
	addrs map[string][]string // address -> paths showing it
}

func (g *genSite) put(path, body string, addrs ...string) {
	g.pages[path] = body
	for _, a := range addrs {
		g.addrs[a] = append(g.addrs[a], path)
	}
}

// all is every address the site shows, sorted.
func (g *genSite) all() []string {
	out := make([]string, 0, len(g.addrs))
	for a := range g.addrs {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

func slug(s string) string {
	r := strings.NewReplacer(" ", "-", "ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "á", "a", "í", "i", "ó", "o", "ñ", "n")
	return r.Replace(strings.ToLower(s))
}

func generate(sp siteSpec) *genSite {
	g := &genSite{pages: map[string]string{}, addrs: map[string][]string{}}
	L := sp.lang
	at := func(local string) string { return local + "@" + sp.domain }
	p := func(key string) string { return "/" + keyPath(L, key) }
	a := func(href, text string) string { return fmt.Sprintf(`<a href="%s">%s</a>`, href, text) }
	footerAddr := at("info")
	var posts, products []string
	for i := 1; i <= 18; i++ {
		posts = append(posts, fmt.Sprintf("/%s/%d/%02d/notes-on-craft-%d", L.blog, 2024-i/8, 12-i%12, i))
	}
	for _, name := range []string{"oak desk", "walnut shelf", "ash stool", "linen lamp", "brass hook", "cork board",
		"felt tray", "pine crate", "cedar box", "maple tray", "stone vase", "clay mug"} {
		products = append(products, "/"+L.products+"/"+slug(name))
	}
	tags := []string{"design", "wood", "workshop", "sustainability"}
	cats := []string{"news", "stories", "guides"}

	nav := `<header><nav class="main">` + a("/", L.label["home"]) + a(p("about"), L.label["about"]) +
		a(p("products"), L.label["products"]) + a(p("blog"), L.label["blog"]) + a(p("contact"), L.label["contact"]) +
		a(p("login"), L.label["login"]) + a("/"+L.cart, L.label["cart"]) +
		fmt.Sprintf(`<form action="/%s" method="get"><input name="q"><button>%s</button></form>`, L.search, L.label["search"]) +
		`</nav></header>`
	var foot strings.Builder
	foot.WriteString(`<footer><ul>`)
	for _, k := range []string{"legal", "privacy", "terms", "careers", "press", "support"} {
		switch {
		case sp.quirks && k == "press":
			fmt.Fprintf(&foot, `<li><span class="link" onclick="window.location='%s'">%s</span></li>`, p(k), L.label[k])
		case sp.quirks && k == "legal":
			fmt.Fprintf(&foot, `<li><a rel="nofollow" href="%s">%s</a></li>`, p(k), L.label[k])
		default:
			fmt.Fprintf(&foot, `<li>%s</li>`, a(p(k), L.label[k]))
		}
	}
	foot.WriteString(`</ul>`)
	if sp.quirks {
		// The offices are reached through a drop-down that navigates.
		foot.WriteString(`<select onchange="location.href=this.value"><option value="">` + L.label["locations"] + `</option>`)
		for _, c := range sp.cities {
			fmt.Fprintf(&foot, `<option value="/%s/%s">%s</option>`, L.locations, slug(c), c)
		}
		foot.WriteString(`</select>`)
	}
	fmt.Fprintf(&foot, `<address>Studio Brightlane · 1 Harbour Row · %s: <a href="mailto:%s">%s</a></address></footer>`, L.email, footerAddr, footerAddr)
	ld := ""
	if sp.quirks {
		ld = fmt.Sprintf(`<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Brightlane","url":"/","publishingPrinciples":{"@type":"WebPage","url":"%s"},"sameAs":["https://social.invalid/brightlane"]}</script>`, p("legal"))
	}
	layout := func(title, main string) string {
		return "<!doctype html><html><head><meta charset=utf-8><title>" + title + "</title>" + ld +
			"</head><body>" + nav + "<main><h1>" + title + "</h1>" + main + "</main>" + foot.String() + "</body></html>"
	}
	filler := "<p>We design and build furniture in small batches, from timber we know by name. Every piece is made to order in our own workshop and finished by hand.</p>"
	emailLine := func(who, addr string) string {
		return fmt.Sprintf(`<p>%s — %s: <a href="mailto:%s">%s</a></p>`, who, L.email, addr, addr)
	}

	// Home: hero, the latest posts, featured products.
	var home strings.Builder
	home.WriteString(filler + "<h2>" + L.label["blog"] + "</h2><ul>")
	for _, po := range posts[:3] {
		fmt.Fprintf(&home, "<li>%s</li>", a(po, L.label["more"]))
	}
	home.WriteString("</ul><h2>" + L.label["products"] + "</h2>")
	for _, pr := range products[:6] {
		home.WriteString(a(pr, strings.ReplaceAll(pr[strings.LastIndex(pr, "/")+1:], "-", " ")) + " ")
	}
	g.put("/", layout("Brightlane", home.String()), footerAddr)

	// About, team, per-person pages, leadership.
	g.put(p("about"), layout(L.label["about"], filler+a(p("team"), L.label["team"])+" "+a(p("leadership"), L.label["leadership"])+" "+
		a(p("locations"), L.label["locations"])), footerAddr)
	var team strings.Builder
	for i, name := range sp.people[:10] {
		path := p("team") + "/" + slug(name)
		if sp.flatPeople {
			path = "/" + slug(name)
		}
		fmt.Fprintf(&team, `<div class="card"><img src="/img/p%d.jpg" alt=""><h3>%s</h3><p>Designer</p>%s</div>`, i, name, a(path, name))
		addr := at(strings.ReplaceAll(slug(name), "-", "."))
		g.put(path, layout(name, "<p>"+name+" joined Brightlane in 2019.</p>"+emailLine(name, addr)+a(p("team"), "← "+L.label["team"])), footerAddr, addr)
	}
	g.put(p("team"), layout(L.label["team"], team.String()), footerAddr)
	var lead strings.Builder
	var leadAddrs []string
	for _, name := range sp.people[10:13] {
		addr := at(strings.ToLower(strings.Fields(name)[1]))
		leadAddrs = append(leadAddrs, addr)
		lead.WriteString("<h3>" + name + "</h3>" + emailLine(name, addr))
	}
	g.put(p("leadership"), layout(L.label["leadership"], lead.String()), append(leadAddrs, footerAddr)...)

	// Offices: an index and a page per city.
	var offices strings.Builder
	for _, c := range sp.cities {
		path := "/" + L.locations + "/" + slug(c)
		offices.WriteString("<li>" + a(path, c) + "</li>")
		addr := at(slug(c))
		body, addrs := "<p>Visit our "+c+" showroom, Mon–Sat.</p>"+emailLine(c, addr), []string{footerAddr, addr}
		if c == sp.cities[0] {
			body += emailLine("Showroom", at("showroom"))
			addrs = append(addrs, at("showroom"))
		}
		g.put(path, layout(c, body), addrs...)
	}
	if !sp.quirks {
		g.put(p("locations"), layout(L.label["locations"], "<ul>"+offices.String()+"</ul>"), footerAddr)
	}

	// Contact, legal, privacy, terms.
	g.put(p("contact"), layout(L.label["contact"], emailLine("Sales", at("sales"))+emailLine("Hello", at("hello"))+
		emailLine("Trade", at("trade"))+`<form method="post" action="/`+L.contact+`/send"><textarea name="m"></textarea></form>`),
		footerAddr, at("sales"), at("hello"), at("trade"))
	g.put(p("legal"), layout(L.label["legal"], "<p>Brightlane GmbH, HRB 12345.</p>"+emailLine("Legal", at("legal"))), footerAddr, at("legal"))
	g.put(p("privacy"), layout(L.label["privacy"], filler+emailLine("Data protection officer", at("dpo"))), footerAddr, at("dpo"))
	g.put(p("terms"), layout(L.label["terms"], filler+filler), footerAddr)

	// Careers with three openings, press, the help centre.
	var jobs strings.Builder
	for _, j := range []string{"joiner", "finisher", "shop-assistant"} {
		path := p("careers") + "/" + j
		jobs.WriteString(a(path, j) + " ")
		g.put(path, layout(j, filler+a(p("careers"), L.label["careers"])), footerAddr)
	}
	g.put(p("careers"), layout(L.label["careers"], jobs.String()+emailLine("Jobs", at("jobs"))+emailLine(sp.people[13], at("people"))),
		footerAddr, at("jobs"), at("people"))
	g.put(p("press"), layout(L.label["press"], emailLine("Press office", at("press"))+emailLine(sp.people[14], at("media"))),
		footerAddr, at("press"), at("media"))
	var help strings.Builder
	for _, h := range []string{"shipping", "returns", "care-guide"} {
		path := p("support") + "/" + h
		help.WriteString(a(path, h) + " ")
		if h == "returns" {
			g.put(path, layout(h, filler+emailLine("Returns", at("returns"))), footerAddr, at("returns"))
			continue
		}
		g.put(path, layout(h, filler), footerAddr)
	}
	g.put(p("support"), layout(L.label["support"], help.String()+a(p("faq"), L.label["faq"])+emailLine("Help desk", at("help"))+emailLine("Billing", at("billing"))),
		footerAddr, at("help"), at("billing"))
	g.put(p("faq"), layout(L.label["faq"], filler+emailLine("Wholesale", at("wholesale"))), footerAddr, at("wholesale"))

	// The blog: three index pages, tags, categories, 18 posts; one author's
	// box, on three of the posts, is the only place her address appears.
	author := sp.people[15]
	authorAddr := at(strings.ReplaceAll(slug(author), "-", "."))
	side := ""
	for _, t := range tags {
		side += a("/"+L.blog+"/"+L.tag+"/"+t, t) + " "
	}
	for _, c := range cats {
		side += a("/"+L.blog+"/"+L.category+"/"+c, c) + " "
	}
	for i, po := range posts {
		body := filler + filler + "<p>" + side + "</p>"
		var addrs []string
		if i%6 == 4 {
			body += `<aside class="author-box"><h4>` + author + `</h4>` + emailLine(author, authorAddr) + `</aside>`
			addrs = append(addrs, authorAddr)
		}
		if i+1 < len(posts) {
			body += a(posts[i+1], "←")
		}
		g.put(po, layout(fmt.Sprintf("Notes on craft %d", i+1), body), append(addrs, footerAddr)...)
	}
	for pg := 1; pg <= 3; pg++ {
		var idx strings.Builder
		for _, po := range posts[(pg-1)*6 : pg*6] {
			idx.WriteString("<article>" + a(po, L.label["more"]) + "</article>")
		}
		if pg < 3 {
			idx.WriteString(a(fmt.Sprintf("/%s/%s/%d", L.blog, L.page, pg+1), L.label["older"]))
		}
		path := fmt.Sprintf("/%s/%s/%d", L.blog, L.page, pg)
		if pg == 1 {
			path = p("blog")
		}
		g.put(path, layout(L.label["blog"], idx.String()+side), footerAddr)
	}
	for _, t := range tags {
		g.put("/"+L.blog+"/"+L.tag+"/"+t, layout(t, a(posts[len(t)%18], t)), footerAddr)
	}
	for _, c := range cats {
		g.put("/"+L.blog+"/"+L.category+"/"+c, layout(c, a(posts[len(c)%18], c)), footerAddr)
	}

	// The shop: an index, twelve products, basket links with a query.
	var shop strings.Builder
	for i, pr := range products {
		shop.WriteString(a(pr, pr) + " ")
		next := products[(i+1)%len(products)]
		g.put(pr, layout(pr, filler+a("/"+L.cart+"?add="+pr[strings.LastIndex(pr, "/")+1:], L.label["buy"])+" "+a(next, next)), footerAddr)
	}
	g.put(p("products"), layout(L.label["products"], shop.String()+a(p("products")+"?sort=price", "€")), footerAddr)
	g.put("/"+L.cart, layout(L.label["cart"], "<p>0</p>"), footerAddr)
	g.put(p("login"), layout(L.label["login"], "<form method=post><input name=u></form>"), footerAddr)
	g.put("/"+L.search, layout(L.label["search"], "<p>?</p>"), footerAddr)

	if sp.sitemap {
		var sm strings.Builder
		sm.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		paths := make([]string, 0, len(g.pages))
		for path := range g.pages {
			paths = append(paths, path)
		}
		slices.Sort(paths)
		for _, path := range paths {
			fmt.Fprintf(&sm, "<url><loc>{{ORIGIN}}%s</loc></url>", path)
		}
		sm.WriteString("</urlset>")
		g.pages["/sitemap.xml"] = sm.String()
	}
	return g
}

// keyPath returns the path of a page key in l.
func keyPath(l lang, key string) string {
	return map[string]string{
		"about": l.about, "team": l.team, "leadership": l.leadership, "locations": l.locations,
		"contact": l.contact, "legal": l.legal, "privacy": l.privacy, "terms": l.terms,
		"careers": l.careers, "press": l.press, "support": l.support, "faq": l.faq, "blog": l.blog,
		"products": l.products, "login": l.login,
	}[key]
}

// serve starts the site on 127.0.0.1. Query strings select nothing: a
// page with a query is the page without it, as on most real sites.
func (g *genSite) serve(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = fmt.Fprint(w, "User-agent: *\nDisallow: /account/\nDisallow: /konto/\n")
			return
		case "/sitemap.xml":
			body, ok := g.pages["/sitemap.xml"]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			_, _ = fmt.Fprint(w, strings.ReplaceAll(body, "{{ORIGIN}}", "http://"+r.Host))
			return
		}
		body, ok := g.pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

var (
	englishPeople = []string{"Amelia Hart", "Oliver Quinn", "Isla Porter", "Noah Fletcher", "Ava Lindqvist",
		"Leo Marsh", "Freya Doyle", "Arthur Blake", "Maya Chen", "Theo Walsh", "Eleanor Vance", "Samuel Okafor",
		"Grace Holloway", "Harriet Lowe", "Felix Brandt", "Rosa Whitfield"}
	spanishPeople = []string{"Lucía García", "Hugo Martínez", "Martina López", "Pablo Sánchez", "Sofía Romero",
		"Daniel Navarro", "Valeria Torres", "Álvaro Ruiz", "Carmen Díaz", "Mateo Herrera", "Elena Castro",
		"Javier Ortega", "Paula Molina", "Sergio Delgado", "Irene Vidal", "Nuria Prieto"}
	germanPeople = []string{"Anna Schmidt", "Lukas Becker", "Lea Hoffmann", "Jonas Wagner", "Marie Schulz",
		"Felix Krüger", "Sophie Neumann", "Paul Zimmermann", "Emma Braun", "Leon Hartmann", "Clara Vogel",
		"Matthias Roth", "Johanna Keller", "Tobias Frank", "Katrin Lorenz", "Greta Sommer"}
)

// sites are the generated sites of the recall tests.
func sites() map[string]siteSpec {
	return map[string]siteSpec{
		"english": {lang: english, domain: "brightlane-studio.co.uk", people: englishPeople, sitemap: true,
			cities: []string{"London", "Manchester", "Bristol", "Leeds", "Edinburgh", "Dublin"}},
		"spanish": {lang: spanish, domain: "taller-alba.es", people: spanishPeople, flatPeople: true, sitemap: true,
			cities: []string{"Madrid", "Sevilla", "Valencia", "Bilbao", "Málaga", "Zaragoza"}},
		"german": {lang: german, domain: "nordlicht-werkstatt.de", people: germanPeople, flatPeople: true, quirks: true,
			cities: []string{"Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden"}},
	}
}
