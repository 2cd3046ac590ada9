package database

// Test hooks: one step of the sequencer on the pool, and its lock's key.
var ChainIfFree = chainIfFree

const SequencerLock = sequencerLock

// The answer templates' two fillings: PostgreSQL's format() and Go's.
var (
	FormatTemplate = formatTemplate
	FillHoles      = fillHoles
)
