package registry

import (
	"reflect"
	"sort"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"

	"bcmlp.local/chaincode/trust"
)

const submittedKeyA = "\x00submitted\x00project-a\x00"

// keyPolicy decodes key's key-level endorsement policy into the MSP ids it
// names (each as a peer) and the number of them it requires.
func keyPolicy(t *testing.T, w *world, key string) ([]string, int32) {
	t.Helper()
	raw := w.stub.ValidationParameters[key]
	if raw == nil {
		t.Fatalf("%q has no key-level endorsement policy", key)
	}
	var env common.SignaturePolicyEnvelope
	if err := proto.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	var msps []string
	for _, id := range env.Identities {
		var role msp.MSPRole
		if id.PrincipalClassification != msp.MSPPrincipal_ROLE || proto.Unmarshal(id.Principal, &role) != nil || role.Role != msp.MSPRole_PEER {
			t.Fatalf("principal %v is not an organisation's peer", id)
		}
		msps = append(msps, role.MspIdentifier)
	}
	rule := env.Rule.GetNOutOf()
	if rule == nil || len(rule.Rules) != len(msps) {
		t.Fatalf("rule %v is not an n-out-of over every principal", env.Rule)
	}
	for i, r := range rule.Rules {
		if r.GetSignedBy() != int32(i) {
			t.Fatalf("rule %d is %v", i, r)
		}
	}
	sort.Strings(msps)
	return msps, rule.N
}

// A project of a minority of organisations could never be aggregated: the
// registry re-read its snapshot by a cross-channel query on mainchain peers,
// a majority of which had not joined the channel. Now the project's snapshot
// record carries a key-level endorsement policy naming exactly the
// project's organisations, whose peers have joined the channel and check
// the snapshot there; SubmitTrustSnapshot writes nothing else, so the
// channel's majority policy does not apply to it.
func TestProjectSnapshotRecordIsEndorsedByExactlyTheProjectsOrganisations(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.viewer("v1", "v1", "Org1MSP")
	reqID, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org4MSP", "Four", oneDoc)
	w.ok(err)
	w.approve(reqID, "f2", "f3")
	// Org1MSP and Org4MSP: a minority of the four organisations.
	w.register("project-a", "Org4MSP", "Org1MSP")
	msps, n := keyPolicy(t, w, submittedKeyA)
	if !reflect.DeepEqual(msps, []string{"Org1MSP", "Org4MSP"}) || n != 2 {
		t.Fatalf("policy names %v, %d required", msps, n)
	}
	if len(w.stub.ValidationParameters) != 1 {
		t.Fatalf("key-level policies on %d keys: only the snapshot record has one", len(w.stub.ValidationParameters))
	}

	p := w.closePeriod()
	raw := snapshotOf("project-a", p, trust.Feedback{Rater: "f1", Ratee: "v1", Score: trust.Scale})
	w.setSnapshot("project-a", p, raw)
	before := copyState(w.stub.State)
	w.ok(w.c.SubmitTrustSnapshot(w.as("f1"), "project-a", p, raw))
	if changed := changedKeys(before, w.stub.State); !reflect.DeepEqual(changed, []string{submittedKeyA}) {
		t.Fatalf("SubmitTrustSnapshot wrote %q, want only the project's snapshot record", changed)
	}
	if got, _ := keyPolicy(t, w, submittedKeyA); !reflect.DeepEqual(got, msps) {
		t.Fatalf("the submission changed the policy: %v", got)
	}
	// ApplyPeriod, endorsed by the channel's majority, never writes it.
	before = copyState(w.stub.State)
	w.apply(p)
	for _, k := range changedKeys(before, w.stub.State) {
		if k == submittedKeyA {
			t.Fatal("ApplyPeriod wrote the project's snapshot record")
		}
	}
	if row := w.trustOf("v1"); row.Evidence.Positive[trust.BandVeryHigh] == 0 {
		t.Fatalf("the minority project's snapshot did not apply: %+v", row)
	}
}

func copyState(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// changedKeys lists, sorted, the keys whose value differs between before and after.
func changedKeys(before, after map[string][]byte) []string {
	var out []string
	for k, v := range after {
		if string(before[k]) != string(v) {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
