package ledger

import (
	"strings"

	"github.com/taahod/taahod"
)

// search adds the condition of a search query q (the API's q): each of its
// folded words (taahod.SearchWords) is part of one of the columns, SQL
// expressions of folded text such as "taahod_fold(s.name)", which the
// trigram indexes of migration 0008 answer. A blank q adds nothing.
func (q *placeholders) search(query string, columns ...string) {
	for _, w := range taahod.SearchWords(query) {
		pattern := "'%' || " + q.arg(likePattern(w)) + " || '%'"
		alts := make([]string, len(columns))
		for j, col := range columns {
			alts[j] = col + " LIKE " + pattern
		}
		q.add("(" + strings.Join(alts, " OR ") + ")")
	}
}

// likePattern escapes the wildcards of a LIKE pattern.
func likePattern(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
