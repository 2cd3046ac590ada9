package certificate

import "github.com/taahod/taahod/reports"

// Status is a certificate's status, as the contract spells it. It is the
// rendering's own type, for an annulled copy prints it.
type Status = reports.Status

// The statuses of a certificate.
const (
	StatusValid      = reports.StatusValid
	StatusRevoked    = reports.StatusRevoked
	StatusSuperseded = reports.StatusSuperseded
)
