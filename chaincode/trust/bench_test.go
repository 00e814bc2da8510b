package trust

import (
	"fmt"
	"math/rand"
	"testing"
)

// BenchmarkPeriod times one aggregation period (Table.Period: the batch's
// checks, decay, Combine, weighing and the table's recomputation) of 10^4,
// 10^5 and 10^6 ratings among 1000 members of 10 organisations, rater and
// ratee drawn at random. bench/trust.py reads its ns/op for the trust rows of
// `make bench` (issue 13); the table is rebuilt outside the timer each time.
func BenchmarkPeriod(b *testing.B) {
	const members = 1000
	list := make([]Member, members)
	for i := range list {
		list[i] = Member{ID: fmt.Sprintf("member-%04d", i), Organisation: fmt.Sprintf("org-%d", i%10), Prior: int64(i%201-100) * Scale / 100}
	}
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		rng := rand.New(rand.NewSource(int64(n)))
		feedback := make([]Feedback, n)
		for i := range feedback {
			rater := rng.Intn(members)
			ratee := (rater + 1 + rng.Intn(members-1)) % members
			feedback[i] = Feedback{Rater: list[rater].ID, Ratee: list[ratee].ID, Score: rng.Int63n(2*Scale+1) - Scale}
		}
		b.Run(fmt.Sprintf("ratings=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				table, err := NewTable(DefaultParams(), list)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := table.Period(feedback); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
