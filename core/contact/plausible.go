package contact

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// The reasons Plausible gives for a rejection. They are short phrases meant
// for logs and for the extractor's tests, not for end users.
const (
	reasonSyntax      = "not an email address"
	reasonVersion     = "package version"
	reasonIPHost      = "IP address host"
	reasonAsset       = "asset file name"
	reasonReserved    = "reserved domain"
	reasonNoSuffix    = "host without a public suffix"
	reasonBareSuffix  = "domain is a public suffix"
	reasonTracker     = "error tracker DSN"
	reasonSCM         = "source control address"
	reasonPlaceholder = "placeholder address"
)

// Limits from RFC 5321 §4.5.3.1.
const (
	maxLocal  = 64
	maxDomain = 253
	maxLabel  = 63
)

// assetExtensions are file extensions that show up after an "@" in asset
// names such as logo@2x.png. Some are real TLDs (.zip, .mov); on a scraped
// page they are far more often files than mail domains.
var assetExtensions = set(
	"png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "ico", "tif",
	"tiff", "heic", "css", "scss", "less", "js", "mjs", "cjs", "jsx", "ts",
	"tsx", "map", "json", "xml", "txt", "woff", "woff2", "ttf", "otf", "eot",
	"mp3", "mp4", "m4a", "wav", "ogg", "webm", "mov", "avi", "pdf", "zip", "gz",
	"php", "asp", "aspx", "html", "htm",
)

// reservedTLDs are the RFC 2606 / RFC 6761 top-level domains.
var reservedTLDs = set("test", "example", "invalid", "localhost")

// reservedDomains are the RFC 2606 second-level example domains.
var reservedDomains = []string{"example.com", "example.net", "example.org"}

// trackerDomains are error-tracker ingest hosts: a DSN such as
// https://<key>@o123.ingest.sentry.io/1 looks like an address.
var trackerDomains = []string{"sentry.io", "sentry.wixpress.com", "sentry-next.wixpress.com"}

