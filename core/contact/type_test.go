package contact

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

func TestParseType(t *testing.T) {
	t.Parallel()
	for _, v := range Types {
		got, err := ParseType(string(v))
		require.NoError(t, err)
		require.Equal(t, v, got)
		require.True(t, got.Valid())
		require.Equal(t, string(v), got.String())
	}
	for _, s := range []string{"", "Service", "free ", "personal"} {
		got, err := ParseType(s)
		require.Error(t, err, s)
		require.True(t, errors.Is(err, core.ErrInvalidStatus), s)
		require.Empty(t, got)
		require.False(t, Type(s).Valid(), s)
	}
	require.Equal(t, []Type{"service", "corporate", "free", "unknown"}, Types, "the wire strings")
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		email, site string
		want        Type
	}{
		// service: every role local part, with and without +tag and case.
		{"info@acme.com", "acme.com", TypeService},
		{"info@münchen-bäckerei.de", "münchen-bäckerei.de", TypeService},
		{"jürgen.weiß@münchen-bäckerei.de", "xn--mnchen-bckerei-dib09a.de", TypeCorporate},
		{"jürgen@xn--mnchen-bckerei-dib09a.de", "https://www.münchen-bäckerei.de/", TypeCorporate},
		{"jürgen@bäckerei.de", "acme.com", TypeUnknown},
		{"jürgen@gmx.de", "münchen.de", TypeFree},
		{"INFO@Acme.com", "acme.com", TypeService},
		{"info+shop@acme.com", "acme.com", TypeService},
		{"support@gmail.com", "acme.com", TypeService},
		{"sales@other.org", "acme.com", TypeService},
		{"contact@acme.com", "", TypeService},
		{"help@acme.com", "acme.com", TypeService},
		{"admin@acme.com", "acme.com", TypeService},
		{"webmaster@acme.com", "acme.com", TypeService},
		{"service@acme.com", "acme.com", TypeService},
		{"hello@acme.com", "acme.com", TypeService},
		{"office@acme.com", "acme.com", TypeService},
		{"enquiries@acme.co.uk", "acme.co.uk", TypeService},
		{"inquiries@acme.com", "acme.com", TypeService},
		{"billing@acme.com", "acme.com", TypeService},
		{"team@acme.com", "acme.com", TypeService},
		{"press@acme.com", "acme.com", TypeService},
		{"media@acme.com", "acme.com", TypeService},
		{"jobs@acme.com", "acme.com", TypeService},
		{"careers@acme.com", "acme.com", TypeService},
		{"hr@acme.com", "acme.com", TypeService},
		{"privacy@acme.com", "acme.com", TypeService},
		{"legal@acme.com", "acme.com", TypeService},
		{"marketing@acme.com", "acme.com", TypeService},
		// not service: role word only as part of the local part.
		{"infodesk@other.org", "acme.com", TypeUnknown},
		{"my.info@other.org", "acme.com", TypeUnknown},
		{"salesman+info@other.org", "acme.com", TypeUnknown},

		// corporate: same registrable domain or a subdomain, site in any form.
		{"jane@acme.com", "acme.com", TypeCorporate},
		{"jane@acme.com", "www.acme.com", TypeCorporate},
		{"jane@acme.com", "WWW.ACME.COM:8443", TypeCorporate},
		{"jane@acme.com", "https://www.acme.com/about?x=1", TypeCorporate},
		{"jane@mail.acme.com", "acme.com", TypeCorporate},
		{"jane@acme.com", "shop.acme.com", TypeCorporate},
		{"jane@firma.co.uk", "firma.co.uk", TypeCorporate},
		{"jane@firma.co.uk", "www.firma.co.uk:80", TypeCorporate},
		{"jane@acme.com.", "acme.com", TypeCorporate},
		{"jane@intranet", "intranet:8080", TypeCorporate},
		{"jane@10.0.0.1", "http://10.0.0.1:8080/", TypeCorporate},
		// not corporate: look-alikes and shared suffixes.
		{"jane@notacme.com", "acme.com", TypeUnknown},
		{"jane@acme.com.evil.net", "acme.com", TypeUnknown},
		{"jane@other.co.uk", "firma.co.uk", TypeUnknown},
		{"jane@other.co.uk", "co.uk", TypeUnknown},
		{"jane@acme.org", "acme.com", TypeUnknown},
		{"jane@acme.com", "", TypeUnknown},

		// free: listed providers and brands under any public suffix.
		{"jane@gmail.com", "acme.com", TypeFree},
		{"jane@googlemail.com", "acme.com", TypeFree},
		{"jane@yahoo.com", "acme.com", TypeFree},
		{"jane@yahoo.co.uk", "acme.com", TypeFree},
		{"jane@yahoo.de", "acme.com", TypeFree},
		{"jane@hotmail.com", "acme.com", TypeFree},
		{"jane@hotmail.fr", "acme.com", TypeFree},
		{"jane@outlook.com", "acme.com", TypeFree},
		{"jane@live.com", "acme.com", TypeFree},
		{"jane@aol.com", "acme.com", TypeFree},
		{"jane@icloud.com", "acme.com", TypeFree},
		{"jane@me.com", "acme.com", TypeFree},
		{"jane@protonmail.com", "acme.com", TypeFree},
		{"jane@proton.me", "acme.com", TypeFree},
		{"jane@gmx.de", "acme.com", TypeFree},
		{"jane@gmx.net", "acme.com", TypeFree},
		{"jane@yandex.ru", "acme.com", TypeFree},
		{"jane@mail.ru", "acme.com", TypeFree},
		{"Jane@GMAIL.COM", "acme.com", TypeFree},
		// not free: brand names that are not the provider.
		{"jane@yahoo.github.io", "acme.com", TypeUnknown},
		{"jane@mail.yahoo.com", "acme.com", TypeUnknown},
		{"jane@yahoo-news.com", "acme.com", TypeUnknown},
		{"jane@gmail.co", "acme.com", TypeUnknown},
		{"jane@mygmail.com", "acme.com", TypeUnknown},
		// the site's own domain wins over free-mail for a site that is one.
		{"jane@gmail.com", "gmail.com", TypeCorporate},

		// unknown: not an address at all.
		{"", "acme.com", TypeUnknown},
		{"info", "acme.com", TypeUnknown},
		{"@acme.com", "acme.com", TypeUnknown},
		{"info@", "acme.com", TypeUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.email+"|"+tc.site, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Classify(tc.email, tc.site))
		})
	}
}

func TestHasGmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		email string
		want  bool
	}{
		{"jane@gmail.com", true},
		{"Jane@GMail.Com", true},
		{"jane@googlemail.com", true},
		{"info@gmail.com", true},
		{"jane@gmail.co", false},
		{"jane@mail.gmail.com", false},
		{"jane@notgmail.com", false},
		{"gmail.com@acme.com", false},
		{"jane@yahoo.com", false},
		{"gmail.com", false},
		{"", false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, HasGmail(tc.email), tc.email)
	}
}
