package contact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlausible(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		email  string
		reason string // "" means plausible
	}{
		{"plain", "info@acme.com", ""},
		{"upper case", "Jane.Miller@Acme.COM", ""},
		{"plus tag", "jane+news@acme.com", ""},
		{"ccTLD second level", "jane@firma.co.uk", ""},
		{"new gTLD", "hello@studio.agency", ""},
		{"punycode TLD", "info@xn--bcher-kva.xn--p1ai", ""},
		{"private suffix", "jane@acme.github.io", ""},
		{"digits in labels", "a1@123host.com", ""},

		// syntax
		{"no at", "info.acme.com", reasonSyntax},
		{"empty local", "@acme.com", reasonSyntax},
		{"empty domain", "info@", reasonSyntax},
		{"single label host", "root@localhost", reasonSyntax},
		{"leading dot", ".info@acme.com", reasonSyntax},
		{"trailing dot", "info.@acme.com", reasonSyntax},
		{"double dot", "in..fo@acme.com", reasonSyntax},
		{"space", "in fo@acme.com", reasonSyntax},
		{"double at", "a@b@acme.com", reasonSyntax},
		{"local too long", long(65) + "@acme.com", reasonSyntax},
		{"local at limit", long(64) + "@acme.com", ""},
		{"label too long", "info@" + long(64) + ".com", reasonSyntax},
		{"label at limit", "info@" + long(63) + ".com", ""},
		{"domain too long", "info@" + strings.Repeat(long(60)+".", 5) + "com", reasonSyntax},
		{"hyphen edge", "info@-acme.com", reasonSyntax},
		{"empty label", "info@acme..com", reasonSyntax},
		{"numeric tld", "info@acme.c0m", reasonSyntax},
		{"one letter tld", "info@acme.c", reasonSyntax},
		{"underscore host", "info@ac_me.com", reasonSyntax},
		{"unicode local part", "jürgen.weiß@acme.de", ""},
		{"unicode local and idn domain", "josé@café-olé.es", ""},
		{"idn domain", "info@münchen-bäckerei.de", ""},
		{"idn domain as a-label", "info@xn--mnchen-bckerei-dib09a.de", ""},
		{"cyrillic address", "почта@пример.рф", ""},
		{"unicode symbol in local part", "a☃b@acme.de", reasonSyntax},
		{"typographic apostrophe in local part", "d’angelo@acme.it", reasonSyntax},
		{"invalid utf-8 in local part", "m\xfcller@acme.de", reasonSyntax},
		{"bad punycode", "info@xn--zz.de", reasonSyntax},
		{"idn placeholder", "info@yourdömain.com", ""},
		{"idn reserved", "info@exämple.test", reasonReserved},
		{"ip literal brackets", "info@[10.0.0.1]", reasonSyntax},

		// host without a public suffix
		{"dotless example", "name@example", reasonSyntax},
		{"unknown tld", "admin@server.local", reasonNoSuffix},
		{"internal tld", "admin@db.internal", reasonNoSuffix},
		{"corp tld", "jane@acme.corp", reasonNoSuffix},
		{"lan tld", "jane@router.lan", reasonNoSuffix},
		{"real tld after unknown", "jane@acme.local.com", ""},
		{"bare public suffix", "info@co.uk", reasonBareSuffix},
		{"bare private suffix", "info@github.io", reasonBareSuffix},

		// reserved
		{"example.com", "info@example.com", reasonReserved},
		{"example.net", "info@example.net", reasonReserved},
		{"example.org", "info@example.org", reasonReserved},
		{"example subdomain", "info@mail.example.com", reasonReserved},
		{"test tld", "info@acme.test", reasonReserved},
		{"example tld", "info@acme.example", reasonReserved},
		{"invalid tld", "info@acme.invalid", reasonReserved},
		{"localhost tld", "root@box.localhost", reasonReserved},
		{"example look-alike", "info@myexample.com", ""},
		{"example as label", "info@example.acme.com", ""},

		// asset names
		{"retina png", "logo@2x.png", reasonAsset},
		{"retina upper", "Logo@2X.PNG", reasonAsset},
		{"jpg", "hero@3x.jpg", reasonAsset},
		{"jpeg", "img@2x.jpeg", reasonAsset},
		{"gif", "spinner@2x.gif", reasonAsset},
		{"svg", "icon@1.5x.svg", reasonAsset},
		{"webp", "bg@2x.webp", reasonAsset},
		{"css", "style@v2.css", reasonAsset},
		{"js", "bundle@main.js", reasonAsset},
		{"ico", "favicon@2x.ico", reasonAsset},
		{"zip is a tld but a file", "build@latest.zip", reasonAsset},
		{"png as label", "info@png.acme.com", ""},
		{"js-like real tld", "info@acme.jo", ""},

		// package versions and numeric hosts
		{"react", "react@18.2.0", reasonVersion},
		{"scoped package", "@scope/pkg@1.2.3", reasonVersion},
		{"prerelease", "next@14.0.0-canary.1", reasonVersion},
		{"v prefix", "lib@v2.1", reasonVersion},
		{"two part", "jquery@3.6", reasonVersion},
		{"ipv4 host", "root@192.168.1.1", reasonIPHost},
		{"version-like but word", "info@v2.acme.com", ""},
		{"numeric label then name", "info@123.acme.com", ""},

		// error tracker DSNs
		{"sentry ingest", "0123456789abcdef0123456789abcdef@o123456.ingest.sentry.io", reasonTracker},
		{"sentry us ingest", "abc123@o1.ingest.us.sentry.io", reasonTracker},
		{"sentry apex", "0123456789abcdef@sentry.io", reasonTracker},
		{"wix sentry", "605a7baede844d278b89dc95ae0a9123@sentry.wixpress.com", reasonTracker},
		{"wix sentry next", "8eb368c655b84e029ed79ad7a5c1718e@sentry-next.wixpress.com", reasonTracker},
		{"sentry look-alike", "info@notsentry.io", ""},
		{"wixpress other host", "info@wixpress.com", ""},

		// SCM remotes
		{"github", "git@github.com", reasonSCM},
		{"gitlab", "git@gitlab.com", reasonSCM},
		{"bitbucket", "git@bitbucket.org", reasonSCM},
		{"self-hosted gitlab", "git@gitlab.acme.com", reasonSCM},
		{"github other user", "support@github.com", ""},
		{"git user elsewhere", "git@acme.com", ""},

		// placeholders
		{"yourdomain", "you@yourdomain.com", reasonPlaceholder},
		{"yourdomain any user", "info@yourdomain.com", reasonPlaceholder},
		{"yourdomain other suffix", "jane@your-domain.co.uk", reasonPlaceholder},
		{"yourcompany", "contact@yourcompany.com", reasonPlaceholder},
		{"name at domain", "name@domain.com", reasonPlaceholder},
		{"email at email", "email@email.com", reasonPlaceholder},
		{"user at company", "user@company.com", reasonPlaceholder},
		{"your.email anywhere", "your.email@gmail.com", reasonPlaceholder},
		{"youremail anywhere", "youremail@acme.com", reasonPlaceholder},
		{"john.doe", "john.doe@acme.com", reasonPlaceholder},
		{"jane.doe", "jane.doe@acme.com", reasonPlaceholder},
		{"firstname.lastname", "firstname.lastname@acme.com", reasonPlaceholder},
		{"generic local real domain", "name@acme.com", ""},
		{"real local generic domain", "jane.miller@company.com", ""},
		{"generic local free mail", "john@mail.com", ""},
		{"user at gmail", "user@gmail.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, reason := Plausible(tc.email)
			require.Equal(t, tc.reason, reason, tc.email)
			require.Equal(t, tc.reason == "", ok, tc.email)
		})
	}
}

func TestPlausibleAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		email, site string
		reason      string
	}{
		{"john.doe@brightlane-legal.com", "brightlane-legal.com", ""},
		{"Jane.Doe@brightlane-legal.com", "https://www.brightlane-legal.com/team", ""},
		{"jane.doe@mail.brightlane-legal.com", "brightlane-legal.com", ""},
		{"johndoe@münchen.de", "xn--mnchen-3ya.de", ""},
		{"john.doe@brightlane-legal.com", "", reasonPlaceholder},
		{"john.doe@other-firm.com", "brightlane-legal.com", reasonPlaceholder},
		{"john.doe@example.com", "example.com", reasonReserved},
		{"john.doe@yourcompany.com", "yourcompany.com", reasonPlaceholder},
		{"firstname.lastname@brightlane-legal.com", "brightlane-legal.com", reasonPlaceholder},
		{"your.email@brightlane-legal.com", "brightlane-legal.com", reasonPlaceholder},
		{"you@yourdomain.com", "brightlane-legal.com", reasonPlaceholder},
		{"logo@2x.png", "brightlane-legal.com", reasonAsset},
	}
	for _, tc := range tests {
		ok, reason := PlausibleAt(tc.email, tc.site)
		require.Equal(t, tc.reason, reason, "%s on %s", tc.email, tc.site)
		require.Equal(t, tc.reason == "", ok, "%s on %s", tc.email, tc.site)
	}
}
