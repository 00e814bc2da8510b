package trust

import (
	"reflect"
	"strings"
	"testing"
)

func members(ids ...string) []Member {
	out := make([]Member, len(ids))
	for i, id := range ids {
		out[i] = Member{ID: id, Organisation: "Org" + id}
	}
	return out
}

func TestNewTableRefusesBadMembers(t *testing.T) {
	p := DefaultParams()
	if _, err := NewTable(p, []Member{{ID: "a"}, {ID: "a"}}); err == nil || !strings.Contains(err.Error(), `"a" is listed twice`) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := NewTable(p, []Member{{ID: ""}}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty id: %v", err)
	}
	if _, err := NewTable(p, []Member{{ID: "a", Prior: Scale + 1}}); err == nil || !strings.Contains(err.Error(), `member "a": prior`) {
		t.Errorf("prior: %v", err)
	}
	bad := p
	bad.Decay = -1
	if _, err := NewTable(bad, nil); err == nil || !strings.HasPrefix(err.Error(), "decay") {
		t.Errorf("params: %v", err)
	}
}

func TestPeriodUsesTrustFromTheStartOfThePeriod(t *testing.T) {
	p := DefaultParams()
	ms := members("a", "b", "c")
	ms[0].Prior = Scale // a starts at 1/3
	tab, err := NewTable(p, ms)
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.Period([]Feedback{{"a", "b", Scale}, {"b", "c", Scale}}); err != nil {
		t.Fatal(err)
	}
	// b was rated by a (trust 333333, low band): r = 333333*2e6/2e6 = 333333 plus decayed prior 0.45/0.45.
	eb, _ := tab.Evidence("b")
	if eb.Positive[BandLow] != 450_000+333_333 || eb.Negative[BandLow] != 450_000 {
		t.Fatalf("b's evidence %+v", eb)
	}
	// c was rated by b, whose trust was 0 when the period began: no weight.
	ec, _ := tab.Evidence("c")
	if ec.Positive[BandLow] != 450_000 || ec.Negative[BandLow] != 450_000 {
		t.Fatalf("c's evidence %+v", ec)
	}
	tb, _ := tab.Trust("b")
	if want := int64(333_333) * Scale / (450_000 + 333_333 + 450_000 + 2*Scale); tb != want {
		t.Fatalf("b's trust %d, want %d", tb, want)
	}
}

func TestRefusedPeriodChangesNothing(t *testing.T) {
	p := DefaultParams()
	tab, _ := NewTable(p, members("a", "b"))
	before := tab.Snapshot()
	cases := map[string][]Feedback{
		`rater "x" is not a member`:            {{"a", "b", Scale}, {"x", "b", Scale}},
		`ratee "y" is not a member`:            {{"a", "y", Scale}},
		"cannot rate its own work":             {{"a", "a", Scale}},
		"feedback 1: score 1000001 is outside": {{"a", "b", 0}, {"b", "a", Scale + 1}},
	}
	for want, batch := range cases {
		err := tab.Period(batch)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
		if !reflect.DeepEqual(tab.Snapshot(), before) {
			t.Fatalf("%s: the table changed", want)
		}
		ea, _ := tab.Evidence("a")
		if ea.Positive[BandLow] != Scale/2 {
			t.Fatalf("%s: evidence decayed although the period was refused", want)
		}
	}
}

func TestAColludingRingOfMediumTrustStaysAtMostMedium(t *testing.T) {
	p := DefaultParams()
	ms := members("r1", "r2", "r3", "r4", "target")
	for i := range ms {
		ms[i].Prior = Scale
	}
	tab, _ := NewTable(p, ms)
	for period := 0; period < 20; period++ {
		var batch []Feedback
		for _, a := range ms {
			for _, b := range ms {
				if a.ID != b.ID && a.ID != "target" {
					for k := 0; k < 5; k++ {
						batch = append(batch, Feedback{a.ID, b.ID, Scale})
					}
				}
			}
		}
		if err := tab.Period(batch); err != nil {
			t.Fatal(err)
		}
		for _, e := range tab.Snapshot() {
			if e.Trust > 500_000 {
				t.Fatalf("period %d: %s reached %d (%s)", period, e.ID, e.Trust, e.Level)
			}
		}
	}
	if got, _ := tab.Trust("target"); got != 500_000 {
		t.Fatalf("the ring should fill the low band's cap exactly: %d", got)
	}
}

func TestSnapshotIsOrderedWithLevels(t *testing.T) {
	tab, _ := NewTable(DefaultParams(), []Member{{ID: "z", Prior: Scale}, {ID: "a", Prior: -Scale}})
	got := tab.Snapshot()
	want := []Entry{{"a", -333_333, MediumDistrust}, {"z", 333_333, MediumTrust}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("snapshot %+v", got)
	}
}
