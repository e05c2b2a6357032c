package flag

import (
	"math"
	"slices"
)

// The outlier statistic works on the natural logarithm of costs, in
// float64. Floats are fine here and only here: they compare ratios for a
// review hint and never become an amount that is summed, stored or billed.
//
// Robust z-score: z = (ln x − median) / (1.4826 · MAD), where median and MAD
// (median absolute deviation) are those of ln x over the group. 1.4826·MAD
// estimates the standard deviation of normal data, but a few wild values
// cannot move it, unlike mean and standard deviation. Logarithms make the
// score a ratio: usage spans orders of magnitude between small and large
// projects, and "6 times the usual spread" should mean the same for both.

// madScale turns a MAD into a standard-deviation estimate for normal data.
const madScale = 1.4826

// Minimum spreads (in ln units) so that a group whose values are nearly all
// equal (a rate card: every GPU-hour lists at 2.50) does not make a cent of
// rounding an outlier. With z = 6 a unit price must be off by more than
// e^(6·0.05) ≈ 1.35× and a PI's total by more than e^(6·0.25) ≈ 4.5×.
const (
	minSpreadUnit  = 0.05
	minSpreadTotal = 0.25
)

// robust is the centre and spread of a group's ln values.
type robust struct {
	median, spread float64
}

// newRobust computes median and scaled MAD of vals (which it reorders).
func newRobust(vals []float64, minSpread float64) robust {
	med := median(vals)
	dev := make([]float64, len(vals))
	for i, v := range vals {
		dev[i] = math.Abs(v - med)
	}
	s := madScale * median(dev)
	if s < minSpread {
		s = minSpread
	}
	return robust{median: med, spread: s}
}

// z is the robust z-score of a ln value.
func (r robust) z(lnx float64) float64 { return (lnx - r.median) / r.spread }

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
