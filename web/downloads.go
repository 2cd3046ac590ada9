package web

import (
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// downloads are a list page's «دریافت اکسل» and «دریافت CSV» links: the
// API's own list route with ?format=xlsx or csv and the page's filters
// (which the pages name as the API does). They are plain links: the API
// takes the pages' session cookie for a file download (api/auth.go), so
// they work without JavaScript, and the file has the rows the page's
// filters select, all of them, not only the page shown.
type downloads struct {
	XLSX, CSV string
}

// downloadsOf are the links of the API list at apiPath with the request's
// values of the named filters; empty values are left out, digits typed in
// Persian become ASCII (amounts as AmountText reads them).
func downloadsOf(c *gin.Context, apiPath string, filters ...string) *downloads {
	q := url.Values{}
	for _, name := range filters {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			continue
		}
		if strings.HasPrefix(name, "amount_") {
			v = AmountText(v)
		} else {
			v = taahod.ASCIIDigits(v)
		}
		q.Set(name, v)
	}
	return downloadsWith(apiPath, q)
}

// downloadsWith are the links of the API list at apiPath with the filters
// q.
func downloadsWith(apiPath string, q url.Values) *downloads {
	link := func(format string) string {
		v := url.Values{"format": {format}}
		for name, values := range q {
			v[name] = values
		}
		return apiPath + "?" + v.Encode()
	}
	return &downloads{XLSX: link("xlsx"), CSV: link("csv")}
}
