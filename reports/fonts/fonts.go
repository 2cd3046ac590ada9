// Package fonts embeds the typefaces that Taahod draws its Persian documents
// with: Vazirmatn Regular and Bold (v33.0.3), under the SIL Open Font License 1.1.
package fonts

import _ "embed"

// Regular is the Vazirmatn Regular TrueType font, as shipped in the vazirmatn
// npm package 33.0.3 (fonts/ttf/Vazirmatn-Regular.ttf).
//
//go:embed Vazirmatn-Regular.ttf
var Regular []byte

// Bold is the Vazirmatn Bold TrueType font, as shipped in the vazirmatn npm
// package 33.0.3 (fonts/ttf/Vazirmatn-Bold.ttf).
//
//go:embed Vazirmatn-Bold.ttf
var Bold []byte

// License is the text of the SIL Open Font License 1.1 under which Vazirmatn
// is distributed. The licence requires it to travel with the fonts, so any
// binary that embeds Regular or Bold carries it too.
//
//go:embed OFL.txt
var License string
