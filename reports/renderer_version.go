package reports

import (
	"fmt"
	"strconv"
)

// RendererVersion is the layout new documents are rendered with. Each
// certificate records the version that rendered it, and everything that
// renders a stored certificate again — `taahod verify`, which compares the
// bytes with the stored PDF, and the annulled copy of a revoked or
// superseded one — renders it with that version, so that a change of layout
// is never taken for tampering. A version's code stays as long as
// certificates of that version may exist.
//
//   - 1: the first certificates. Text drawn without marked content, no
//     archival form (no XMP, /ID, /Lang or output intent), the watermark of
//     an annulled copy translucent over the content, the dates in UTC, and
//     right-to-left text wrapped by fa.Lines.
//   - 2: text in /ActualText spans that copy as they read (actual_text.go),
//     the PDF/A-2b form (pdfa.go), the watermark a light solid colour under
//     the content, the dates in Iran's time, and lines wrapped before they
//     are shaped.
const RendererVersion = 2

// checkRendererVersion refuses a version this renderer does not keep.
func checkRendererVersion(v int) error {
	if v < 1 || v > RendererVersion {
		return fmt.Errorf("renderer version %d is not one of 1 to %d", v, RendererVersion)
	}
	return nil
}

// creatorTool is the document's Creator and xmp:CreatorTool.
var creatorTool = "Taahod document renderer " + strconv.Itoa(RendererVersion)
