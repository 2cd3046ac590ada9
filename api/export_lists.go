package api

import (
	"encoding/json"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
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

// taxCol is a column only the roles that see units' tax affairs get.
func taxCol(fa, en string, kind export.Kind) exportColumn {
	c := col(fa, en, kind)
	c.tax = true
	return c
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

var statementList = exportList{nameFA: "صورت تهاتر", nameEN: "statement", items: "allocations", columns: []exportColumn{
	col("شناسه هزینه", "expenditure_id", export.Integer),
	col("مبلغ به‌کاررفته", "amount", export.Amount),
	col("سال مالی هزینه", "fiscal_year", export.Integer),
	col("تاریخ هزینه", "spent_on", export.Date),
	col("شماره فاکتور", "invoice_no", export.Identifier),
	col("فروشنده", "vendor_name", export.Text),
	col("دسته", "category", export.Text),
	col("شناسه مدرسه", "school_id", export.Integer),
	col("مدرسه", "school_name", export.Text),
}}

var certificateList = exportList{nameFA: "دفتر گواهی‌ها", nameEN: "certificates", columns: []exportColumn{
	col("شماره گواهی", "serial", export.Identifier),
	col("شناسه واحد", "unit_id", export.Integer),
	col("واحد", "unit_name", export.Text),
	col("شناسه ملی واحد", "unit_national_id", export.Identifier),
	col("سال مالی", "fiscal_year", export.Integer),
	taxCol("مالیات قطعی", "tax_due", export.Amount),
	taxCol("هزینه به‌کاررفته", "spending_used", export.Amount),
	taxCol("مبلغ تهاتر", "offset_amount", export.Amount),
	col("وضعیت", "status", export.Text),
	col("تاریخ صدور", "issued_on", export.Date),
	col("صادرکننده", "issued_by.full_name", export.Text),
	col("جایگزینِ گواهی", "supersedes", export.Identifier),
	col("جایگزین‌شده با", "superseded_by", export.Identifier),
	col("زمان ابطال یا جایگزینی", "status_at", export.Time),
	col("دلیل", "status_reason", export.Text),
}}

var pledgeList = exportList{nameFA: "تعهدها", nameEN: "pledges", columns: []exportColumn{
	col("شناسه", "id", export.Integer),
	col("شناسه واحد", "unit_id", export.Integer),
	col("واحد", "unit_name", export.Text),
	col("شناسه مدرسه", "school_id", export.Integer),
	col("مدرسه", "school_name", export.Text),
	col("مبلغ تعهد", "amount", export.Amount),
	col("تاریخ تعهد", "pledged_on", export.Date),
	col("سررسید", "due_on", export.Date),
	col("شناسه مصوبه", "resolution_id", export.Integer),
	col("وضعیت", "status", export.Text),
	col("جمع ارسال‌شده", "submitted_total", export.Amount),
	col("جمع تأییدشده", "approved_total", export.Amount),
	col("مانده", "remaining", export.Amount),
}}

var schoolList = exportList{nameFA: "مدارس", nameEN: "schools", columns: []exportColumn{
	col("شناسه", "id", export.Integer),
	col("نام", "name", export.Text),
	col("نوع", "kind", export.Text),
	col("شهرستان", "county", export.Text),
	col("نشانی", "address", export.Text),
	col("کلاس‌ها", "classrooms", export.Integer),
	col("هزینه برآوردی", "estimated_cost", export.Amount),
	col("وضعیت", "status", export.Text),
	col("درصد پیشرفت", "progress_percent", export.Integer),
	col("جمع تعهدها", "pledged_total", export.Amount),
	col("جمع ارسال‌شده", "submitted_total", export.Amount),
	col("جمع تأییدشده", "approved_total", export.Amount),
}}

// daysOverdue is how many days a resolution is past its deadline, today:
// empty for one that is not overdue (the JSON's overdue).
func daysOverdue(item map[string]json.RawMessage, today taahod.Date) any {
	var overdue bool
	var deadline string
	if json.Unmarshal(item["overdue"], &overdue) != nil || !overdue || json.Unmarshal(item["deadline"], &deadline) != nil {
		return nil
	}
	d, err := taahod.ParseDate(deadline)
	if err != nil {
		return nil
	}
	return int64(today.Time().Sub(d.Time()).Hours() / 24)
}

// resolved is a column of the resolution list. The columns serve the
// yearly figures' rows too, which are written from their JSON (EN and
// value); get is the list's, read from the store.
func resolved(fa, en string, kind export.Kind, get func(*registry.Resolution) any) exportColumn {
	return field(fa, en, kind, get)
}

// resolutionDaysOverdue is daysOverdue of a resolution read from the store.
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
	{Column: export.Column{FA: "روزهای گذشته از مهلت", EN: "days_overdue", Kind: export.Integer}, value: daysOverdue,
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

var caseColumns = []exportColumn{
	col("شناسه", "id", export.Integer),
	col("شناسه واحد", "unit_id", export.Integer),
	col("واحد", "unit_name", export.Text),
	col("مجرا", "channel", export.Text),
	col("موضوع", "subject", export.Text),
	col("دسته", "category", export.Text),
	col("تاریخ گشایش", "opened_on", export.Date),
	col("سال", "fiscal_year", export.Integer),
	col("تاریخ بستن", "closed_on", export.Date),
	col("نتیجه", "outcome", export.Text),
}

var caseList = exportList{nameFA: "پرونده‌ها", nameEN: "cases", columns: caseColumns}

// figureLists are the files of a yearly figure's rows, by the kind of
// record behind the figure (registry.RowKind), chosen by the figure's name.
var figureLists = []struct {
	prefix string
	list   exportList
}{
	{"sessions.", exportList{columns: []exportColumn{
		col("شناسه", "id", export.Integer),
		col("نوع", "kind", export.Text),
		col("تاریخ", "held_on", export.Date),
		col("شهرستان", "county", export.Text),
		col("عنوان", "title", export.Text),
		col("رئیس جلسه", "chair", export.Text),
		col("حاضران", "attendees", export.Text),
		col("مصوبات", "resolutions", export.Integer),
	}}},
	{"resolutions.", exportList{columns: resolutionColumns}},
	{"implementation_rate.", exportList{columns: resolutionColumns}},
	{"units_examined", exportList{columns: []exportColumn{
		col("شناسه واحد", "unit_id", export.Integer),
		col("واحد", "name", export.Text),
		col("شناسه ملی", "national_id", export.Identifier),
		col("شهرستان", "county", export.Text),
		col("مصوبات", "resolutions", export.Integer),
	}}},
	{"cases_resolved_without_session", exportList{columns: caseColumns}},
	{"referrals", exportList{columns: caseColumns}},
	{"revived_units", exportList{columns: []exportColumn{
		col("شناسه واحد", "unit_id", export.Integer),
		col("واحد", "name", export.Text),
		col("شناسه ملی", "national_id", export.Identifier),
		col("شهرستان", "county", export.Text),
		col("وضعیت", "status", export.Text),
		col("تاریخ احیا", "revived_on", export.Date),
		col("دفعات احیا", "revivals", export.Integer),
	}}},
	{"schools_pledged", exportList{columns: []exportColumn{
		col("شناسه مدرسه", "school_id", export.Integer),
		col("مدرسه", "name", export.Text),
		col("نوع", "kind", export.Text),
		col("شهرستان", "county", export.Text),
		col("تعهدها", "pledges", export.Integer),
		col("نخستین تعهد", "first_pledged_on", export.Date),
	}}},
}

// figureRowsList is the file of the rows of the figure the request names.
func figureRowsList(c *gin.Context) exportList {
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
	return l
}
