package registry

import (
	"reflect"
	"testing"

	"bcmlp.local/chaincode/trust"
)

// One unknown member used to block a whole snapshot (and with it the period):
// now each bad entry is rejected with its reason and the rest apply.
func TestOneBadEntryNeverBlocksASnapshot(t *testing.T) {
	w := trustWorld(t, "{}")
	w.setStatus("v1", "suspended", "audit")
	w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`) // pending: not in the trust table
	good := trust.Feedback{Rater: "f1", Ratee: "v2", Score: trust.Scale}
	entries := []trust.Feedback{
		{Rater: "zed", Ratee: "v2", Score: trust.Scale},
		good,
		{Rater: "f2", Ratee: "x509::CN=nobody,OU=client::CN=ca.Org1MSP", Score: 1},
		{Rater: "v1", Ratee: "v2", Score: trust.Scale},
		{Rater: "f3", Ratee: "v1", Score: -trust.Scale},
		{Rater: clientID("f2", "Org2MSP"), Ratee: "f2", Score: trust.Scale},
		{Rater: "f3", Ratee: "ann", Score: trust.Scale},
	}
	p := w.period(channelFeedback{"project-a", "f2", entries}, channelFeedback{"project-b", "f2", nil})
	applied, err := w.c.GetAppliedSnapshot(w.as("f1"), "project-a", p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Rejection{
		{Index: 0, Rater: "zed", Ratee: "v2", Score: trust.Scale, Reason: `rater "zed" is not a member of the trust table: only members that were ever active rate and are rated`},
		{Index: 2, Rater: "f2", Ratee: "x509::CN=nobody,OU=client::CN=ca.Org1MSP", Score: 1,
			Reason: `ratee "x509::CN=nobody,OU=client::CN=ca.Org1MSP" is not a member of the trust table: only members that were ever active rate and are rated`},
		{Index: 3, Rater: "v1", Ratee: "v2", Score: trust.Scale, Reason: `rater "v1" is suspended: ratings by and of suspended and revoked members do not count`},
		{Index: 4, Rater: "f3", Ratee: "v1", Score: -trust.Scale, Reason: `ratee "v1" is suspended: ratings by and of suspended and revoked members do not count`},
		{Index: 5, Rater: clientID("f2", "Org2MSP"), Ratee: "f2", Score: trust.Scale, Reason: "a member cannot rate its own work (f2)"},
		{Index: 6, Rater: "f3", Ratee: "ann", Score: trust.Scale, Reason: `ratee "ann" is not a member of the trust table: only members that were ever active rate and are rated`},
	}
	if applied.Feedback != 1 || !reflect.DeepEqual(applied.Rejected, want) {
		t.Fatalf("applied %d, rejected\n%+v\nwant\n%+v", applied.Feedback, applied.Rejected, want)
	}
	// Only f1's rating counted: v2 has its weight in the very-high band.
	if got := w.trustOf("v2").Evidence; got.Positive != [3]int64{450_000, 0, founderTrust} || got.Negative != [3]int64{450_000, 0, 0} {
		t.Fatalf("v2 evidence %+v", got)
	}
	// v1, suspended, only decayed.
	if got := w.trustOf("v1").Evidence; got.Positive != [3]int64{450_000, 0, 0} || got.Negative != [3]int64{450_000, 0, 0} {
		t.Fatalf("v1 evidence %+v", got)
	}
}

// A revoked member's ratings, submitted before the revocation, do not count.
func TestRevokedMembersRatingsDoNotCount(t *testing.T) {
	w := trustWorld(t, "{}")
	p := w.closePeriod()
	w.submit("f1", "project-a", p, trust.Feedback{Rater: "f3", Ratee: "v2", Score: trust.Scale})
	w.submit("f1", "project-b", p)
	w.setStatus("f3", "revoked", "key compromised")
	w.apply(p)
	applied, _ := w.c.GetAppliedSnapshot(w.as("f1"), "project-a", p)
	if applied.Feedback != 0 || len(applied.Rejected) != 1 || applied.Rejected[0].Reason != `rater "f3" is revoked: ratings by and of suspended and revoked members do not count` {
		t.Fatalf("applied %+v", applied)
	}
	if got := w.trustOf("v2").Evidence.Positive[trust.BandVeryHigh]; got != 0 {
		t.Fatalf("a revoked rater's weight counted: %d", got)
	}
}
