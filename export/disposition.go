package export

import (
	"fmt"
	"mime"
	"strings"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fa"
)

// Format is a file format a list is exported in.
type Format string

// The formats, as `?format=` names them.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Disposition is the Content-Disposition of a list's file: an attachment
// named in Persian with the Jalali date it was made on (RFC 6266's
// filename*, which browsers show: «صف-بررسی-۱۴۰۵-۰۹-۱۵.xlsx»), and in ASCII
// for the few that read only filename (review-queue-1405-09-15.xlsx).
func Disposition(nameFA, nameEN string, on taahod.Date, f Format) string {
	date := strings.ReplaceAll(on.Jalali(), "/", "-")
	persian := strings.ReplaceAll(nameFA, " ", "-") + "-" + fa.Digits(date) + "." + string(f)
	ascii := nameEN + "-" + date + "." + string(f)
	return mime.FormatMediaType("attachment", map[string]string{"filename": ascii}) +
		"; filename*=UTF-8''" + extValue(persian)
}

// extValue percent-encodes s as RFC 8187 asks: every byte but the
// attr-chars.
func extValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
