package api

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/export"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// The files of the lists (export.go): each column's EN header is the JSON
// field it shows, so that ?headers=en names the API's own fields, and the
// cells are the JSON's values (status words as the API spells them).

func col(fa, en string, kind export.Kind) exportColumn {
	return exportColumn{Column: export.Column{FA: fa, EN: en, Kind: kind}}
}

// exp is a column of the expenditure list.
func exp(fa, en string, kind export.Kind, get func(*ledger.Expenditure) any) exportColumn {
	return field(fa, en, kind, get)
}

var expenditureColumns = []exportColumn{
	exp("شناسه", "id", export.Integer, func(e *ledger.Expenditure) any { return e.ID }),
	exp("شناسه واحد", "unit_id", export.Integer, func(e *ledger.Expenditure) any { return e.UnitID }),
	exp("شناسه تعهد", "pledge_id", export.Integer, func(e *ledger.Expenditure) any { return e.PledgeID }),
	exp("شناسه مدرسه", "school_id", export.Integer, func(e *ledger.Expenditure) any { return e.SchoolID }),
	exp("شماره فاکتور", "invoice_no", export.Identifier, func(e *ledger.Expenditure) any { return e.InvoiceNo }),
	exp("فروشنده", "vendor_name", export.Text, func(e *ledger.Expenditure) any { return e.VendorName }),
	exp("شناسه ملی فروشنده", "vendor_national_id", export.Identifier, func(e *ledger.Expenditure) any { return textCell(e.VendorNationalID) }),
	exp("دسته", "category", export.Text, func(e *ledger.Expenditure) any { return e.Category }),
	exp("شرح", "description", export.Text, func(e *ledger.Expenditure) any { return textCell(e.Description) }),
	exp("مبلغ", "amount", export.Amount, func(e *ledger.Expenditure) any { return e.Amount }),
	exp("تاریخ هزینه", "spent_on", export.Date, func(e *ledger.Expenditure) any { return dateCell(e.SpentOn) }),
	exp("سال مالی", "fiscal_year", export.Integer, func(e *ledger.Expenditure) any { return e.FiscalYear }),
	exp("وضعیت", "status", export.Text, func(e *ledger.Expenditure) any { return e.Status }),
	exp("مبلغ تأییدشده", "approved_amount", export.Amount, func(e *ledger.Expenditure) any { return amountCell(e.ApprovedAmount) }),
	exp("بیش از تعهد", "exceeds_pledge", export.Text, func(e *ledger.Expenditure) any { return flagCell(e.ExceedsPledge) }),
	taxField("دلیل بررسی", "review_reason", export.Text, func(e *ledger.Expenditure) any { return textCell(e.ReviewReason) }),
	taxField("بررسی‌کننده", "reviewed_by.full_name", export.Text, func(e *ledger.Expenditure) any { return userCell(e.ReviewedBy) }),
	exp("زمان بررسی", "reviewed_at", export.Time, func(e *ledger.Expenditure) any { return instantCell(e.ReviewedAt) }),
	exp("فرستنده", "submitted_by.full_name", export.Text, func(e *ledger.Expenditure) any { return e.SubmittedBy.FullName }),
	exp("زمان ارسال", "submitted_at", export.Time, func(e *ledger.Expenditure) any { return e.SubmittedAt }),
}

var expenditureList = exportList{nameFA: "هزینه‌ها", nameEN: "expenditures", columns: expenditureColumns,
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		f, _, err := expenditureFilter(c)
		if err != nil {
			return err
		}
		f.AfterID, f.Limit = 0, limit
		return s.ledger.EachExpenditure(c.Request.Context(), actor(c), f, func(e *ledger.Expenditure) error { return each(e) })
	}}

// queued is a column of the review queue.
func queued(fa, en string, kind export.Kind, get func(*ledger.QueueItem) any) exportColumn {
	return field(fa, en, kind, get)
}

