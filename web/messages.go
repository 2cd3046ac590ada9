package web

import "github.com/taahod/taahod"

// messages words every problem code in Persian: the domain's codes
// (taahod.Codes, a test checks each has a sentence) and the codes of the
// fields at fault. A page shows a field's sentence beside the field and the
// problem's own sentence in the page's alert.
var messages = map[string]string{
	// taahod.Codes
	taahod.ECONFLICT:            "این کار در وضعیت کنونی ممکن نیست.",
	taahod.EFORBIDDEN:           "نقش شما اجازه این کار را نمی‌دهد.",
	taahod.EINTERNAL:            "خطایی در سامانه رخ داد. دوباره تلاش کنید؛ اگر تکرار شد به پشتیبانی خبر دهید.",
	taahod.EINVALID:             "برخی خانه‌ها درست پر نشده‌اند. خطای هر خانه کنار آن آمده است.",
	taahod.EMALFORMED:           "درخواست خوانا نبود.",
	taahod.ENOTFOUND:            "چنین صفحه یا رکوردی پیدا نشد.",
	taahod.EUNAUTHORIZED:        "نشست شما تمام شده است؛ دوباره وارد شوید.",
	taahod.ETOOLARGE:            "حجم فرستاده‌شده بیش از اندازه مجاز است.",
	taahod.EUNSUPPORTEDMEDIA:    "نوع پرونده پذیرفته نیست.",
	taahod.ERATELIMITED:         "تلاش‌های ناموفق زیاد بود. چند دقیقه دیگر دوباره تلاش کنید.",
	taahod.EUNAVAILABLE:         "سامانه اکنون در دسترس نیست. کمی بعد دوباره تلاش کنید.",
	taahod.EIDEMPOTENCYREUSED:   "این درخواست پیش‌تر با محتوای دیگری فرستاده شده است.",
	taahod.EIDEMPOTENCYINFLIGHT: "درخواست پیشین هنوز در حال انجام است.",
	taahod.EBADCREDENTIALS:      "نام کاربری یا گذرواژه نادرست است.",
	taahod.EIDEMPOTENCYLOST:     "درخواست پیشین انجام شد اما پاسخ آن از دست رفت؛ نتیجه را در صفحه رکورد ببینید.",
	"no_offset_policy":          "برای این سال سیاست تهاتری ثبت نشده است.",
	"policy_frozen":             "این سیاست تهاتر به کار رفته و دیگر تغییر نمی‌کند.",
	"no_tax_assessment":         "برای این سال مالیاتی تشخیص مالیات ثبت نشده است.",
	"tax_due_below_offset":      "مالیات تعیین‌شده از تهاتر انجام‌شده کمتر است.",
	"year_certified":            "برای این سال گواهی صادر شده و تغییر آن ممکن نیست.",
	"evidence_required":         "بدون دست‌کم یک مدرک پیوست، تأیید ممکن نیست.",
	"unit_not_stagnant":         "این واحد راکد نیست.",
	"no_offset":                 "برای این سال تهاتری انجام نشده است.",
	"offset_needs_run":          "تهاتر این سال باید دوباره اجرا شود.",
	"certificate_not_valid":     "این گواهی معتبر نیست.",
	"signing_key_missing":       "کلید امضای گواهی روی سرور تنظیم نشده است.",
	"last_admin":                "آخرین مدیر فعال سامانه را نمی‌توان غیرفعال یا جابه‌جا کرد.",
	"password_change_required":  "پیش از هر کاری گذرواژه خود را عوض کنید.",
	"offset_run_in_progress":    "اجرای تهاتر سراسری این سال هنوز در جریان است؛ پایان آن را ببینید و سپس دوباره آغاز کنید.",
	"offset_preview_stale":      "ارقام تهاتر پس از پیش‌نمایش تغییر کرده است؛ ارقام تازه را ببینید و دوباره تأیید کنید.",

	// The public verification of a certificate (certificate/verification_code.go).
	"verification_code_mismatch": "این کد تصدیق با این گواهی نمی‌خواند. کد چاپ‌شده کنار شمارهٔ گواهی را دوباره بنویسید.",
	"invalid_verification_code":  "کد تصدیق ده نویسه است، مانند 7KQ4-M2XD-9P؛ آن را همان‌گونه که کنار شمارهٔ گواهی چاپ شده بنویسید.",

	// Field codes.
	"required":                "این خانه را پر کنید.",
	"invalid_choice":          "یکی از گزینه‌ها را برگزینید.",
	"too_long":                "این متن بیش از اندازه بلند است.",
	"too_short":               "گذرواژه باید دست‌کم ۱۲ نویسه باشد.",
	"too_weak":                "گذرواژه نباید فقط یک نویسه تکراری باشد.",
	"duplicate":               "این مقدار پیش‌تر ثبت شده است.",
	"taken":                   "این مقدار پیش‌تر به کار رفته است.",
	"wrong_password":          "گذرواژه کنونی نادرست است.",
	"same_as_username":        "گذرواژه نباید همان نام کاربری باشد.",
	"unchanged":               "گذرواژه تازه باید با گذرواژه کنونی فرق داشته باشد.",
	"mismatch":                "دو گذرواژه تازه یکی نیستند.",
	"invalid_text":            "این متن نویسه‌های نادرست دارد.",
	"invalid":                 "این مقدار درست نیست.",
	"malformed":               "این مقدار خوانا نیست.",
	"out_of_range":            "این مقدار بیرون از بازه مجاز است.",
	"invalid_id":              "شناسه درست نیست.",
	"invalid_date":            "تاریخ درست نیست.",
	"invalid_jalali_date":     "تاریخ را به شکل سال/ماه/روز بنویسید، مانند ۱۴۰۴/۰۵/۱۰.",
	"in_future":               "این تاریخ هنوز نرسیده است.",
	"future_date":             "این تاریخ هنوز نرسیده است.",
	"before_adoption":         "این تاریخ پیش از تاریخ تصویب است.",
	"before_pledge":           "این تاریخ پیش از تاریخ تعهد است.",
	"before_opening":          "این تاریخ پیش از تاریخ گشایش پرونده است.",
	"before_last_report":      "این تاریخ پیش از آخرین گزارش است.",
	"before_from":             "تاریخ پایان پیش از تاریخ آغاز است.",
	"after_resolution_dates":  "این تاریخ با تاریخ‌های مصوبه نمی‌خواند.",
	"not_a_number":            "مبلغ را با رقم بنویسید، مانند ۱٬۲۵۰٬۰۰۰.",
	"exponent_not_allowed":    "مبلغ را با رقم بنویسید، مانند ۱٬۲۵۰٬۰۰۰.",
	"separators_not_allowed":  "جداکننده هزارگان باید هر سه رقم بیاید، مانند ۱٬۲۵۰٬۰۰۰.",
	"non_ascii_digits":        "مبلغ را با رقم بنویسید، مانند ۱٬۲۵۰٬۰۰۰.",
	"too_many_decimals":       "مبلغ بیش از دو رقم اعشار دارد.",
	"too_large":               "مبلغ بیش از اندازه بزرگ است.",
	"not_positive":            "مبلغ باید بیشتر از صفر باشد.",
	"negative":                "مبلغ نمی‌تواند منفی باشد.",
	"exceeds_amount":          "مبلغ تأییدشده از مبلغ هزینه بیشتر است.",
	"empty":                   "خالی است.",
	"empty_file":              "پرونده خالی است.",
	"unsupported_type":        "فقط پرونده PDF، JPEG یا PNG پذیرفته است.",
	"invalid_national_id":     "شناسه ملی درست نیست.",
	"invalid_username":        "نام کاربری فقط حروف کوچک لاتین، رقم و . _ - دارد.",
	"own_account":             "این کار روی حساب خودتان ممکن نیست.",
	"pledge_cancelled":        "این تعهد لغو شده است.",
	"unknown_unit":            "چنین واحدی پیدا نشد.",
	"invalid_session":         "جلسه درست نیست.",
	"ambiguous_session":       "جلسه را دقیق‌تر مشخص کنید.",
	"session_date_mismatch":   "تاریخ با تاریخ جلسه نمی‌خواند.",
	"referred_needs_referral": "فقط پرونده ارجاعی نتیجه «ارجاع شده» دارد؛ استعلامی را که به ستاد رفته با نحوه «ارجاع به ستاد» ثبت کنید.",
	"open_case_closed":        "پرونده باز تاریخ پایان ندارد: نتیجه را مشخص کنید یا تاریخ پایان را پاک کنید.",
	"handover_not_complete":   "تحویل هنوز کامل نشده است.",
	"without_status":          "وضعیت را مشخص کنید.",
	"not_allowed":             "این مقدار اینجا پذیرفته نیست.",
	"invalid_cursor":          "پیوند صفحه‌بندی کهنه است؛ از ابتدای فهرست شروع کنید.",
	"csrf":                    "فرم کهنه شده است. صفحه را دوباره باز کنید و دوباره بفرستید.",
	"invalid_serial":          "شماره گواهی را به شکل QZV-1404-000001 بنویسید؛ رقم‌ها فارسی یا انگلیسی.",
	"signed_out":              "از سامانه خارج شدید.",
	"password_changed":        "گذرواژه شما عوض شد و نشست‌های دیگرتان بسته شد.",
	"sign_in_first":           "برای دیدن این صفحه نخست وارد شوید.",

	// The tax office's review pages (review*.go).
	"below_min":                   "بیشینه مبلغ از کمینه آن کمتر است.",
	"review_not_waiting":          "این هزینه دیگر در انتظار بررسی نیست: پیش‌تر درباره آن تصمیم گرفته شده یا پس گرفته شده است. تا حسابدار واحد آن را دوباره نفرستد، تصمیم تازه‌ای نمی‌پذیرد.",
	"reversal_not_approved":       "این هزینه اکنون تأییدشده نیست (شاید تأیید آن پیش‌تر برگشت خورده باشد)؛ فقط تأیید یا تأیید بخشی را می‌توان برگرداند.",
	"reversal_certified":          "این تأیید در تهاتر سالی به کار رفته که گواهی معتبر دارد. نخست آن گواهی را باطل کنید، سپس تأیید را برگردانید؛ تهاتر آن سال هم برمی‌گردد و باید دوباره اجرا شود.",
	"reviewed_approved":           "تصمیم شما ثبت شد: هزینه به‌طور کامل تأیید شد. این مورد بعدی صف است.",
	"reviewed_partially_approved": "تصمیم شما ثبت شد: بخشی از هزینه تأیید شد. این مورد بعدی صف است.",
	"reviewed_rejected":           "تصمیم شما ثبت شد: هزینه رد شد. این مورد بعدی صف است.",
	"queue_empty":                 "تصمیم شما ثبت شد. صف خالی است.",
	"approval_reversed":           "تأیید این هزینه برگشت خورد. اگر تهاتر سالی از آن استفاده کرده بود، آن تهاتر هم برگشت خورد و باید دوباره اجرا شود.",
	// The tax office's tax years, policies and certificates.
	"assessed":            "تشخیص مالیات ثبت شد.",
	"offset_run":          "تهاتر اجرا شد؛ صورت‌حساب زیر ارقام پس از اجرا است.",
	"policy_saved":        "سیاست تهاتر ذخیره شد.",
	"certificate_issued":  "گواهی صادر شد.",
	"certificate_revoked": "گواهی باطل شد.",
	// The accountant's forms (expenditure_*.go): field codes and the
	// statuses their redirects carry.
	"too_many_files":                  "در یک ارسال دست‌بالا ۱۰ پرونده پذیرفته می‌شود؛ بقیه را در نوبتی دیگر بفرستید.",
	"file_too_large":                  "این پرونده بیش از ۱۰ مگابایت است.",
	"upload_too_large":                "پرونده‌های این ارسال روی هم بیش از ۴۰ مگابایت‌اند و چیزی ثبت نشد. آن‌ها را در چند نوبت بفرستید.",
	"no_file":                         "دست‌کم یک پرونده برگزینید.",
	"expenditure_submitted":           "هزینه ثبت شد و در انتظار بررسی است.",
	"expenditure_submitted_exceeds":   "هزینه ثبت شد و در انتظار بررسی است. هشدار: با این هزینه، جمع هزینه‌های تعهد از مبلغ آن بیشتر می‌شود؛ کارشناس اداره مالیات این را می‌بیند.",
	"expenditure_updated":             "تغییرات هزینه ذخیره شد.",
	"expenditure_withdrawn":           "هزینه پس گرفته شد.",
	"expenditure_resubmitted":         "هزینه دوباره برای بررسی فرستاده شد.",
	"expenditure_resubmitted_exceeds": "هزینه دوباره برای بررسی فرستاده شد. هشدار: با این هزینه، جمع هزینه‌های تعهد از مبلغ آن بیشتر می‌شود.",
	"documents_added":                 "مدارک به هزینه پیوست شد.",
	// The secretariat's cases, revivals and CSV imports
	// (secretariat_records*.go, import.go).
	"case_recorded":    "پرونده ثبت شد.",
	"case_updated":     "نتیجه پرونده ذخیره شد.",
	"unit_revived":     "احیای واحد ثبت شد و وضعیت واحد «احیاشده» شد.",
	"import_refused":   "پرونده ایراد دارد و هیچ ردیفی ثبت نشد. ایراد هر سطر در جدول زیر آمده است.",
	"import_too_large": "پرونده بیش از ۱۶ مگابایت است و چیزی ثبت نشد. آن را در چند پرونده کوچک‌تر بفرستید.",
	"import_not_found": "چنین رکوردی ثبت نشده است (واحدی با این شناسه ملی، یا جلسه‌ای با این مشخصات).",
	"not_utf8":         "پرونده UTF-8 نیست: آن را با قالب «CSV UTF-8» ذخیره کنید.",
	"malformed_csv":    "پرونده CSV خوانا نیست؛ نقل‌قول‌ها (\") را بررسی کنید.",
	"unknown_column":   "این سرستون از ستون‌های این پرونده نیست؛ ستون‌ها را با پرونده نمونه مقایسه کنید.",
	"duplicate_column": "این ستون دو بار آمده است.",
	"missing_column":   "پرونده این ستون لازم را ندارد.",
	"no_rows":          "پرونده سرستون دارد ولی هیچ ردیفی ندارد.",
	"extra_cell":       "در این سطر خانه‌ای زیر هیچ ستونی پر شده است.",
	"too_many_rows":    "یک پرونده دست‌بالا ۲۰٬۰۰۰ ردیف دارد؛ آن را چند بخش کنید.",
	"too_many_columns": "یک سطر پرونده دست‌بالا ۶۴ ستون دارد؛ ستون‌های زیادی را پاک کنید.",
	"line_too_long":    "این سطر بیش از ۶۴ کیلوبایت است.",
	"invalid_flag":     "بله یا خیر بنویسید.",
	// The secretariat's sessions and resolutions (secretariat_sessions*.go,
	// resolution*.go): the statuses their redirects carry.
	"session_recorded":            "جلسه و مصوبه‌هایش ثبت شد.",
	"status_recorded":             "وضعیت تازه ثبت شد و اکنون وضعیت مصوبه است.",
	"status_recorded_not_current": "تغییر وضعیت در تاریخچه ثبت شد، اما وضعیت کنونی مصوبه نشد: تاریخ آن پیش از تاریخ وضعیت کنونی است.",
	"too_many_resolution_rows":    "در یک نوبت دست‌بالا ۵۰ مصوبه ثبت می‌شود.",
	// The education department's pages (education*.go).
	"percent_not_number":            "درصد پیشرفت را با عددی درست از ۰ تا ۱۰۰ بنویسید.",
	"percent_down_needs_note":       "درصد پیشرفت از گزارش پیشین کمتر است؛ چرایش را در یادداشت بنویسید.",
	"handover_needs_completed":      "تنها مدرسه تکمیل‌شده تحویل می‌شود؛ نخست گزارش پیشرفت ۱۰۰٪ را ثبت کنید.",
	"timeline_closed":               "این مدرسه تحویل شده است و گزارش تازه‌ای نمی‌پذیرد.",
	"progress_recorded":             "گزارش پیشرفت ثبت شد.",
	"progress_recorded_completed":   "گزارش ثبت شد؛ پیشرفت به ۱۰۰٪ رسید و مدرسه تکمیل‌شده است.",
	"progress_recorded_handed_over": "تحویل مدرسه ثبت شد؛ گاه‌شمار آن اکنون بسته است.",
}

