package database

import (
	"strconv"
	"strings"

	"github.com/taahod/taahod"
)

// Args collects the parameters of a statement built from filters: each value
// is bound, never written into the text.
type Args []any

// Add binds v and returns its placeholder ($1, $2, ...).
func (a *Args) Add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// Filter builds the WHERE clause of a filtered list: each condition names
// its values through Arg, which numbers them.
type Filter struct {
	Args  Args
	conds []string
}

// Arg binds v and returns its placeholder.
func (f *Filter) Arg(v any) string { return f.Args.Add(v) }

// Where adds a condition; an empty one adds nothing.
func (f *Filter) Where(cond string) {
	if cond != "" {
		f.conds = append(f.conds, cond)
	}
}

// Clause is the conditions joined with AND, or TRUE when there are none.
func (f *Filter) Clause() string {
	if len(f.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(f.conds, " AND ")
}

// Search adds the condition of a search query q (the API's q) that each of
// its folded words is part of one of the columns: SQL expressions of folded
// text such as "taahod_fold(s.name)", which the trigram indexes of migration
// 0008 answer. A blank q adds nothing.
func (f *Filter) Search(q string, columns ...string) {
	alts := make([]func(string) string, len(columns))
	for i, col := range columns {
		alts[i] = Contains(col)
	}
	f.Where(SearchClause(&f.Args, q, alts...))
}

// SearchClause is the condition of a search query q: each of its folded
// words (taahod.SearchWords) matches one of the alternatives. An alternative
// turns the LIKE pattern of a word ('%' || $n || '%') into a condition;
// Contains(col) is the usual one. "" when q has no words.
func SearchClause(args *Args, q string, alternatives ...func(pattern string) string) string {
	words := taahod.SearchWords(q)
	if len(words) == 0 {
		return ""
	}
	conds := make([]string, len(words))
	for i, w := range words {
		pattern := "'%' || " + args.Add(LikePattern(w)) + " || '%'"
		alts := make([]string, len(alternatives))
		for j, alt := range alternatives {
			alts[j] = alt(pattern)
		}
		conds[i] = "(" + strings.Join(alts, " OR ") + ")"
	}
	return strings.Join(conds, " AND ")
}

// Contains is the alternative of SearchClause that a folded column holds the
// word.
func Contains(column string) func(pattern string) string {
	return func(pattern string) string { return column + " LIKE " + pattern }
}

// LikePattern escapes the wildcards of a LIKE pattern.
func LikePattern(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
