package trust

import (
	"fmt"
	"sort"
)

// Member is a ratee or rater of the trust table.
type Member struct {
	ID           string `json:"id"`
	Organisation string `json:"organisation"`
	// Prior is the attribute-based prior in [-1, 1], fixed-point.
	Prior int64 `json:"prior"`
}

// Feedback is one rating given during a period.
type Feedback struct {
	Rater string `json:"rater"`
	Ratee string `json:"ratee"`
	Score int64  `json:"score"`
}

// Entry is one row of a trust table snapshot.
type Entry struct {
	ID    string `json:"id"`
	Trust int64  `json:"trust"`
	Level Level  `json:"level"`
}

// Table is the trust of a set of members across aggregation periods.
type Table struct {
	params   Params
	members  map[string]Member
	evidence map[string]*Evidence
	trust    map[string]int64
}

// NewTable starts a table whose members hold only their priors.
func NewTable(p Params, members []Member) (*Table, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	t := &Table{params: p, members: map[string]Member{}, evidence: map[string]*Evidence{}, trust: map[string]int64{}}
	for _, m := range members {
		if m.ID == "" {
			return nil, fmt.Errorf("member id is empty")
		}
		if _, dup := t.members[m.ID]; dup {
			return nil, fmt.Errorf("member %q is listed twice", m.ID)
		}
		e := &Evidence{}
		if err := e.AddPrior(m.Prior, p); err != nil {
			return nil, fmt.Errorf("member %q: %w", m.ID, err)
		}
		t.members[m.ID] = m
		t.evidence[m.ID] = e
		t.trust[m.ID] = e.Trust(p)
	}
	return t, nil
}

// Combine merges the ratings one rater gives one ratee in a batch into one,
// whose score is their mean (the sum divided by the count, rounded toward
// zero), so that a rater spends at most one unit of its weight on one ratee
// per period however many of its records it rates. The pairs keep the order
// of their first rating.
func Combine(feedback []Feedback) []Feedback {
	type pair struct{ rater, ratee string }
	type total struct {
		pair
		sum, count int64
	}
	// One map lookup per rating, into a map sized for the batch up front (growing it
	// took a third of a 10^6-rating period), and the totals in a slice in first-rating order.
	index := make(map[pair]int, len(feedback))
	totals := []total{}
	for _, f := range feedback {
		k := pair{f.Rater, f.Ratee}
		i, seen := index[k]
		if !seen {
			i = len(totals)
			index[k] = i
			totals = append(totals, total{pair: k})
		}
		totals[i].sum += f.Score
		totals[i].count++
	}
	out := make([]Feedback, len(totals))
	for i, t := range totals {
		// Go's integer division truncates toward zero, which is the rule.
		out[i] = Feedback{Rater: t.rater, Ratee: t.ratee, Score: t.sum / t.count}
	}
	return out
}

// Period runs one aggregation period: all evidence decays, then each rater's
// ratings of each ratee, combined into one (Combine), are weighed by the
// rater's trust as it stood when the period began, then the table is
// recomputed. The whole batch is checked first: a refused feedback leaves the
// table as it was.
func (t *Table) Period(feedback []Feedback) error {
	for i, f := range feedback {
		if _, ok := t.members[f.Rater]; !ok {
			return fmt.Errorf("feedback %d: rater %q is not a member", i, f.Rater)
		}
		if _, ok := t.members[f.Ratee]; !ok {
			return fmt.Errorf("feedback %d: ratee %q is not a member", i, f.Ratee)
		}
		if f.Rater == f.Ratee {
			return fmt.Errorf("feedback %d: %w (%s)", i, ErrSelfRating, f.Rater)
		}
		if err := checkUnit("score", f.Score); err != nil {
			return fmt.Errorf("feedback %d: %w", i, err)
		}
	}
	for _, e := range t.evidence {
		e.Decay(t.params)
	}
	for _, f := range Combine(feedback) {
		sameOrg := t.members[f.Rater].Organisation == t.members[f.Ratee].Organisation
		// Checked above, so AddFeedback cannot fail here.
		if err := t.evidence[f.Ratee].AddFeedback(f.Rater, f.Ratee, f.Score, t.trust[f.Rater], sameOrg, t.params); err != nil {
			panic(err)
		}
	}
	for id, e := range t.evidence {
		t.trust[id] = e.Trust(t.params)
	}
	return nil
}

// Trust returns a member's current trust and whether it is a member.
func (t *Table) Trust(id string) (int64, bool) {
	v, ok := t.trust[id]
	return v, ok
}

// Evidence returns a copy of a member's evidence.
func (t *Table) Evidence(id string) (Evidence, bool) {
	e, ok := t.evidence[id]
	if !ok {
		return Evidence{}, false
	}
	return *e, true
}

// Snapshot lists every member's trust and level, ordered by member id.
func (t *Table) Snapshot() []Entry {
	out := make([]Entry, 0, len(t.trust))
	for id, v := range t.trust {
		out = append(out, Entry{ID: id, Trust: v, Level: LevelOf(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
