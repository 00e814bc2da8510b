// Package trust is bcmlp's trust rule: beta reputation in fixed-point integers,
// so that every endorsing peer computes the same value to the last digit.
//
// The rule (README "Trust rule" gives the reasons):
//
//   - Values are fixed-point with Scale = 1e6: a trust or score of 1.0 is 1_000_000.
//   - A member's evidence is positive (r) and negative (s) amounts, kept per
//     band of the rater's trust: BandLow for raters at most medium trust
//     (t <= 0.5), BandHigh for high trust (0.5 < t <= 0.75) and BandVeryHigh
//     for very high trust (t > 0.75). The member's attribute-based prior is
//     pseudo-evidence in BandLow.
//   - Feedback f in [-1, 1] from rater k adds w*(1+f)/2 to r and w*(1-f)/2 to s
//     of the rater's band, where w is the rater's trust clipped at zero, times
//     Params.SameOrgFactor when rater and ratee share an organisation. No one
//     rates themselves.
//   - A rater spends at most one unit of its weight on one ratee per period:
//     all its ratings of that ratee in the period count as one, at their mean
//     score (Combine).
//   - Trust is (R - S) / (R + S + 2), where R and S sum the bands' evidence,
//     each band's r and s first capped at Params.BandCaps. With caps of 2 for
//     BandLow, 6 for BandHigh and 20 for BandVeryHigh, raters of at most
//     medium trust cannot lift a member above 0.5 (medium trust) or push one
//     below -0.5, nor can their ring lift itself out of BandLow; raters of
//     high trust reach at most (2+6)/(2+6+2) = 0.8, and nobody more than
//     (2+6+20)/(2+6+20+2) = 0.93.
//   - Each aggregation period multiplies all evidence by Params.Decay.
//
// Divisions of non-negative values round down; the one signed division (the
// trust quotient) rounds toward zero. Stored evidence saturates at MaxEvidence
// per band so that no product can overflow int64.
package trust

import (
	"errors"
	"fmt"
)

// Scale is the fixed-point unit: 1.0 is represented as Scale.
const Scale int64 = 1_000_000

// MaxEvidence bounds each stored band amount (1000 units of evidence), far
// above every cap, so that (R-S)*Scale stays inside int64.
const MaxEvidence int64 = 1000 * Scale

// Bands of rater trust. The order is fixed: it is the order of Evidence's arrays.
const (
	BandLow = iota
	BandHigh
	BandVeryHigh
	bandCount
)

// Params are the channel-level parameters of the rule, all fixed-point.
type Params struct {
	// SameOrgFactor multiplies the weight of a rater from the ratee's organisation.
	SameOrgFactor int64 `json:"sameOrgFactor"`
	// Decay multiplies all evidence once per aggregation period.
	Decay int64 `json:"decay"`
	// PriorWeight is the amount of pseudo-evidence a prior stands for.
	PriorWeight int64 `json:"priorWeight"`
	// BandCaps cap each band's r and s when trust is computed; every band is
	// capped, so that no group of raters lifts anyone without bound.
	BandCaps [bandCount]int64 `json:"bandCaps"`
}

// DefaultParams are the parameters a new consortium starts with.
func DefaultParams() Params {
	return Params{
		SameOrgFactor: Scale / 2,
		Decay:         900_000,
		PriorWeight:   Scale,
		BandCaps:      [bandCount]int64{2 * Scale, 6 * Scale, 20 * Scale},
	}
}

// Validate reports the first parameter outside its range, naming it.
func (p Params) Validate() error {
	if p.SameOrgFactor < 0 || p.SameOrgFactor > Scale {
		return fmt.Errorf("sameOrgFactor %d is outside [0, %d]", p.SameOrgFactor, Scale)
	}
	if p.Decay <= 0 || p.Decay > Scale {
		return fmt.Errorf("decay %d is outside (0, %d]", p.Decay, Scale)
	}
	if p.PriorWeight < 0 || p.PriorWeight > 10*Scale {
		return fmt.Errorf("priorWeight %d is outside [0, %d]", p.PriorWeight, 10*Scale)
	}
	for i, c := range p.BandCaps {
		if c < 1 || c > MaxEvidence {
			return fmt.Errorf("bandCaps[%d] %d is outside [1, %d]: every band of rater trust is capped", i, c, MaxEvidence)
		}
	}
	return nil
}