var reviewQueueList = exportList{nameFA: "صف بررسی", nameEN: "review-queue", columns: []exportColumn{
	queued("شناسه", "id", export.Integer, func(q *ledger.QueueItem) any { return q.ID }),
	queued("واحد", "unit.name", export.Text, func(q *ledger.QueueItem) any { return q.Unit.Name }),
	queued("شناسه ملی واحد", "unit.national_id", export.Identifier, func(q *ledger.QueueItem) any { return q.Unit.NationalID }),
	queued("شهرستان", "unit.county", export.Text, func(q *ledger.QueueItem) any { return q.Unit.County }),
	queued("مدرسه", "school.name", export.Text, func(q *ledger.QueueItem) any { return q.School.Name }),
	queued("شناسه تعهد", "pledge_id", export.Integer, func(q *ledger.QueueItem) any { return q.PledgeID }),
	queued("شماره فاکتور", "invoice_no", export.Identifier, func(q *ledger.QueueItem) any { return q.InvoiceNo }),
	queued("فروشنده", "vendor_name", export.Text, func(q *ledger.QueueItem) any { return q.VendorName }),
	queued("دسته", "category", export.Text, func(q *ledger.QueueItem) any { return q.Category }),
	queued("شرح", "description", export.Text, func(q *ledger.QueueItem) any { return textCell(q.Description) }),
	queued("مبلغ", "amount", export.Amount, func(q *ledger.QueueItem) any { return q.Amount }),
	queued("تاریخ هزینه", "spent_on", export.Date, func(q *ledger.QueueItem) any { return dateCell(q.SpentOn) }),
	queued("سال مالی", "fiscal_year", export.Integer, func(q *ledger.QueueItem) any { return q.FiscalYear }),
	queued("بیش از تعهد", "exceeds_pledge", export.Text, func(q *ledger.QueueItem) any { return flagCell(q.ExceedsPledge) }),
	queued("فرستنده", "submitted_by.full_name", export.Text, func(q *ledger.QueueItem) any { return q.SubmittedBy.FullName }),
	queued("زمان ارسال", "submitted_at", export.Time, func(q *ledger.QueueItem) any { return q.SubmittedAt }),
},
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		f, err := queueFilter(c)
		if err != nil {
			return err
		}
		return s.ledger.EachQueueItem(c.Request.Context(), actor(c), f, limit, func(q *ledger.QueueItem) error { return each(q) })
	}}

// allocated is a column of a unit-year's statement.
func allocated(fa, en string, kind export.Kind, get func(*ledger.StatementAllocation) any) exportColumn {
	return field(fa, en, kind, get)
}

var statementList = exportList{nameFA: "صورت تهاتر", nameEN: "statement", items: "allocations", columns: []exportColumn{
	allocated("شناسه هزینه", "expenditure_id", export.Integer, func(a *ledger.StatementAllocation) any { return a.ExpenditureID }),
	allocated("مبلغ به‌کاررفته", "amount", export.Amount, func(a *ledger.StatementAllocation) any { return a.Amount }),
	allocated("سال مالی هزینه", "fiscal_year", export.Integer, func(a *ledger.StatementAllocation) any { return a.FiscalYear }),
	allocated("تاریخ هزینه", "spent_on", export.Date, func(a *ledger.StatementAllocation) any { return dateCell(a.SpentOn) }),
	allocated("شماره فاکتور", "invoice_no", export.Identifier, func(a *ledger.StatementAllocation) any { return a.InvoiceNo }),
	allocated("فروشنده", "vendor_name", export.Text, func(a *ledger.StatementAllocation) any { return a.VendorName }),
	allocated("دسته", "category", export.Text, func(a *ledger.StatementAllocation) any { return a.Category }),
	allocated("شناسه مدرسه", "school_id", export.Integer, func(a *ledger.StatementAllocation) any { return a.SchoolID }),
	allocated("مدرسه", "school_name", export.Text, func(a *ledger.StatementAllocation) any { return a.SchoolName }),
},
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		unit, year, err := unitYear(c)
		if err != nil {
			return err
		}
		return s.ledger.EachStatementAllocation(c.Request.Context(), actor(c), unit, year, limit,
			func(a *ledger.StatementAllocation) error { return each(a) })
	}}

// registered is a column of the certificate register.
func registered(fa, en string, kind export.Kind, get func(*certificate.RegisterEntry) any) exportColumn {
	return field(fa, en, kind, get)
}

