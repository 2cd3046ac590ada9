-- +goose Up
-- Search (q) on units, schools, expenditures, resolutions and cases, and
-- text filters, compare Persian text folded: taahod_fold is the database's
-- copy of taahod.FoldText (text.go), and the trigram indexes below are built
-- on it, so that «قزوين» typed with Arabic yeh finds «قزوین», a half-space
-- and a space are one, and LIKE '%word%' is answered from an index. Change
-- the two folds together (a test compares them).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- taahod_fold: Arabic yeh (ي ى) and kaf (ك) become Persian; Persian and
-- Arabic-Indic digits ASCII; tatweel and the diacritics (U+064B-U+065F,
-- U+0670) go (translate drops what has no counterpart); letters become
-- lower case; every run of white space, zero-width (non-)joiner and BOM
-- becomes one space, none at the ends. IMMUTABLE, so indexes may use it.
-- +goose StatementBegin
CREATE FUNCTION taahod_fold(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN btrim(regexp_replace(
    lower(translate(s, E'\u064A\u0649\u0643\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0640\u064B\u064C\u064D\u064E\u064F\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657\u0658\u0659\u065A\u065B\u065C\u065D\u065E\u065F\u0670', E'\u06CC\u06CC\u06A901234567890123456789')),
    E'[\\t\\n\\v\\f\\r \u0085\u00A0\u1680\u2000-\u200D\u2028\u2029\u202F\u205F\u3000\uFEFF]+', ' ', 'g'), ' ');
-- +goose StatementEnd

CREATE INDEX units_search_name ON units USING gin (taahod_fold(name) gin_trgm_ops);
-- q also finds a unit by the start of its national id.
CREATE INDEX units_national_id_prefix ON units (national_id text_pattern_ops);
CREATE INDEX schools_search_name ON schools USING gin (taahod_fold(name) gin_trgm_ops);
-- An expenditure's invoice_key is already its folded invoice number
-- (ledger.InvoiceKey is taahod.FoldText).
CREATE INDEX expenditures_search_invoice ON expenditures USING gin (invoice_key gin_trgm_ops);
CREATE INDEX expenditures_search_vendor ON expenditures USING gin (taahod_fold(vendor_name) gin_trgm_ops);
CREATE INDEX resolutions_search_text ON resolutions USING gin (taahod_fold(text) gin_trgm_ops);
CREATE INDEX agencies_search_name ON agencies USING gin (taahod_fold(name) gin_trgm_ops);
CREATE INDEX cases_search_subject ON cases USING gin (taahod_fold(subject) gin_trgm_ops);
