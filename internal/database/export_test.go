package database

// Test hook: one step of the sequencer on the pool.
var ChainIfFree = chainIfFree

// The answer templates' two fillings: PostgreSQL's format() and Go's.
var (
	FormatTemplate = formatTemplate
	FillHoles      = fillHoles
)
