// Package taahod holds the vocabulary every part of the service shares: the
// domain error, roles and actors, money amounts, dates and identifiers.
package taahod
