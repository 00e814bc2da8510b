package registry

import (
	"encoding/json"
	"reflect"
	"testing"

	"bcmlp.local/chaincode/trust"
)

// A hundred periods without feedback used to decay every founder out of the
// committee, after which nothing could ever be approved again.
func TestTheCommitteeStillActsAfter100IdlePeriods(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	for i := 0; i < 100; i++ {
		w.apply(w.closePeriod())
	}
	seats, err := w.c.GetCommittee(w.as("f1"))
	if err != nil || len(seats) != 3 {
		t.Fatalf("committee after 100 idle periods: %+v %v", seats, err)
	}
	for _, s := range seats {
		// The prior's evidence has decayed to almost nothing (0.5 x 0.9^100,
		// rounded down each period); the genesis standing stopped at
		// FounderFloor: 6 / (6 + 2) = 0.75, high trust.
		want := trust.Evidence{Positive: [3]int64{9, 0, FounderFloor}, Negative: [3]int64{9, 0, 0}}
		if s.Evidence != want || s.Trust != 749_998 || s.Level != trust.HighTrust {
			t.Fatalf("seat %+v", s)
		}
	}
	reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
	w.approve(reqID, "f1", "f3")
	if m := w.member("ann"); m.Status != StatusActive {
		t.Fatalf("the committee could not approve an enrolment: %+v", m)
	}
}

// Should distrust and suspensions leave fewer than k trusted members of two
// organisations, the organisations' admins act as the committee.
func TestAdminsActWhenTooFewMembersAreTrusted(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.staff("a1", "a1", "Org1MSP", RoleAdmin)
	w.staff("a2", "a2", "Org2MSP", RoleAdmin)
	w.staff("co", "co", "Org2MSP", "company")
	before := w.state()
	w.refused(before, w.c.ApproveEnrolment(w.as("a1"), "tx-1"), `forged approval: member "a1" is not on the committee`)

	// Heavy negative feedback from the very-high band, as if the founders
	// had been found out: each falls to trust 0.
	for _, f := range []string{"f1", "f2", "f3"} {
		key := "\x00trust\x00" + f + "\x00"
		var r TrustRecord
		_ = json.Unmarshal(w.stub.State[key], &r)
		r.Evidence.Negative[trust.BandVeryHigh] = FounderEvidence
		raw, _ := json.Marshal(r)
		w.stub.State[key] = raw
	}
	seats, _ := w.c.GetCommittee(w.as("f1"))
	var ids []string
	for _, s := range seats {
		ids = append(ids, s.MemberID)
	}
	// Every active admin at or above the floor, most trusted first: the
	// fresh admins (trust 0) and the founders, also admins, now at 0 too.
	if want := []string{"a1", "a2", "f1", "f2", "f3"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("committee %v, want %v", ids, want)
	}
	reqID := w.enrol("ann", "ann", "Org3MSP", "company", `{"legalEntity":"Ann AG"}`)
	w.approve(reqID, "a1", "a2")
	if m := w.member("ann"); m.Status != StatusActive {
		t.Fatalf("ann %+v", m)
	}
	// The company member, not an admin, never sits on it.
	w.refused(w.state(), w.c.ApproveEnrolment(w.as("co"), reqID), `forged approval: member "co" is not on the committee`)
}