// Message is the Persian sentence of a problem code; a code without one
// (which a test prevents for the domain's codes) gets the generic
// sentence of validation_failed.
func Message(code string) string {
	if m, ok := messages[code]; ok {
		return m
	}
	return messages[taahod.EINVALID]
}

// ErrorMessage is the sentence for err as a whole: its code's.
func ErrorMessage(err error) string { return Message(taahod.ErrorCode(err)) }

// The administrator's pages (admin*.go): the statuses their redirects
// carry.
func init() {
	for code, m := range map[string]string{
		"user_created":   "کاربر افزوده شد.",
		"user_updated":   "تغییرات کاربر ذخیره شد.",
		"user_disabled":  "کاربر غیرفعال شد و نشست‌های باز او بسته شد.",
		"user_enabled":   "کاربر دوباره فعال شد.",
		"password_reset": "گذرواژه بازنشانی شد و نشست‌های باز کاربر بسته شد.",
		"unit_created":   "واحد ثبت شد.",
		"unit_updated":   "تغییرات واحد ذخیره شد.",
		// The inbox (notifications.go).
		"notification_read":  "اعلان خوانده‌شده شد.",
		"notifications_read": "همه اعلان‌ها خوانده‌شده شد.",
		// The webhooks' fields (notify/webhook.go).
		"invalid_url":    "نشانی باید با http:// یا https:// آغاز شود و نام کاربری و گذرواژه نداشته باشد.",
		"invalid_secret": "رمز باید ۱۶ تا ۲۰۰ نویسه باشد، بی‌فاصله در آغاز و پایان.",
		"invalid_email":  "یک نشانی ایمیل ساده بنویسید، مانند name@example.org.",
		// The administrator's webhooks (admin_webhooks.go).
		"webhook_created":  "نشانی وب‌هوک ثبت شد.",
		"webhook_disabled": "وب‌هوک غیرفعال شد؛ رویدادهای تازه برایش فرستاده نمی‌شود.",
		"webhook_enabled":  "وب‌هوک دوباره فعال شد.",
		"delivery_retried": "ارسال دوباره در صف گذاشته شد.",
		// The auditor's pages (auditor*.go).
		"invalid_actor":  "کاربر را با نام کاربری یا شناسه‌اش بنویسید.",
		"verify_started": "بررسی آغاز شد؛ این صفحه تا پایان آن خودبه‌خود تازه می‌شود.",
		"verify_running": "بررسی دیگری در جریان است؛ پیشرفت همان را در زیر می‌بینید.",
	} {
		messages[code] = m
	}
}
