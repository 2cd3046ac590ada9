package web

import "github.com/taahod/taahod/registry"

// The registry's vocabularies (session kinds, resolution statuses and
// categories) as the secretariat's pages name them: the registry's own
// Persian titles, so that the pages, the CSV files and the reports say the
// same words.

// SessionKindName is a session's kind in Persian.
func SessionKindName(s string) string { return registry.SessionKinds.Title(s) }

// ResolutionStatusName is a resolution's status in Persian.
func ResolutionStatusName(s string) string { return registry.Statuses.Title(s) }

// ResolutionCategoryName is a resolution's category in Persian.
func ResolutionCategoryName(s string) string { return registry.Categories.Title(s) }

// changeableStatuses are the statuses a change may set (notified is only
// the first), in the order the form offers them.
var changeableStatuses = []string{registry.StatusImplemented, registry.StatusInFollowUp,
	registry.StatusNotImplemented, registry.StatusCancelled}
