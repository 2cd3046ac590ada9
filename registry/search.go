package registry

import (
	"strings"

	"github.com/taahod/taahod"
)

// searchClause is the condition of a search query q (the API's q): each of
// its folded words (taahod.SearchWords) matches one of the alternatives.
// An alternative turns the LIKE pattern of a word ('%' || $n || '%') into a
// condition; contains(col) is the usual one, on an expression of folded text
// such as "taahod_fold(u.name)", which the trigram indexes of migration 0008
// answer. "" when q has no words.
func searchClause(args *sqlArgs, q string, alternatives ...func(pattern string) string) string {
	words := taahod.SearchWords(q)
	if len(words) == 0 {
		return ""
	}
	conds := make([]string, len(words))
	for i, w := range words {
		pattern := "'%' || " + args.add(likePattern(w)) + " || '%'"
		alts := make([]string, len(alternatives))
		for j, alt := range alternatives {
			alts[j] = alt(pattern)
		}
		conds[i] = "(" + strings.Join(alts, " OR ") + ")"
	}
	return strings.Join(conds, " AND ")
}

// contains is the alternative of searchClause that a folded column holds
// the word.
func contains(column string) func(string) string {
	return func(pattern string) string { return column + " LIKE " + pattern }
}