// Evidence is one member's evidence. Arrays, not maps, so that its JSON
// encoding is the same on every peer.
type Evidence struct {
	Positive [bandCount]int64 `json:"positive"`
	Negative [bandCount]int64 `json:"negative"`
}

// ErrSelfRating is returned for feedback a member gives on its own work.
var ErrSelfRating = errors.New("a member cannot rate its own work")

func checkUnit(name string, v int64) error {
	if v < -Scale || v > Scale {
		return fmt.Errorf("%s %d is outside [-%d, %d] (fixed-point, %d = 1.0)", name, v, Scale, Scale, Scale)
	}
	return nil
}

// Band returns the band of a rater with the given trust.
func Band(raterTrust int64) int {
	switch {
	case raterTrust > 750_000:
		return BandVeryHigh
	case raterTrust > 500_000:
		return BandHigh
	default:
		return BandLow
	}
}

// Weight is a rater's weight: its trust clipped at zero, discounted when it
// shares the ratee's organisation.
func Weight(raterTrust int64, sameOrg bool, p Params) int64 {
	if raterTrust <= 0 {
		return 0
	}
	if sameOrg {
		return raterTrust * p.SameOrgFactor / Scale
	}
	return raterTrust
}

func saturatingAdd(a, b int64) int64 {
	if a+b > MaxEvidence {
		return MaxEvidence
	}
	return a + b
}

// AddPrior adds a prior in [-1, 1] (from the member's certified attributes) as
// PriorWeight of pseudo-evidence in BandLow.
func (e *Evidence) AddPrior(prior int64, p Params) error {
	if err := checkUnit("prior", prior); err != nil {
		return err
	}
	e.Positive[BandLow] = saturatingAdd(e.Positive[BandLow], p.PriorWeight*(Scale+prior)/(2*Scale))
	e.Negative[BandLow] = saturatingAdd(e.Negative[BandLow], p.PriorWeight*(Scale-prior)/(2*Scale))
	return nil
}

// AddFeedback adds one feedback score in [-1, 1] given by a rater whose trust
// was raterTrust when the period began. rater and ratee are member ids.
func (e *Evidence) AddFeedback(rater, ratee string, score, raterTrust int64, sameOrg bool, p Params) error {
	if rater == ratee {
		return ErrSelfRating
	}
	if err := checkUnit("score", score); err != nil {
		return err
	}
	if err := checkUnit("rater trust", raterTrust); err != nil {
		return err
	}
	w := Weight(raterTrust, sameOrg, p)
	b := Band(raterTrust)
	e.Positive[b] = saturatingAdd(e.Positive[b], w*(Scale+score)/(2*Scale))
	e.Negative[b] = saturatingAdd(e.Negative[b], w*(Scale-score)/(2*Scale))
	return nil
}

// Decay applies one period's forgetting factor to all evidence.
func (e *Evidence) Decay(p Params) {
	for b := 0; b < bandCount; b++ {
		e.Positive[b] = e.Positive[b] * p.Decay / Scale
		e.Negative[b] = e.Negative[b] * p.Decay / Scale
	}
}

func capped(v, c int64) int64 {
	if v > c {
		return c
	}
	return v
}

// Trust is the member's trust in (-1, 1), fixed-point.
func (e Evidence) Trust(p Params) int64 {
	var r, s int64
	for b := 0; b < bandCount; b++ {
		r += capped(e.Positive[b], p.BandCaps[b])
		s += capped(e.Negative[b], p.BandCaps[b])
	}
	// Go's integer division truncates toward zero, which is the rule.
	return (r - s) * Scale / (r + s + 2*Scale)
}
