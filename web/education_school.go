package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod/ledger"
)

// educationSchoolData is a school's page: the project, its pledging units
// with their totals, its timeline and photos, and the report form.
type educationSchoolData struct {
	School   ledger.School
	Units    []schoolUnitTotals
	Timeline []ledger.Progress
	Photos   []progressPhoto
	// Kinds are the report's kinds the form offers.
	Kinds []string
	// Closed is true once the school is handed over: its timeline takes
	// no more reports.
	Closed bool
	// FilesChosen names the files of a form that came back with errors: a
	// browser never keeps them, so they must be chosen again.
	FilesChosen []string
	MaxFiles    int
}

// schoolUnitTotals is one unit's pledges to a school: what it pledged (the
// pledges not cancelled), what its expenditures there stand at, and what
// was approved — no tax figure, as the API shows the education officer.
type schoolUnitTotals struct {
	UnitID                       int64
	UnitName                     string
	Pledged, Submitted, Approved decimal.Decimal
}

// progressPhoto is a document of the timeline with the report it belongs
// to, for the gallery.
type progressPhoto struct {
	Report ledger.Progress
	Doc    ledger.Document
}

// educationSchool renders /education/schools/{id}.
func (p *Pages) educationSchool(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	p.renderSchool(c, http.StatusOK, id, page{Status: statusOf(c), Form: newForm()}, nil)
}

// renderSchool renders a school's page with pg's status, alert and form,
// and the names of the files chosen before an error (to choose again).
func (p *Pages) renderSchool(c *gin.Context, status int, id int64, pg page, filesChosen []string) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	sc, err := p.ledger.FindSchool(ctx, u, id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := educationSchoolData{School: sc, Kinds: progressKinds, Closed: sc.Status == ledger.SchoolHandedOver,
		MaxFiles: ledger.MaxSubmissionDocuments, FilesChosen: filesChosen}
	if d.Timeline, err = p.ledger.SchoolProgress(ctx, id); err != nil {
		p.storeFailure(c, err)
		return
	}
	for _, r := range d.Timeline {
		for _, doc := range r.Documents {
			d.Photos = append(d.Photos, progressPhoto{Report: r, Doc: doc})
		}
	}
	// A province's school has a handful of pledges; 500 is far beyond.
	pledges, err := p.ledger.ListPledges(ctx, u, ledger.PledgeFilter{SchoolID: id, Limit: 500})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d.Units = unitTotals(pledges)
	if pg.Form == nil {
		pg.Form = newForm()
	}
	pg.User, pg.CSRF, pg.Data = &u, csrfToken(c), d
	p.render(c, status, "education_school", pg)
}

// unitTotals sums a school's pledges by unit, in the order the units first
// pledged. A cancelled pledge adds nothing pledged, but what was spent and
// approved on it still counts, as the school's own totals count it.
func unitTotals(pledges []ledger.Pledge) []schoolUnitTotals {
	var out []schoolUnitTotals
	at := map[int64]int{}
	for _, pl := range pledges {
		i, ok := at[pl.UnitID]
		if !ok {
			i = len(out)
			at[pl.UnitID] = i
			out = append(out, schoolUnitTotals{UnitID: pl.UnitID, UnitName: pl.UnitName})
		}
		if pl.CancelledAt == nil {
			out[i].Pledged = out[i].Pledged.Add(pl.Amount)
		}
		out[i].Submitted = out[i].Submitted.Add(pl.SubmittedTotal)
		out[i].Approved = out[i].Approved.Add(pl.ApprovedTotal)
	}
	return out
}
