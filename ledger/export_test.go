package ledger

// SetRunReadsOldest makes the store's offset runs read n of the oldest
// candidates with the sums (0: the default), so that tests exercise runs
// that read the rest.
func SetRunReadsOldest(s *Store, n int) { s.runReadsOldest = n }

// YearsUsingQuery is the statement that tells which years' offsets used an
// expenditure ($1 the unit, $2 the expenditure).
const YearsUsingQuery = yearsUsingQuery