var certificateList = exportList{nameFA: "دفتر گواهی‌ها", nameEN: "certificates", columns: []exportColumn{
	registered("شماره گواهی", "serial", export.Identifier, func(r *certificate.RegisterEntry) any { return r.Serial }),
	registered("شناسه واحد", "unit_id", export.Integer, func(r *certificate.RegisterEntry) any { return r.UnitID }),
	registered("واحد", "unit_name", export.Text, func(r *certificate.RegisterEntry) any { return r.UnitName }),
	registered("شناسه ملی واحد", "unit_national_id", export.Identifier, func(r *certificate.RegisterEntry) any { return r.UnitNationalID }),
	registered("سال مالی", "fiscal_year", export.Integer, func(r *certificate.RegisterEntry) any { return r.FiscalYear }),
	taxField("مالیات قطعی", "tax_due", export.Amount, func(r *certificate.RegisterEntry) any { return r.TaxDue }),
	taxField("هزینه به‌کاررفته", "spending_used", export.Amount, func(r *certificate.RegisterEntry) any { return r.SpendingUsed }),
	taxField("مبلغ تهاتر", "offset_amount", export.Amount, func(r *certificate.RegisterEntry) any { return r.OffsetAmount }),
	registered("وضعیت", "status", export.Text, func(r *certificate.RegisterEntry) any { return string(r.Status) }),
	registered("تاریخ صدور", "issued_on", export.Date, func(r *certificate.RegisterEntry) any { return dateCell(r.IssuedOn) }),
	registered("صادرکننده", "issued_by.full_name", export.Text, func(r *certificate.RegisterEntry) any { return textCell(r.IssuedBy) }),
	registered("جایگزینِ گواهی", "supersedes", export.Identifier, func(r *certificate.RegisterEntry) any { return textCell(r.Supersedes) }),
	registered("جایگزین‌شده با", "superseded_by", export.Identifier, func(r *certificate.RegisterEntry) any { return textCell(r.SupersededBy) }),
	registered("زمان ابطال یا جایگزینی", "status_at", export.Time, func(r *certificate.RegisterEntry) any { return instantCell(r.StatusAt) }),
	registered("دلیل", "status_reason", export.Text, func(r *certificate.RegisterEntry) any { return textCell(r.StatusReason) }),
},
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		f, _, err := certificateFilter(c)
		if err != nil {
			return err
		}
		f.AfterID, f.Limit = 0, limit
		return s.certificates.EachCertificate(c.Request.Context(), actor(c), f, func(r *certificate.RegisterEntry) error { return each(r) })
	}}

// pledged is a column of the pledge list.
func pledged(fa, en string, kind export.Kind, get func(*ledger.Pledge) any) exportColumn {
	return field(fa, en, kind, get)
}

var pledgeList = exportList{nameFA: "تعهدها", nameEN: "pledges", columns: []exportColumn{
	pledged("شناسه", "id", export.Integer, func(p *ledger.Pledge) any { return p.ID }),
	pledged("شناسه واحد", "unit_id", export.Integer, func(p *ledger.Pledge) any { return p.UnitID }),
	pledged("واحد", "unit_name", export.Text, func(p *ledger.Pledge) any { return p.UnitName }),
	pledged("شناسه مدرسه", "school_id", export.Integer, func(p *ledger.Pledge) any { return p.SchoolID }),
	pledged("مدرسه", "school_name", export.Text, func(p *ledger.Pledge) any { return p.SchoolName }),
	pledged("مبلغ تعهد", "amount", export.Amount, func(p *ledger.Pledge) any { return p.Amount }),
	pledged("تاریخ تعهد", "pledged_on", export.Date, func(p *ledger.Pledge) any { return dateCell(p.PledgedOn) }),
	pledged("سررسید", "due_on", export.Date, func(p *ledger.Pledge) any { return dateCell(p.DueOn) }),
	pledged("شناسه مصوبه", "resolution_id", export.Integer, func(p *ledger.Pledge) any { return idCell(p.ResolutionID) }),
	pledged("وضعیت", "status", export.Text, func(p *ledger.Pledge) any { return p.Status }),
	pledged("جمع ارسال‌شده", "submitted_total", export.Amount, func(p *ledger.Pledge) any { return p.SubmittedTotal }),
	pledged("جمع تأییدشده", "approved_total", export.Amount, func(p *ledger.Pledge) any { return p.ApprovedTotal }),
	pledged("مانده", "remaining", export.Amount, func(p *ledger.Pledge) any { return p.Remaining }),
},
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		f, _, err := pledgeFilter(c)
		if err != nil {
			return err
		}
		f.AfterID, f.Limit = 0, limit
		return s.ledger.EachPledge(c.Request.Context(), actor(c), f, func(p *ledger.Pledge) error { return each(p) })
	}}

