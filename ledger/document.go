package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// MaxDocumentSize is the largest evidence file taken: 10 MiB.
const MaxDocumentSize = 10 << 20

// The content types of the files taken, recognised by their first bytes.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// DetectContentType names the type of a file from its content alone: PDF
// (a "%PDF-" header), JPEG (the SOI marker and a marker after it) or PNG
// (its 8-byte signature). It returns "" for anything else, whatever the
// file's name or declared type says.
func DetectContentType(content []byte) string {
	switch {
	case bytes.HasPrefix(content, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(content, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(content, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	}
	return ""
}

// Digest is a SHA-256, hex in JSON.
type Digest []byte

// MarshalJSON writes the digest as lower-case hex.
func (d Digest) MarshalJSON() ([]byte, error) {
	return []byte(`"` + hex.EncodeToString(d) + `"`), nil
}

// Scan reads a BYTEA column.
func (d *Digest) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("ledger: scan digest from %T", src)
	}
	*d = bytes.Clone(b)
	return nil
}

// Document is an evidence file: of an expenditure (an invoice, a receipt) or
// of a school's progress report (a photo). Content is read only for a
// download.
type Document struct {
	ID            int64     `db:"id" json:"id"`
	ExpenditureID *int64    `db:"expenditure_id" json:"expenditure_id,omitempty"`
	ProgressID    *int64    `db:"progress_id" json:"progress_id,omitempty"`
	Name          string    `db:"name" json:"name"`
	ContentType   string    `db:"content_type" json:"content_type"`
	Size          int64     `db:"size" json:"size"`
	SHA256        Digest    `db:"sha256" json:"sha256"`
	UploadedBy    *UserRef  `db:"uploaded_by" json:"uploaded_by"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	Content       []byte    `db:"content" json:"-"`
}

// MarshalJSON adds created_at_jalali, the Solar Hijri twin of created_at.
func (d Document) MarshalJSON() ([]byte, error) {
	type plain Document
	return json.Marshal(struct {
		plain
		CreatedAtJalali *string `json:"created_at_jalali"`
	}{plain(d), taahod.JalaliTimePtr(&d.CreatedAt)})
}

// NewDocument is an uploaded file: the name the client gave it and its bytes.
type NewDocument struct {
	Name    string
	Content []byte

	contentType string
	sha256      []byte
}

// Validate recognises the file and cleans its name. An empty file is
// EINVALID (field file); one over MaxDocumentSize is ETOOLARGE; one that is
// not PDF, JPEG or PNG by content is EUNSUPPORTEDMEDIA.
func (n *NewDocument) Validate() error {
	switch {
	case len(n.Content) == 0:
		return taahod.Invalid("file", "empty", "the file is empty")
	case len(n.Content) > MaxDocumentSize:
		return taahod.Errorf(taahod.ETOOLARGE, "the file is larger than 10 MiB")
	}
	n.contentType = DetectContentType(n.Content)
	if n.contentType == "" {
		return &taahod.Error{Code: taahod.EUNSUPPORTEDMEDIA, Message: "the file is not a PDF, JPEG or PNG (recognised by its content, not its name)",
			Fields: []taahod.FieldError{{Field: "file", Code: "unsupported_type", Message: "send a PDF, JPEG or PNG"}}}
	}
	sum := sha256.Sum256(n.Content)
	n.sha256 = sum[:]
	n.Name = documentName(n.Name, n.contentType)
	return nil
}

// documentName keeps the last element of a client's file name, without
// control characters, at most 200 characters. The stored name is shown and
// sent back in Content-Disposition, and a client may save the file under
// it: it never holds a path separator or a control character, and a name
// that is empty, not UTF-8 or only dots ("..", ".") becomes "document"
// with the extension of its type.
func documentName(name, contentType string) string {
	if !utf8.ValidString(name) {
		name = ""
	}
	// Control characters go first, so that none can hide a separator or
	// a dot-only name from the steps below ("..\x00" is "..").
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimSpace(path.Base(name))
	if r := []rune(name); len(r) > 200 {
		name = strings.TrimSpace(string(r[len(r)-200:]))
	}
	if strings.Trim(name, ". /") == "" {
		switch contentType {
		case TypePDF:
			return "document.pdf"
		case TypeJPEG:
			return "document.jpg"
		default:
			return "document.png"
		}
	}
	return name
}

// documentColumns are a document's columns but its content, read from the
// document table as d; the uploader comes named.
var documentColumns = `d.id, d.name, d.content_type, d.size, d.sha256, ` + userRefSQL("d.uploaded_by") + ` AS uploaded_by, d.created_at`

// documentTable is where one kind of document is kept, and the column that
// names what it is attached to.
type documentTable struct{ table, owner string }

var (
	expenditureDocuments = documentTable{"expenditure_documents", "expenditure_id"}
	progressDocuments    = documentTable{"school_progress_documents", "progress_id"}
)

// storeDocument keeps a file attached to owner, once: the same file (by
// SHA-256) again returns the document already there, with created false.
func storeDocument(ctx context.Context, tx *database.Tx, actor taahod.Actor, t documentTable, owner int64, in NewDocument) (Document, bool, error) {
	var d Document
	err := tx.GetContext(ctx, &d, `
		INSERT INTO `+t.table+` AS d (`+t.owner+`, name, content_type, size, sha256, content, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (`+t.owner+`, sha256) DO NOTHING
		RETURNING d.`+t.owner+`, `+documentColumns,
		owner, in.Name, in.contentType, len(in.Content), in.sha256, in.Content, nullID(actor.UserID), tx.Now)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.GetContext(ctx, &d, `SELECT d.`+t.owner+`, `+documentColumns+`
			FROM `+t.table+` d WHERE d.`+t.owner+` = $1 AND d.sha256 = $2`, owner, in.sha256)
		return d, false, err
	}
	return d, err == nil, err
}

// AddExpenditureDocument attaches a file to a submitted expenditure of the
// actor's units, or to a rejected one (the evidence a rejection asked for,
// before it is resubmitted). The same file (by SHA-256) twice is one
// document: the second upload returns the first with created false. It
// returns ENOTFOUND for an expenditure the actor cannot see, EFORBIDDEN for
// anyone but the unit's accountant, ECONFLICT once the expenditure is
// approved, reversed or withdrawn, and the errors of NewDocument.Validate.
func (s *Store) AddExpenditureDocument(ctx context.Context, actor taahod.Actor, expenditureID int64, in NewDocument) (Document, bool, error) {
	if err := in.Validate(); err != nil {
		return Document{}, false, err
	}
	var (
		d       Document
		created bool
	)
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := lockForEvidence(ctx, tx, actor, expenditureID); err != nil {
			return err
		}
		var err error
		d, created, err = addExpenditureDocument(ctx, tx, actor, expenditureID, in)
		return err
	})
	return d, created, err
}

// AddExpenditureDocuments attaches several files to an expenditure in one
// transaction, as AddExpenditureDocument attaches one: every file is
// checked before anything is written, and either all are kept or none is.
// It returns the documents as kept (a file already attached, or sent twice,
// is returned once, as it was). A refused file's error names the field
// "documents", as SubmitExpenditureWithDocuments names it.
func (s *Store) AddExpenditureDocuments(ctx context.Context, actor taahod.Actor, expenditureID int64, docs []NewDocument) ([]Document, error) {
	docs = append([]NewDocument(nil), docs...)
	for i := range docs {
		if err := docs[i].Validate(); err != nil {
			return nil, documentRefused(i, docs[i].Name, err)
		}
	}
	var kept []Document
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := lockForEvidence(ctx, tx, actor, expenditureID); err != nil {
			return err
		}
		kept = make([]Document, 0, len(docs))
		seen := map[int64]bool{}
		for _, doc := range docs {
			d, _, err := addExpenditureDocument(ctx, tx, actor, expenditureID, doc)
			if err != nil {
				return err
			}
			if !seen[d.ID] {
				seen[d.ID] = true
				kept = append(kept, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return kept, nil
}

// lockForEvidence checks, in tx, that the actor may add evidence to the
// expenditure now: ENOTFOUND for one the actor cannot see, EFORBIDDEN for
// anyone but the unit's accountant, ECONFLICT unless it is submitted or
// rejected.
func lockForEvidence(ctx context.Context, tx *database.Tx, actor taahod.Actor, expenditureID int64) error {
	// FOR SHARE waits for a review in progress, which locks the row for
	// update, and then reads the status it left.
	var row struct {
		UnitID int64  `db:"unit_id"`
		Status string `db:"status"`
	}
	err := tx.GetContext(ctx, &row, `SELECT unit_id, status FROM expenditures WHERE id = $1 FOR SHARE`, expenditureID)
	if err != nil || !actor.CanSeeUnit(row.UnitID) {
		return database.NotFound(orNoRows(err), "expenditure", expenditureID)
	}
	if !actor.Is(taahod.RoleAccountant) {
		return taahod.Errorf(taahod.EFORBIDDEN, "only the unit's accountant adds evidence")
	}
	if row.Status != StatusSubmitted && row.Status != StatusRejected {
		return taahod.Errorf(taahod.ECONFLICT, "expenditure %d is %s; evidence is added while it is submitted or rejected", expenditureID, row.Status)
	}
	return nil
}

// addExpenditureDocument stores a validated file of an expenditure that
// lockForEvidence admitted, and audits it when it is new.
func addExpenditureDocument(ctx context.Context, tx *database.Tx, actor taahod.Actor, expenditureID int64, in NewDocument) (Document, bool, error) {
	d, created, err := storeDocument(ctx, tx, actor, expenditureDocuments, expenditureID, in)
	if err != nil || !created {
		return d, created, err
	}
	tx.Audit(ctx, actor, "expenditure.document_add", "expenditure", expenditureID, map[string]any{
		"document_id": d.ID, "name": d.Name, "content_type": d.ContentType, "size": d.Size, "sha256": d.SHA256,
	})
	return d, true, nil
}

// ExpenditureDocuments lists the documents of an expenditure, oldest first.
// It returns ENOTFOUND for an expenditure the actor cannot see and
// EFORBIDDEN for the roles that do not see evidence.
func (s *Store) ExpenditureDocuments(ctx context.Context, actor taahod.Actor, expenditureID int64) ([]Document, error) {
	if err := s.checkEvidenceReader(ctx, actor, expenditureID); err != nil {
		return nil, err
	}
	docs := []Document{}
	err := s.DB.SelectContext(ctx, &docs, `SELECT d.expenditure_id, `+documentColumns+`
		FROM expenditure_documents d WHERE d.expenditure_id = $1 ORDER BY d.id`, expenditureID)
	return docs, database.MapError(err)
}

// ExpenditureDocument returns one document with its content. It returns
// ENOTFOUND for an unknown document or an expenditure the actor cannot see,
// and EFORBIDDEN for the roles that do not see evidence.
func (s *Store) ExpenditureDocument(ctx context.Context, actor taahod.Actor, expenditureID, documentID int64) (Document, error) {
	if err := s.checkEvidenceReader(ctx, actor, expenditureID); err != nil {
		return Document{}, err
	}
	var d Document
	err := s.DB.GetContext(ctx, &d, `SELECT d.expenditure_id, `+documentColumns+`, d.content
		FROM expenditure_documents d WHERE d.expenditure_id = $1 AND d.id = $2`, expenditureID, documentID)
	return d, database.NotFound(err, "document", documentID)
}

// SeesEvidence reports whether the actor's role may read expenditures'
// evidence documents: invoices carry the unit's tax identity, so the
// education officers and the secretariat do not.
func SeesEvidence(actor taahod.Actor) bool {
	return actor.Is(taahod.RoleAdmin, taahod.RoleTaxOfficer, taahod.RoleAuditor, taahod.RoleAccountant)
}

func (s *Store) checkEvidenceReader(ctx context.Context, actor taahod.Actor, expenditureID int64) error {
	if !SeesEvidence(actor) {
		return taahod.Errorf(taahod.EFORBIDDEN, "your role does not see expenditures' evidence")
	}
	var unitID int64
	err := s.DB.GetContext(ctx, &unitID, `SELECT unit_id FROM expenditures WHERE id = $1`, expenditureID)
	if err != nil || !actor.CanSeeUnit(unitID) {
		return database.NotFound(orNoRows(err), "expenditure", expenditureID)
	}
	return nil
}

// AddProgressDocument attaches a photo or document to a school's progress
// report; the same file twice is one document (created false). It returns
// ENOTFOUND for an unknown report and the errors of NewDocument.Validate.
func (s *Store) AddProgressDocument(ctx context.Context, actor taahod.Actor, schoolID, progressID int64, in NewDocument) (Document, bool, error) {
	if err := in.Validate(); err != nil {
		return Document{}, false, err
	}
	var (
		d       Document
		created bool
	)
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var found bool
		if err := tx.GetContext(ctx, &found, `SELECT EXISTS (SELECT 1 FROM school_progress WHERE id = $1 AND school_id = $2)`,
			progressID, schoolID); err != nil {
			return err
		}
		if !found {
			return taahod.Errorf(taahod.ENOTFOUND, "progress report %d of school %d not found", progressID, schoolID)
		}
		var err error
		if d, created, err = storeDocument(ctx, tx, actor, progressDocuments, progressID, in); err != nil || !created {
			return err
		}
		tx.Audit(ctx, actor, "school.progress_document_add", "school", schoolID, map[string]any{
			"progress_id": progressID, "document_id": d.ID, "name": d.Name, "content_type": d.ContentType,
			"size": d.Size, "sha256": d.SHA256,
		})
		return nil
	})
	return d, created, err
}

// ProgressDocument returns one document of a progress report with its
// content. It returns ENOTFOUND when the school, report and document do not
// belong together.
func (s *Store) ProgressDocument(ctx context.Context, schoolID, progressID, documentID int64) (Document, error) {
	var d Document
	err := s.DB.GetContext(ctx, &d, `
		SELECT d.progress_id, `+documentColumns+`, d.content
		  FROM school_progress_documents d JOIN school_progress r ON r.id = d.progress_id
		 WHERE d.id = $1 AND d.progress_id = $2 AND r.school_id = $3`, documentID, progressID, schoolID)
	return d, database.NotFound(err, "document", documentID)
}

// orNoRows turns a nil error (a row found but out of the actor's scope) into
// sql.ErrNoRows, so that database.NotFound answers the same for both.
func orNoRows(err error) error {
	if err == nil {
		return sql.ErrNoRows
	}
	return err
}

// nullID is a user id for a nullable column: the system actor has none.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
