package fa

// Run is a stretch of one line that a right-to-left paragraph lays out in
// one direction: RTL runs are drawn reversed (and their brackets mirrored),
// the others — Latin text and numbers — in their own order.
type Run struct {
	// Text is the run in logical (reading) order, unshaped, without the
	// bidi controls that Visual removes.
	Text string
	// RTL is set for a right-to-left run.
	RTL bool
}

// Runs splits one line, in logical order, into the runs Visual lays out:
// the same direction rules, applied to the unshaped text. Drawn from right to
// left in the order returned, each run as Visual(Shape(run.Text)), the runs
// make up Visual(Shape(line)); a PDF can so tell, run by run, which logical
// text each stretch of glyphs shows (see reports' ActualText).
func Runs(line string) []Run {
	rs, cs := clusters(line)
	resolveDirections(cs)
	var out []Run
	for i := 0; i < len(cs); {
		rtl := cs[i].dir == dirRTL
		j := i
		for j < len(cs) && (cs[j].dir == dirRTL) == rtl {
			j++
		}
		out = append(out, Run{Text: string(rs[cs[i].start:cs[j-1].end]), RTL: rtl})
		i = j
	}
	return out
}