// schooled is a column of the school list.
func schooled(fa, en string, kind export.Kind, get func(*ledger.School) any) exportColumn {
	return field(fa, en, kind, get)
}

var schoolList = exportList{nameFA: "مدارس", nameEN: "schools", columns: []exportColumn{
	schooled("شناسه", "id", export.Integer, func(sc *ledger.School) any { return sc.ID }),
	schooled("نام", "name", export.Text, func(sc *ledger.School) any { return sc.Name }),
	schooled("نوع", "kind", export.Text, func(sc *ledger.School) any { return sc.Kind }),
	schooled("شهرستان", "county", export.Text, func(sc *ledger.School) any { return sc.County }),
	schooled("نشانی", "address", export.Text, func(sc *ledger.School) any { return textCell(sc.Address) }),
	schooled("کلاس‌ها", "classrooms", export.Integer, func(sc *ledger.School) any { return countCell(sc.Classrooms) }),
	schooled("هزینه برآوردی", "estimated_cost", export.Amount, func(sc *ledger.School) any { return amountCell(sc.EstimatedCost) }),
	schooled("وضعیت", "status", export.Text, func(sc *ledger.School) any { return sc.Status }),
	schooled("درصد پیشرفت", "progress_percent", export.Integer, func(sc *ledger.School) any { return sc.ProgressPercent }),
	schooled("جمع تعهدها", "pledged_total", export.Amount, func(sc *ledger.School) any { return sc.PledgedTotal }),
	schooled("جمع ارسال‌شده", "submitted_total", export.Amount, func(sc *ledger.School) any { return sc.SubmittedTotal }),
	schooled("جمع تأییدشده", "approved_total", export.Amount, func(sc *ledger.School) any { return sc.ApprovedTotal }),
},
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		f, _, err := schoolFilter(c)
		if err != nil {
			return err
		}
		f.AfterID, f.Limit = 0, limit
		return s.ledger.EachSchool(c.Request.Context(), actor(c), f, func(sc *ledger.School) error { return each(sc) })
	}}

// resolved is a column of the resolution list. The columns serve the
// yearly figures' rows too.
func resolved(fa, en string, kind export.Kind, get func(*registry.Resolution) any) exportColumn {
	return field(fa, en, kind, get)
}

// resolutionDaysOverdue is how many days a resolution is past its
// deadline, today: empty for one that is not overdue (the JSON's overdue).
func resolutionDaysOverdue(r *registry.Resolution, today taahod.Date) any {
	if !r.Overdue || r.Deadline.IsZero() {
		return nil
	}
	return int64(today.Time().Sub(r.Deadline.Time()).Hours() / 24)
}

var resolutionColumns = []exportColumn{
	resolved("شناسه", "id", export.Integer, func(r *registry.Resolution) any { return r.ID }),
	resolved("شناسه جلسه", "session_id", export.Integer, func(r *registry.Resolution) any { return idCell(r.SessionID) }),
	resolved("نوع جلسه", "session_kind", export.Text, func(r *registry.Resolution) any { return textCell(r.SessionKind) }),
	resolved("تاریخ تصویب", "adopted_on", export.Date, func(r *registry.Resolution) any { return dateCell(r.AdoptedOn) }),
	resolved("سال", "fiscal_year", export.Integer, func(r *registry.Resolution) any { return r.FiscalYear }),
	resolved("شناسه واحد", "unit_id", export.Integer, func(r *registry.Resolution) any { return idCell(r.UnitID) }),
	resolved("واحد", "unit_name", export.Text, func(r *registry.Resolution) any { return textCell(r.UnitName) }),
	resolved("متن", "text", export.Text, func(r *registry.Resolution) any { return r.Text }),
	resolved("موضوع", "category", export.Text, func(r *registry.Resolution) any { return r.Category }),
	resolved("دستگاه‌ها", "agencies", export.Text, func(r *registry.Resolution) any { return listCell(r.Agencies) }),
	resolved("مهلت", "deadline", export.Date, func(r *registry.Resolution) any { return dateCell(r.Deadline) }),
	resolved("وضعیت", "status", export.Text, func(r *registry.Resolution) any { return r.Status }),
	resolved("تاریخ وضعیت", "status_on", export.Date, func(r *registry.Resolution) any { return dateCell(r.StatusOn) }),
	{Column: export.Column{FA: "روزهای گذشته از مهلت", EN: "days_overdue", Kind: export.Integer},
		get: func(item any, today taahod.Date) any {
			return resolutionDaysOverdue(item.(*registry.Resolution), today)
		}},
}

