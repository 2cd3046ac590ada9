package certificate

import "flag"

// sampleOut, when set, is a folder where the QR tests write the scans they
// read, to look at. They read the certificates back with internal/pdftest's
// tools (pdftoppm, zbarimg).
var sampleOut = flag.String("sample-out", "", "write the scanned QR images to this folder")
