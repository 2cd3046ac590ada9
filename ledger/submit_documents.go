package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// MaxSubmissionDocuments bounds how many files one submission carries.
const MaxSubmissionDocuments = 10

// SubmitExpenditureWithDocuments submits an expenditure and attaches its
// evidence files in one transaction: either the expenditure and every file
// are kept, or nothing is. It serves a form that sends both at once (the
// web pages); the API submits and uploads in separate requests
// (SubmitExpenditure, AddExpenditureDocument), with the same rules.
//
// Every file is checked (NewDocument.Validate) before anything is written;
// the first file refused is returned as its error, its message naming the
// file by its place and name, with the field "documents" (a file over
// MaxDocumentSize has the field code file_too_large). The same file
// twice is kept once. It returns SubmitExpenditure's errors, and EINVALID
// (field documents, code too_many_files) for more than MaxSubmissionDocuments
// files.
func (s *Store) SubmitExpenditureWithDocuments(ctx context.Context, actor taahod.Actor, in NewExpenditure, docs []NewDocument) (Expenditure, []Document, error) {
	now := s.DB.Now().UTC().Truncate(time.Microsecond)
	if err := in.Validate(taahod.Today(now)); err != nil {
		return Expenditure{}, nil, err
	}
	if len(docs) > MaxSubmissionDocuments {
		return Expenditure{}, nil, taahod.Invalid("documents", "too_many_files",
			fmt.Sprintf("at most %d files go with one submission; add the rest to the expenditure afterwards", MaxSubmissionDocuments))
	}
	docs = append([]NewDocument(nil), docs...)
	for i := range docs {
		if err := docs[i].Validate(); err != nil {
			return Expenditure{}, nil, documentRefused(i, docs[i].Name, err)
		}
	}
	if !actor.Is(taahod.RoleAccountant) && len(docs) > 0 {
		return Expenditure{}, nil, taahod.Errorf(taahod.EFORBIDDEN, "only the unit's accountant adds evidence")
	}
	var (
		e    Expenditure
		kept []Document
	)
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		e = Expenditure{PledgeID: in.PledgeID, Amount: in.amount, SpentOn: in.spentOn, FiscalYear: in.spentOn.FiscalYear(),
			InvoiceNo: in.InvoiceNo, VendorName: in.VendorName, VendorNationalID: in.VendorNationalID, Category: in.Category,
			Description: in.Description, Status: StatusSubmitted, SubmittedBy: UserRef{ID: actor.UserID, FullName: actor.DisplayName()},
			SubmittedAt: tx.Now, CreatedAt: tx.Now, UpdatedAt: tx.Now, Reviews: []ReviewRound{}}
		err := tx.QueryRowxContext(ctx, submitInTxSQL, submitValues(actor, &in, tx.Now)...).
			Scan(&e.ID, &e.UnitID, &e.SchoolID, &e.ExceedsPledge)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return s.whyNotSubmitted(ctx, actor, &in)
		case err != nil:
			return duplicateInvoice(err)
		}
		tx.Audit(ctx, actor, "expenditure.submit", "expenditure", e.ID, in.auditChanges())
		kept = make([]Document, 0, len(docs))
		for _, doc := range docs {
			d, created, err := addExpenditureDocument(ctx, tx, actor, e.ID, doc)
			if err != nil {
				return err
			}
			if created { // the same file twice in one submission is kept once
				kept = append(kept, d)
			}
		}
		return nil
	})
	if err != nil {
		return Expenditure{}, nil, err
	}
	return e, kept, nil
}

// documentRefused is a file's refusal as a submission reports it: the
// file's own code, its message naming the file, the field "documents".
func documentRefused(i int, name string, err error) error {
	var te *taahod.Error
	if !errors.As(err, &te) {
		return err
	}
	out := &taahod.Error{Code: te.Code, Message: fmt.Sprintf("file %d (%q): %s", i+1, name, te.Message)}
	for _, f := range te.Fields {
		out.Fields = append(out.Fields, taahod.FieldError{Field: "documents", Code: f.Code, Message: f.Message})
	}
	if len(out.Fields) == 0 {
		code := te.Code
		if code == taahod.ETOOLARGE {
			code = "file_too_large"
		}
		out.Fields = []taahod.FieldError{{Field: "documents", Code: code, Message: te.Message}}
	}
	return out
}