var resolutionList = exportList{nameFA: "مصوبات", nameEN: "resolutions", columns: resolutionColumns,
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		f, _, err := resolutionFilter(c)
		if err != nil {
			return err
		}
		f.AfterID, f.Limit = 0, limit
		return s.registry.EachResolution(c.Request.Context(), viewer(c), f, func(r *registry.Resolution) error { return each(r) })
	}}

// cased is a column of the case list. The columns serve the yearly
// figures' rows too.
func cased(fa, en string, kind export.Kind, get func(*registry.Case) any) exportColumn {
	return field(fa, en, kind, get)
}

var caseColumns = []exportColumn{
	cased("شناسه", "id", export.Integer, func(c *registry.Case) any { return c.ID }),
	cased("شناسه واحد", "unit_id", export.Integer, func(c *registry.Case) any { return idCell(c.UnitID) }),
	cased("واحد", "unit_name", export.Text, func(c *registry.Case) any { return textCell(c.UnitName) }),
	cased("مجرا", "channel", export.Text, func(c *registry.Case) any { return c.Channel }),
	cased("موضوع", "subject", export.Text, func(c *registry.Case) any { return c.Subject }),
	cased("دسته", "category", export.Text, func(c *registry.Case) any { return c.Category }),
	cased("تاریخ گشایش", "opened_on", export.Date, func(c *registry.Case) any { return dateCell(c.OpenedOn) }),
	cased("سال", "fiscal_year", export.Integer, func(c *registry.Case) any { return c.FiscalYear }),
	cased("تاریخ بستن", "closed_on", export.Date, func(c *registry.Case) any { return dateCell(c.ClosedOn) }),
	cased("نتیجه", "outcome", export.Text, func(c *registry.Case) any { return c.Outcome }),
}

var caseList = exportList{nameFA: "پرونده‌ها", nameEN: "cases", columns: caseColumns,
	stream: func(s *Server, c *gin.Context, limit int, each func(any) error) error {
		f, _, err := caseFilter(c)
		if err != nil {
			return err
		}
		f.AfterID, f.Limit = 0, limit
		return s.registry.EachCase(c.Request.Context(), viewer(c), f, func(x *registry.Case) error { return each(x) })
	}}

