// Package ledger is the money domain: school projects, pledges, expenditures
// and their review, tax years, offset policies, matching and the double-entry
// postings.
package ledger