// scmHosts are hosts of SSH remotes such as git@github.com:org/repo.git.
var scmHosts = set("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "ssh.dev.azure.com", "vs-ssh.visualstudio.com")

// scmLabels are first labels of self-hosted SCM servers (git@gitlab.acme.com).
var scmLabels = set("git", "github", "gitlab", "bitbucket", "gitea", "ssh")

// placeholderDomains are second-level labels (under any public suffix) that
// only appear in form hints and templates: you@yourdomain.com.
var placeholderDomains = set(
	"yourdomain", "your-domain", "yourcompany", "your-company", "yoursite",
	"your-site", "yourwebsite", "your-website", "yourbusiness", "yourname",
	"yourstore", "yourshop", "yourbrand", "mydomain", "my-domain",
	"domainname", "companyname", "websitename", "sitename", "somedomain",
	"anydomain", "emailaddress", "yourmail", "youremail",
)

// genericDomains are real or plausible domains that templates use as
// stand-ins. An address there is a placeholder only if its local part is one
// too (name@domain.com, email@email.com, user@company.com).
// Real free-mail providers (mail.com, web.de) are deliberately absent:
// john@mail.com may well be John's.
var genericDomains = set(
	"domain", "email", "company", "website", "site", "test", "sample",
	"business", "mysite", "mycompany", "myemail", "mymail", "myname",
	"emailaddress", "somewhere", "anywhere",
)

// placeholderLocals are local parts that are placeholders wherever they
// appear: nobody's mailbox is literally "your.email".
var placeholderLocals = set(
	"youremail", "your.email", "your_email", "your-email", "yourname",
	"your.name", "your_name", "your-name", "yourusername", "username",
	"firstname.lastname", "first.last", "firstname", "lastname",
	"first_last", "firstname_lastname", "fname.lname", "name.surname",
	"emailaddress", "email.address", "youraddress", "your.address",
	"vorname.nachname", "prenom.nom", "nome.cognome", "nombre.apellido",
)

// nameLocals are the stand-in names of templates. Unlike placeholderLocals
// they are also the names of real people: on a site's own domain
// (PlausibleAt) john.doe@ is someone's mailbox; anywhere else it is taken
// for an example.
var nameLocals = set(
	"john.doe", "jane.doe", "johndoe", "janedoe", "john_doe", "jane_doe",
)

// genericLocals are local parts that are placeholders on a generic domain.
var genericLocals = set(
	"name", "user", "email", "mail", "you", "your", "me", "someone",
	"somebody", "test", "sample", "example", "address", "john", "jane",
	"john.smith", "jsmith", "xxx", "abc", "login", "account", "person",
	"customer", "client", "company", "contact", "info", "admin",
)

// Plausible reports whether email could be a real mailbox. It checks the
// syntax (RFC 5321 lengths, dot-atom local part, LDH host labels, an
// alphabetic TLD) and rejects the decoys that scraped pages are full of:
// hosts outside the public suffix list (root@localhost), RFC 2606 reserved
// names, asset names (logo@2x.png), package versions (react@18.2.0),
// error-tracker DSN keys (…@o1.ingest.sentry.io), SCM remotes
// (git@github.com) and template placeholders (you@yourdomain.com). When ok is
// false, reason is a short phrase saying which rule fired. Case is ignored.
//
// Internationalised addresses (RFC 6531) are plausible: a local part may hold
// Unicode letters, marks and digits, and a domain may be given by U-labels
// (münchen-bäckerei.de) or A-labels (xn--mnchen-bckerei-…); the rules apply
// to its A-label form, so both spellings get the same answer.
func Plausible(email string) (ok bool, reason string) {
	return PlausibleAt(email, "")
}

// PlausibleAt is Plausible for an address seen on a page of site (a host or
// URL, as Classify takes it; "" for none). The one difference: the template
// names of nameLocals (john.doe@, jane.doe@) are people, not placeholders,
// on site's own registrable domain or its subdomains. Everything Plausible
// rejects for any other reason stays rejected.
func PlausibleAt(email, site string) (ok bool, reason string) {
	e := strings.ToLower(email)
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return false, reasonSyntax
	}
	local, domain := e[:at], e[at+1:]
	if !isASCII(domain) || strings.Contains(domain, "xn--") {
		a, err := idna.Lookup.ToASCII(domain)
		if err != nil || !isASCII(a) {
			return false, reasonSyntax
		}
		domain = a
	}
	if r := numericHost(domain); r != "" {
		return false, r
	}
	if !validLocal(local) || !validDomain(domain) {
		return false, reasonSyntax
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if _, ok := assetExtensions[tld]; ok {
		return false, reasonAsset
	}
	if _, ok := reservedTLDs[tld]; ok || under(domain, reservedDomains) {
		return false, reasonReserved
	}
	// PublicSuffix falls back to the implicit "*" rule, flagged non-ICANN,
	// for a TLD it does not know. Asking about a name under the TLD, rather
	// than the whole domain, keeps private suffixes (foo.github.io) from
	// looking unknown.
	if _, icann := publicsuffix.PublicSuffix("x." + tld); !icann {
		return false, reasonNoSuffix
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return false, reasonBareSuffix
	}
	if under(domain, trackerDomains) {
		return false, reasonTracker
	}
	if local == "git" {
		first := domain[:strings.IndexByte(domain, '.')]
		_, host := scmHosts[domain]
		_, label := scmLabels[first]
		if host || label {
			return false, reasonSCM
		}
	}
	if placeholder(local, reg) {
		return false, reasonPlaceholder
	}
	if _, name := nameLocals[local]; name && (site == "" || reg != registrable(asciiHost(siteHost(site)))) {
		return false, reasonPlaceholder
	}
	return true, ""
}

// numericHost recognizes a host made of dotted numbers: a package version
// (react@18.2.0, pkg@1.2.3-beta.1) or an IPv4 literal.
func numericHost(domain string) string {
	core, _, _ := strings.Cut(domain, "-")
	core, _, _ = strings.Cut(core, "+")
	core = strings.TrimPrefix(core, "v")
	parts := strings.Split(core, ".")
	if len(parts) < 2 {
		return ""
	}
	ipLike := len(parts) == 4 && core == domain
	for _, p := range parts {
		if p == "" || len(p) > 9 {
			return ""
		}
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return ""
			}
			n = n*10 + int(p[i]-'0')
		}
		if n > 255 {
			ipLike = false
		}
	}
	if ipLike {
		return reasonIPHost
	}
	return reasonVersion
}

// validLocal accepts an RFC 5321 dot-atom of at most 64 octets, extended by
// RFC 6531 to UTF-8: besides ASCII atext, any Unicode letter, mark or digit.
// Unicode punctuation, symbols and spaces are refused: they are what glues
// an address to its neighbours in scraped text.
func validLocal(s string) bool {
	if s == "" || len(s) > maxLocal || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)) {
				return false
			}
			i += size
			continue
		}
		if isAlnum(c) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0 {
			i++
			continue
		}
		return false
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// validDomain accepts a lowercase LDH host name of at least two labels whose
// TLD is alphabetic or an IDNA A-label.
func validDomain(s string) bool {
	if len(s) < 4 || len(s) > maxDomain {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.HasPrefix(tld, "xn--") {
		return len(tld) > 4
	}
	if len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return false
		}
	}
	return true
}

// placeholder reports whether local@reg is a template stand-in; reg is the
// registrable domain.
func placeholder(local, reg string) bool {
	label := reg[:strings.IndexByte(reg, '.')]
	if _, ok := placeholderDomains[label]; ok {
		return true
	}
	if _, ok := placeholderLocals[local]; ok {
		return true
	}
	_, genericDomain := genericDomains[label]
	_, genericLocal := genericLocals[local]
	return genericDomain && genericLocal
}

// under reports whether domain is one of parents or a subdomain of one.
func under(domain string, parents []string) bool {
	for _, p := range parents {
		if domain == p || strings.HasSuffix(domain, "."+p) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