// figureLists are the files of a yearly figure's rows, by the kind of
// record behind the figure (registry.RowKind), chosen by the figure's name.
var figureLists = []struct {
	prefix string
	list   exportList
}{
	{"sessions.", exportList{columns: []exportColumn{
		field("شناسه", "id", export.Integer, func(s *registry.Session) any { return s.ID }),
		field("نوع", "kind", export.Text, func(s *registry.Session) any { return s.Kind }),
		field("تاریخ", "held_on", export.Date, func(s *registry.Session) any { return dateCell(s.HeldOn) }),
		field("شهرستان", "county", export.Text, func(s *registry.Session) any { return textCell(s.County) }),
		field("عنوان", "title", export.Text, func(s *registry.Session) any { return textCell(s.Title) }),
		field("رئیس جلسه", "chair", export.Text, func(s *registry.Session) any { return textCell(s.Chair) }),
		field("حاضران", "attendees", export.Text, func(s *registry.Session) any { return listCell(s.Attendees) }),
		field("مصوبات", "resolutions", export.Integer, func(s *registry.Session) any { return s.Resolutions }),
	}}},
	{"resolutions.", exportList{columns: resolutionColumns}},
	{"implementation_rate.", exportList{columns: resolutionColumns}},
	{"units_examined", exportList{columns: []exportColumn{
		field("شناسه واحد", "unit_id", export.Integer, func(u *registry.ExaminedUnit) any { return idCell(u.UnitID) }),
		field("واحد", "name", export.Text, func(u *registry.ExaminedUnit) any { return textCell(u.Name) }),
		field("شناسه ملی", "national_id", export.Identifier, func(u *registry.ExaminedUnit) any { return textCell(u.NationalID) }),
		field("شهرستان", "county", export.Text, func(u *registry.ExaminedUnit) any { return textCell(u.County) }),
		field("مصوبات", "resolutions", export.Integer, func(u *registry.ExaminedUnit) any { return u.Resolutions }),
	}}},
	{"cases_resolved_without_session", exportList{columns: caseColumns}},
	{"referrals", exportList{columns: caseColumns}},
	{"revived_units", exportList{columns: []exportColumn{
		field("شناسه واحد", "unit_id", export.Integer, func(u *registry.RevivedUnit) any { return u.UnitID }),
		field("واحد", "name", export.Text, func(u *registry.RevivedUnit) any { return u.Name }),
		field("شناسه ملی", "national_id", export.Identifier, func(u *registry.RevivedUnit) any { return textCell(u.NationalID) }),
		field("شهرستان", "county", export.Text, func(u *registry.RevivedUnit) any { return u.County }),
		field("وضعیت", "status", export.Text, func(u *registry.RevivedUnit) any { return u.Status }),
		field("تاریخ احیا", "revived_on", export.Date, func(u *registry.RevivedUnit) any { return dateCell(u.RevivedOn) }),
		field("دفعات احیا", "revivals", export.Integer, func(u *registry.RevivedUnit) any { return u.Revivals }),
	}}},
	{"schools_pledged", exportList{columns: []exportColumn{
		field("شناسه مدرسه", "school_id", export.Integer, func(p *registry.PledgedSchool) any { return p.SchoolID }),
		field("مدرسه", "name", export.Text, func(p *registry.PledgedSchool) any { return p.Name }),
		field("نوع", "kind", export.Text, func(p *registry.PledgedSchool) any { return p.Kind }),
		field("شهرستان", "county", export.Text, func(p *registry.PledgedSchool) any { return p.County }),
		field("تعهدها", "pledges", export.Integer, func(p *registry.PledgedSchool) any { return p.Pledges }),
		field("نخستین تعهد", "first_pledged_on", export.Date, func(p *registry.PledgedSchool) any { return dateCell(p.FirstPledgedOn) }),
	}}},
}

// figureRowsList is the file of the rows of the figure the request names,
// read for the viewer v gives (the public's or the signed-in actor's).
func figureRowsList(v func(*gin.Context) registry.Viewer) func(*gin.Context) exportList {
	return func(c *gin.Context) exportList {
		figure := c.Query("figure")
		l := figureLists[0].list
		for _, f := range figureLists {
			if strings.HasPrefix(figure, f.prefix) {
				l = f.list
				break
			}
		}
		l.nameFA = "ردیف‌های آمار " + c.Query("year")
		l.nameEN = "registry-rows-" + strings.ReplaceAll(figure, ".", "-")
		l.stream = func(s *Server, c *gin.Context, limit int, each func(any) error) error {
			year, figure, _, err := figureRowsFilter(c)
			if err != nil {
				return err
			}
			return s.registry.EachFigureRow(c.Request.Context(), v(c), year, figure, limit,
				func(r registry.FigureRow) error { return each(figureRecord(r)) })
		}
		return l
	}
}

// figureRecord is a pointer to the record of a figure's row, as the
// columns' cells take it.
func figureRecord(r registry.FigureRow) any {
	switch x := r.Record().(type) {
	case registry.Session:
		return &x
	case registry.Resolution:
		return &x
	case registry.ExaminedUnit:
		return &x
	case registry.Case:
		return &x
	case registry.RevivedUnit:
		return &x
	case registry.PledgedSchool:
		return &x
	}
	return r.Record()
}
