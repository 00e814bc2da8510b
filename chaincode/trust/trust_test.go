package trust

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultParamsAreValid(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateNamesTheBadParameter(t *testing.T) {
	cases := map[string]func(*Params){
		"sameOrgFactor": func(p *Params) { p.SameOrgFactor = Scale + 1 },
		"decay":         func(p *Params) { p.Decay = 0 },
		"priorWeight":   func(p *Params) { p.PriorWeight = -1 },
		"bandCaps[1]":   func(p *Params) { p.BandCaps[1] = MaxEvidence + 1 },
	}
	for name, mutate := range cases {
		p := DefaultParams()
		mutate(&p)
		err := p.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), name) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestLevelBoundaries(t *testing.T) {
	cases := []struct {
		t    int64
		want Level
	}{
		{Scale, VeryHighTrust}, {750_001, VeryHighTrust}, {750_000, HighTrust}, {500_001, HighTrust},
		{500_000, MediumTrust}, {250_001, MediumTrust}, {250_000, LowTrust}, {0, LowTrust},
		{-249_999, LowTrust}, {-250_000, MediumDistrust}, {-499_999, MediumDistrust},
		{-500_000, HighDistrust}, {-749_999, HighDistrust}, {-750_000, VeryHighDistrust}, {-Scale, VeryHighDistrust},
	}
	for _, c := range cases {
		if got := LevelOf(c.t); got != c.want {
			t.Errorf("LevelOf(%d) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestBands(t *testing.T) {
	cases := map[int64]int{-Scale: BandLow, 0: BandLow, 500_000: BandLow, 500_001: BandHigh, 750_000: BandHigh, 750_001: BandVeryHigh, Scale: BandVeryHigh}
	for trust, want := range cases {
		if got := Band(trust); got != want {
			t.Errorf("Band(%d) = %d, want %d", trust, got, want)
		}
	}
}

func TestTrustValues(t *testing.T) {
	p := DefaultParams()
	var e Evidence
	if got := e.Trust(p); got != 0 {
		t.Fatalf("no evidence: %d", got)
	}
	if err := e.AddPrior(Scale, p); err != nil {
		t.Fatal(err)
	}
	// r = 1, s = 0: 1/3
	if got := e.Trust(p); got != 333_333 {
		t.Fatalf("prior 1.0: %d", got)
	}
	var n Evidence
	if err := n.AddFeedback("a", "b", -Scale, Scale, false, p); err != nil {
		t.Fatal(err)
	}
	// r = 0, s = 1: -1/3 truncated toward zero, not floored to -333334
	if got := n.Trust(p); got != -333_333 {
		t.Fatalf("one negative feedback: %d", got)
	}
	if n.Negative[BandVeryHigh] != Scale || n.Positive[BandVeryHigh] != 0 {
		t.Fatalf("evidence landed in the wrong band: %+v", n)
	}
}

func TestWeightClipsAndDiscounts(t *testing.T) {
	p := DefaultParams()
	if w := Weight(-300_000, false, p); w != 0 {
		t.Errorf("distrusted rater weight %d", w)
	}
	if w := Weight(800_000, true, p); w != 400_000 {
		t.Errorf("same-organisation weight %d", w)
	}
	var e Evidence
	if err := e.AddFeedback("a", "b", Scale, 800_000, true, p); err != nil {
		t.Fatal(err)
	}
	if e.Positive[BandVeryHigh] != 400_000 || e.Negative[BandVeryHigh] != 0 {
		t.Fatalf("evidence %+v", e)
	}
	// a score of 0 splits the weight evenly; 0.6 splits it 0.8/0.2
	var m Evidence
	_ = m.AddFeedback("a", "b", 0, 600_000, false, p)
	_ = m.AddFeedback("c", "b", 600_000, 600_000, false, p)
	if m.Positive[BandHigh] != 300_000+480_000 || m.Negative[BandHigh] != 300_000+120_000 {
		t.Fatalf("evidence %+v", m)
	}
}

func TestRefusals(t *testing.T) {
	p := DefaultParams()
	var e Evidence
	if err := e.AddFeedback("a", "a", Scale, Scale, false, p); !errors.Is(err, ErrSelfRating) {
		t.Errorf("self rating: %v", err)
	}
	if err := e.AddFeedback("a", "b", Scale+1, Scale, false, p); err == nil || !strings.Contains(err.Error(), "score") {
		t.Errorf("score out of range: %v", err)
	}
	if err := e.AddFeedback("a", "b", 0, -Scale-1, false, p); err == nil || !strings.Contains(err.Error(), "rater trust") {
		t.Errorf("rater trust out of range: %v", err)
	}
	if err := e.AddPrior(2*Scale, p); err == nil || !strings.Contains(err.Error(), "prior") {
		t.Errorf("prior out of range: %v", err)
	}
	if e != (Evidence{}) {
		t.Errorf("refused input changed the evidence: %+v", e)
	}
}

func TestLowBandIsCappedAtMediumTrust(t *testing.T) {
	p := DefaultParams()
	var e Evidence
	for i := 0; i < 1000; i++ {
		_ = e.AddFeedback("ring", "target", Scale, 500_000, false, p)
	}
	if got := e.Trust(p); got != 500_000 {
		t.Fatalf("a flood of medium-trust praise gives %d, want exactly 500000", got)
	}
	var bad Evidence
	for i := 0; i < 1000; i++ {
		_ = bad.AddFeedback("ring", "target", -Scale, 250_000, false, p)
	}
	if got := bad.Trust(p); got != -500_000 {
		t.Fatalf("a flood of low-trust blame gives %d, want exactly -500000", got)
	}
	// high-trust raters lift further, to (2+6)/10
	for i := 0; i < 1000; i++ {
		_ = e.AddFeedback("h", "target", Scale, 700_000, false, p)
	}
	if got := e.Trust(p); got != 800_000 {
		t.Fatalf("with high-trust praise: %d, want 800000", got)
	}
}

func TestDecayAndSaturation(t *testing.T) {
	p := DefaultParams()
	e := Evidence{Positive: [bandCount]int64{Scale, 0, 3}}
	e.Decay(p)
	if e.Positive[BandLow] != 900_000 || e.Positive[BandVeryHigh] != 2 {
		t.Fatalf("decay: %+v", e)
	}
	var s Evidence
	for i := 0; i < 1100; i++ {
		_ = s.AddFeedback("a", "b", Scale, Scale, false, p)
	}
	if s.Positive[BandVeryHigh] != MaxEvidence {
		t.Fatalf("saturation: %d", s.Positive[BandVeryHigh])
	}
	// the very-high band is capped at 20: r = 20, s = 0 gives 20/22
	if got := s.Trust(p); got != 909_090 {
		t.Fatalf("trust at saturation: %d", got)
	}
}
