package certificate

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/taahod/taahod/reports"
)

// Issuer is who issues certificates and where they are verified: the
// deployment's configuration as the certificates print it.
type Issuer struct {
	// Province is the province code of serials (TAAHOD_PROVINCE), as "QZV".
	Province string
	// ProvinceName is the province's name in Persian, printed in the issuer
	// lines; "" takes ProvinceName(Province).
	ProvinceName string
	// IssuePlace is printed as the place of issue; "" takes the province's
	// capital as ProvinceName knows it, or else its name.
	IssuePlace string
	// PublicURL is TAAHOD_PUBLIC_URL, the base of the URLs a certificate
	// prints and its QR code carries.
	PublicURL string
	// Signer signs certificates. Nil when no key is configured: issuing is
	// then refused with ENOSIGNINGKEY, and everything else still works.
	Signer *Signer
}

// provinces are the provinces whose Persian names and capitals are built in,
// by the province code of their serials. Another province is named with
// TAAHOD_PROVINCE_NAME (and TAAHOD_ISSUE_PLACE when its capital is named
// otherwise).
var provinces = map[string]struct{ name, capital string }{
	"QZV": {"قزوین", "قزوین"},
}

// ProvinceName returns the Persian name and the capital of a province by
// the code of its serials, and whether the code is one built in.
func ProvinceName(code string) (name, capital string, ok bool) {
	p, ok := provinces[code]
	return p.name, p.capital, ok
}

var provinceCode = regexp.MustCompile(`^[A-Z]{2,8}$`)

// Resolved fills the Issuer's defaults (the province's Persian name and
// capital) and checks it. It returns an error naming what is missing or
// malformed: a province code that serials cannot carry, a province without a
// Persian name, or a public URL the QR codes cannot print.
func (is Issuer) Resolved() (Issuer, error) {
	if !provinceCode.MatchString(is.Province) {
		return is, fmt.Errorf("province code %q must be 2 to 8 capital Latin letters, as QZV (TAAHOD_PROVINCE)", is.Province)
	}
	name, capital, known := ProvinceName(is.Province)
	if is.ProvinceName == "" {
		if !known {
			return is, fmt.Errorf("province %s has no Persian name built in: set TAAHOD_PROVINCE_NAME (as قزوین)", is.Province)
		}
		is.ProvinceName = name
	}
	if is.IssuePlace == "" {
		is.IssuePlace = is.ProvinceName
		if known && is.ProvinceName == name {
			is.IssuePlace = capital
		}
	}
	if err := reports.CheckDrawable("province name", is.ProvinceName); err != nil {
		return is, err
	}
	if err := reports.CheckDrawable("issue place", is.IssuePlace); err != nil {
		return is, err
	}
	u, err := url.Parse(is.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return is, fmt.Errorf("public URL %q must be an http or https URL without query, as https://taahod.example (TAAHOD_PUBLIC_URL)", is.PublicURL)
	}
	is.PublicURL = strings.TrimRight(is.PublicURL, "/")
	return is, nil
}
