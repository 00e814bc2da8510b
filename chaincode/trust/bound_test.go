package trust

import (
	"reflect"
	"testing"
)

// One rater rating one ratee a dozen times in a period used to add a dozen
// units of its weight; now it adds one, at the mean score.
func TestARaterSpendsOneUnitOfWeightPerRateePerPeriod(t *testing.T) {
	once, err := NewTable(DefaultParams(), members("a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	many, _ := NewTable(DefaultParams(), members("a", "b"))
	var dozen []Feedback
	for i := 0; i < 12; i++ {
		dozen = append(dozen, Feedback{Rater: "a", Ratee: "b", Score: Scale})
	}
	if err := once.Period([]Feedback{{Rater: "a", Ratee: "b", Score: Scale}}); err != nil {
		t.Fatal(err)
	}
	if err := many.Period(dozen); err != nil {
		t.Fatal(err)
	}
	e1, _ := once.Evidence("b")
	e12, _ := many.Evidence("b")
	if e1 != e12 {
		t.Fatalf("twelve ratings %+v, one rating %+v", e12, e1)
	}
}

func TestCombineTakesTheMeanPerPairInFirstOrder(t *testing.T) {
	got := Combine([]Feedback{
		{Rater: "a", Ratee: "b", Score: 1},
		{Rater: "c", Ratee: "b", Score: -Scale},
		{Rater: "a", Ratee: "b", Score: 2},
		{Rater: "a", Ratee: "c", Score: 5},
		{Rater: "c", Ratee: "b", Score: 0},
	})
	want := []Feedback{
		{Rater: "a", Ratee: "b", Score: 1}, // 3/2 rounds toward zero
		{Rater: "c", Ratee: "b", Score: -Scale / 2},
		{Rater: "a", Ratee: "c", Score: 5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Combine = %+v", got)
	}
	if got := Combine([]Feedback{{Rater: "a", Ratee: "b", Score: -3}, {Rater: "a", Ratee: "b", Score: 0}}); got[0].Score != -1 {
		t.Fatalf("-3/2 = %d, want -1 (toward zero)", got[0].Score)
	}
	if got := Combine(nil); got == nil || len(got) != 0 {
		t.Fatalf("Combine(nil) = %#v", got)
	}
}

// The very-high band is capped too: no amount of very-high praise lifts a
// member above (2+6+20)/(2+6+20+2).
func TestEveryBandIsCapped(t *testing.T) {
	p := DefaultParams()
	e := Evidence{Positive: [bandCount]int64{MaxEvidence, MaxEvidence, MaxEvidence}}
	if got, want := e.Trust(p), int64(28*Scale*Scale/(30*Scale)); got != want {
		t.Fatalf("trust %d, want %d", got, want)
	}
	p.BandCaps[BandVeryHigh] = 0
	if err := p.Validate(); err == nil || err.Error() != "bandCaps[2] 0 is outside [1, 1000000000]: every band of rater trust is capped" {
		t.Fatalf("uncapped band: %v", err)
	}
}
