package ledger

import (
	"context"
	"fmt"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// AddProgressWithDocuments records a progress report and attaches its
// photos and documents in one transaction: either the report and every
// file are kept, or nothing is. It serves a form that sends both at once
// (the web pages); the API records the report and uploads its documents in
// separate requests (AddProgress, AddProgressDocument), with the same
// rules.
//
// Every file is checked (NewDocument.Validate) before anything is written;
// the first file refused is returned as its error with the field
// "documents", as SubmitExpenditureWithDocuments reports it. The same file
// twice is kept once. It returns AddProgress's errors, and EINVALID (field
// documents, code too_many_files) for more than MaxSubmissionDocuments
// files.
func (s *Store) AddProgressWithDocuments(ctx context.Context, actor taahod.Actor, schoolID int64, in NewProgress, docs []NewDocument) (Progress, error) {
	if err := in.Validate(s.today()); err != nil {
		return Progress{}, err
	}
	if len(docs) > MaxSubmissionDocuments {
		return Progress{}, taahod.Invalid("documents", "too_many_files",
			fmt.Sprintf("at most %d files go with one report; add the rest afterwards", MaxSubmissionDocuments))
	}
	docs = append([]NewDocument(nil), docs...)
	for i := range docs {
		if err := docs[i].Validate(); err != nil {
			return Progress{}, documentRefused(i, docs[i].Name, err)
		}
	}
	var r Progress
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		if r, err = addProgress(ctx, tx, actor, schoolID, &in); err != nil {
			return err
		}
		r.Documents = make([]Document, 0, len(docs))
		for _, doc := range docs {
			d, created, err := storeDocument(ctx, tx, actor, progressDocuments, r.ID, doc)
			if err != nil {
				return err
			}
			if !created { // the same file twice in one report is kept once
				continue
			}
			r.Documents = append(r.Documents, d)
			tx.Audit(ctx, actor, "school.progress_document_add", "school", schoolID, map[string]any{
				"progress_id": r.ID, "document_id": d.ID, "name": d.Name, "content_type": d.ContentType,
				"size": d.Size, "sha256": d.SHA256,
			})
		}
		return nil
	})
	if err != nil {
		return Progress{}, err
	}
	return r, nil
}
