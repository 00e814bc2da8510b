package registry

import (
	"bcmlp.local/chaincode/internal/identity"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"

	"bcmlp.local/chaincode/internal/fabrictest"
	"bcmlp.local/chaincode/trust"
)

const t1 = "2025-03-01T09:30:03.123456789Z" // the timestamp of genesis, a world's third call (a proposal and two confirmations)

func TestNewContractName(t *testing.T) {
	if got := NewContract().GetName(); got != "registry" {
		t.Fatalf("contract name = %q, want %q", got, "registry")
	}
}

func TestInitConsortiumRecordsFoundersAtVeryHighTrust(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")

	want := map[string]string{
		"\x00parameters\x00": `{"version":1,"params":{"committeeSize":7,"approvals":2,"trustFloor":0,"periodSeconds":86400,"trust":{"sameOrgFactor":500000,"decay":900000,"priorWeight":1000000,"bandCaps":[2000000,6000000,20000000]}},"proposalId":"","changedAt":"` + t1 + `"}`,
		"\x00trustclock\x00": `{"latestPeriod":0,"updatedAt":"","openPeriod":1,"openedAt":"` + t1 + `"}`,
		"\x00member\x00f1\x00": `{"id":"f1","mspId":"Org1MSP","identity":"x509::CN=f1,OU=client::CN=ca.Org1MSP","role":"admin","organisation":"Org1MSP",` +
			`"status":"active","attributes":{},"documents":[],"requestId":"","founder":true,"createdAt":"` + t1 + `","updatedAt":"` + t1 + `","statusReason":""}`,
		"\x00trust\x00f1\x00":                                                 `{"memberId":"f1","evidence":{"positive":[500000,0,20000000],"negative":[500000,0,0]},"weight":869565,"floor":6000000}`,
		"\x00organisation\x00Org2MSP\x00":                                     `{"mspId":"Org2MSP","name":"Org Two AG","status":"approved","founding":true,"requestId":"","createdAt":"` + t1 + `","decidedAt":"` + t1 + `"}`,
		"\x00organisation\x00Org3MSP\x00":                                     `{"mspId":"Org3MSP","name":"Org3MSP","status":"approved","founding":true,"requestId":"","createdAt":"` + t1 + `","decidedAt":"` + t1 + `"}`,
		"\x00identity\x00Org2MSP\x00x509::CN=f2,OU=client::CN=ca.Org2MSP\x00": `{"memberId":"f2"}`,
	}
	for _, k := range sortedKeys(want) {
		if got := string(w.stub.State[k]); got != want[k] {
			t.Errorf("%q =\n%s\nwant\n%s", k, got, want[k])
		}
	}
	if n := len(w.stub.State); n != 3+3*4 {
		t.Errorf("%d keys, want 15 (genesis proposal, parameters, clock, and per founder organisation, member, identity, trust)", n)
	}
	if founderTrust != 869_565 {
		t.Fatalf("founderTrust = %d", founderTrust)
	}
	var g Genesis
	if name := w.event(&g); name != "ConsortiumInitialised" || g.Parameters.Version != 1 || len(g.Founders) != 3 || g.Founders[2].ID != "f3" || g.ProposalID != "tx-2" {
		t.Fatalf("event %s %+v", name, g)
	}
	seats, err := w.c.GetCommittee(w.as("f3"))
	if err != nil {
		t.Fatal(err)
	}
	wantSeats := []TrustRow{}
	for _, id := range []string{"f1", "f2", "f3"} {
		wantSeats = append(wantSeats, TrustRow{MemberID: id, Trust: 869_565, Level: trust.VeryHighTrust,
			Evidence: trust.Evidence{Positive: [3]int64{500_000, 0, FounderEvidence}, Negative: [3]int64{500_000, 0, 0}}})
	}
	if !reflect.DeepEqual(seats, wantSeats) {
		t.Fatalf("committee %+v", seats)
	}
}

func TestInitConsortiumOverridesDefaultsAndUsesPriors(t *testing.T) {
	w := newWorld(t)
	w.id("f2", "Org2MSP")
	founders := "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"prior":-1000000`) + "," +
		`{"memberId":"f2","role":"company","mspId":"Org2MSP","identity":"x509::CN=f2,OU=client::CN=ca.Org2MSP",` +
		`"prior":1000000,"attributes":{"legalEntity":"Org2 AG"}}]`
	w.found(`{"committeeSize":2,"trustFloor":100000,"trust":{"decay":950000}}`, founders, "Org2MSP")
	p, err := w.c.GetParameters(w.as("f1"))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultParams()
	want.CommitteeSize, want.TrustFloor, want.Trust.Decay = 2, 100_000, 950_000
	if p.Params != want {
		t.Fatalf("params %+v, want %+v", p.Params, want)
	}
	// prior -1: r = 0 + 20, s = 1: 19/23; prior +1: r = 1 + 20, s = 0: 21/23.
	if got := w.trustOf("f1").Trust; got != 19*trust.Scale/23 {
		t.Errorf("f1 trust %d", got)
	}
	if got := w.trustOf("f2").Trust; got != 21*trust.Scale/23 {
		t.Errorf("f2 trust %d", got)
	}
	if m := w.member("f2"); !reflect.DeepEqual(m.Attributes, map[string]string{"legalEntity": "Org2 AG"}) {
		t.Errorf("f2 attributes %v", m.Attributes)
	}
}

func TestInitConsortiumRefusals(t *testing.T) {
	type args struct{ params, founders string }
	tests := []struct {
		name  string
		who   string
		args  func(w *world) args
		setup func(w *world)
		want  string
	}{
		{name: "params not JSON", args: func(w *world) args { return args{"", w.threeFounders()} },
			want: `paramsJSON "" is not a parameters object`},
		{name: "params unknown field", args: func(w *world) args { return args{`{"quorum":2}`, w.threeFounders()} },
			want: `unknown field "quorum"`},
		{name: "params float", args: func(w *world) args { return args{`{"trustFloor":0.5}`, w.threeFounders()} },
			want: "whole fixed-point numbers (1000000 = 1.0)"},
		{name: "params trailing data", args: func(w *world) args { return args{`{}{}`, w.threeFounders()} },
			want: "there is more after the JSON value"},
		{name: "committee size 0", args: func(w *world) args { return args{`{"committeeSize":0}`, w.threeFounders()} },
			want: "paramsJSON: committeeSize 0 is outside [1, 100]"},
		{name: "approvals above n", args: func(w *world) args { return args{`{"committeeSize":2,"approvals":3}`, w.threeFounders()} },
			want: "approvals 3 is outside [2, committeeSize 2]: committee actions need approvals from two organisations, all within the committee"},
		{name: "approvals 0", args: func(w *world) args { return args{`{"approvals":0}`, w.threeFounders()} },
			want: "approvals 0 is outside"},
		{name: "approvals 1", args: func(w *world) args { return args{`{"approvals":1}`, w.threeFounders()} },
			want: "approvals 1 is outside [2, committeeSize 7]"},
		{name: "floor too high", args: func(w *world) args { return args{`{"trustFloor":750001}`, w.threeFounders()} },
			want: "trustFloor 750001 is outside [-1000000, 750000]"},
		{name: "floor too low", args: func(w *world) args { return args{`{"trustFloor":-1000001}`, w.threeFounders()} },
			want: "trustFloor -1000001 is outside"},
		{name: "trust params", args: func(w *world) args { return args{`{"trust":{"decay":0}}`, w.threeFounders()} },
			want: "paramsJSON: trust.decay 0 is outside (0, 1000000]"},
		{name: "founders empty", args: func(w *world) args { return args{"{}", "[]"} },
			want: "foundersJSON is not a non-empty JSON array of founders (no founders)"},
		{name: "founders not array", args: func(w *world) args { return args{"{}", `{"memberId":"f1"}`} },
			want: "foundersJSON is not a non-empty JSON array"},
		{name: "founder unknown field", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"weight":1`) + "]"}
		}, want: `unknown field "weight"`},
		{name: "too many founders", args: func(w *world) args {
			var fs []string
			for i := 0; i < 17; i++ {
				fs = append(fs, w.founderJSON(fmt.Sprintf("f%d", i), "f1", fmt.Sprintf("Org%dMSP", i), ""))
			}
			return args{"{}", "[" + strings.Join(fs, ",") + "]"}
		}, want: "foundersJSON lists 17 founders: give at most 16"},
		{name: "bad member id", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f 1", "f1", "Org1MSP", "") + "]"}
		}, want: `founders[0].memberId "f 1" contains a character outside`},
		{name: "repeated member id", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org1MSP", "") + "," + w.founderJSON("f1", "f2", "Org2MSP", "") + "]"}
		}, want: `founders[1] repeats memberId "f1" of founders[0]`},
		{name: "bad role", args: func(w *world) args {
			return args{"{}", strings.Replace("["+w.founderJSON("f1", "f1", "Org1MSP", "")+"]", `"admin"`, `"owner"`, 1)}
		}, want: `founders[0].role "owner" is not a member role`},
		{name: "bad msp", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org 1", "") + "]"}
		}, want: `founders[0].mspId "Org 1" contains a character outside`},
		{name: "two founders of one organisation", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org1MSP", "") + "," + w.founderJSON("f2", "f2", "Org1MSP", "") + "]"}
		}, want: `founders[1] repeats organisation "Org1MSP" of founders[0]: give one founder per founding organisation`},
		{name: "identity not a client id", args: func(w *world) args {
			return args{"{}", `[{"memberId":"f1","role":"admin","mspId":"Org1MSP","identity":"CN=f1"}]`}
		}, want: `founders[0].identity "CN=f1" is not a client id`},
		{name: "organisation name with control character", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"organisationName":"a\tb"`) + "]"}
		}, want: "founders[0].organisationName has the control character"},
		{name: "prior out of range", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"prior":1000001`) + "]"}
		}, want: "founders[0].prior 1000001 is not a whole number in [-1000000, 1000000]"},
		{name: "prior fractional", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"prior":0.5`) + "]"}
		}, want: "founders[0].prior 0.5 is not a whole number"},
		{name: "founder attribute not defined", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"attributes":{"age":3}`) + "]"}
		}, want: `founders[0]: attribute "age" is not defined for role "admin"; allowed: identity, affiliation, companyCertificate`},
		{name: "founder attribute required", args: func(w *world) args {
			return args{"{}", strings.Replace("["+w.founderJSON("f1", "f1", "Org1MSP", "")+"]", `"admin"`, `"company"`, 1)}
		}, want: `founders[0]: attribute "legalEntity" is required for role "company"`},
		{name: "founder not at very high trust", args: func(w *world) args {
			return args{`{"trust":{"priorWeight":10000000}}`, "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"prior":-1000000`) + "]"}
		}, want: `founders[0] "f1" would start at trust 750000 (high trust), not very high trust: with priorWeight 10000000 its prior -1000000 outweighs the genesis evidence`},
		{name: "founder below high trust at its floor", args: func(w *world) args {
			return args{`{"trust":{"priorWeight":2000000}}`, "[" + w.founderJSON("f1", "f1", "Org1MSP", `,"prior":-750000`) + "," + w.founderJSON("f2", "f2", "Org2MSP", "") + "]"}
		}, want: `founders[0] "f1" would fall to trust 450000 (medium trust) at its genesis floor: with priorWeight 2000000 its prior -750000 could leave the committee without approvers`},
		{name: "k above founders", args: func(w *world) args {
			return args{`{"approvals":4}`, w.threeFounders()}
		}, want: "approvals 4 exceeds the 3 founders, who are the first committee"},
		{name: "caller's organisation founds none", args: func(w *world) args {
			return args{"{}", "[" + w.founderJSON("f2", "f2", "Org2MSP", "") + "," + w.founderJSON("f3", "f3", "Org3MSP", "") + "]"}
		}, want: `InitConsortium must be submitted by an admin of a founding organisation: your organisation Org1MSP founds none in foundersJSON`},
		{name: "caller a client, not an admin", who: "f1", args: func(w *world) args { return args{"{}", w.threeFounders()} },
			want: `InitConsortium needs an admin identity of a founding organisation (NodeOU "admin"): your identity "x509::CN=f1,OU=client::CN=ca.Org1MSP" of Org1MSP is not one`},
		{name: "certificate unreadable", args: func(w *world) args { return args{"{}", w.threeFounders()} },
			setup: func(w *world) { w.ids[w.admin("Org1MSP")].CertErr = errors.New("garbled") },
			want:  "reading the caller's certificate: garbled"},
		{name: "already initialised", args: func(w *world) args { return args{"{}", w.threeFounders()} },
			setup: func(w *world) { w.genesis("{}") },
			want:  "the consortium is already initialised: it is founded once; change parameters with ProposeParameters"},
		{name: "ledger read fails", args: func(w *world) args { return args{"{}", w.threeFounders()} },
			setup: func(w *world) { w.stub.GetStateErr = errors.New("disk") },
			want:  "reading the consortium parameters: disk"},
		{name: "no identity", args: func(w *world) args { return args{"{}", w.threeFounders()} },
			setup: func(w *world) { w.ids[w.admin("Org1MSP")].MSPIDErr = errors.New("no msp") },
			want:  "reading the caller's MSP id: no msp"},
		{name: "timestamp fails", args: func(w *world) args { return args{"{}", w.threeFounders()} },
			setup: func(w *world) { w.stub.TimestampErr = errors.New("no header") },
			want:  "reading the transaction timestamp: no header"},
		{name: "ledger write fails", args: func(w *world) args { return args{"{}", w.threeFounders()} },
			setup: func(w *world) { w.stub.PutStateErr = errors.New("full") },
			want:  `writing genesis proposal "tx-`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.id("f1", "Org1MSP")
			a := tt.args(w)
			if tt.setup != nil {
				tt.setup(w)
			}
			who := tt.who
			if who == "" {
				who = w.admin("Org1MSP")
			}
			before := w.state()
			ctx := w.as(who)
			_, err := w.c.InitConsortium(ctx, a.params, a.founders)
			w.refused(before, err, tt.want)
		})
	}
}

func TestTransactionsBeforeGenesisAreRefused(t *testing.T) {
	w := newWorld(t)
	w.id("a", "Org1MSP")
	calls := map[string]func() error{
		"RequestEnrolment": func() error {
			_, err := w.c.RequestEnrolment(w.as("a"), "a", "viewer", "{}", "[]")
			return err
		},
		"RequestOrganisationEnrolment": func() error {
			_, err := w.c.RequestOrganisationEnrolment(w.as("a"), "Org9MSP", "Nine", oneDoc)
			return err
		},
		"ApproveEnrolment": func() error { return w.c.ApproveEnrolment(w.as("a"), "r1") },
		"RejectEnrolment":  func() error { return w.c.RejectEnrolment(w.as("a"), "r1", "no") },
		"RequestMemberStatus": func() error {
			_, err := w.c.RequestMemberStatus(w.as("a"), "b", "suspended", "x")
			return err
		},
		"ApproveMemberStatus": func() error { return w.c.ApproveMemberStatus(w.as("a"), "r1") },
		"ProposeParameters":   func() error { _, err := w.c.ProposeParameters(w.as("a"), "{}"); return err },
		"VoteParameters":      func() error { return w.c.VoteParameters(w.as("a"), "p1") },
		"IssueCertificate": func() error {
			return w.c.IssueCertificate(w.as("a"), "c", "data", "s", "local:mainchain", `{"dataSources":"x","dataType":"y"}`, oneDoc)
		},
		"UpgradeCertificate": func() error { return w.c.UpgradeCertificate(w.as("a"), "c") },
		"RevokeCertificate":  func() error { return w.c.RevokeCertificate(w.as("a"), "c", "x") },
		"SubmitTrustSnapshot": func() error {
			return w.c.SubmitTrustSnapshot(w.as("a"), "project-a", "1", snapshotOf("project-a", "1"))
		},
		"GetParameters": func() error { _, err := w.c.GetParameters(w.as("a")); return err },
		"GetCommittee":  func() error { _, err := w.c.GetCommittee(w.as("a")); return err },
		"GetTrust":      func() error { _, err := w.c.GetTrust(w.as("a"), "a"); return err },
		"GetTrustTable": func() error { _, err := w.c.GetTrustTable(w.as("a")); return err },
		"GetTrustClock": func() error { _, err := w.c.GetTrustClock(w.as("a")); return err },
	}
	for _, name := range sortedKeys(calls) {
		if err := calls[name](); !errors.Is(err, errNotInitialised) {
			t.Errorf("%s: err = %v, want %v", name, err, errNotInitialised)
		}
	}
	if len(w.stub.State) != 0 {
		t.Fatal("state written before genesis")
	}
}

func TestViewerIsEnrolledAtOnce(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.id("vera", "Org2MSP")
	ctx := w.as("vera")
	reqID, err := w.c.RequestEnrolment(ctx, "vera", "viewer", `{"affiliation":"Quality lab"}`, "[]")
	w.ok(err)
	if reqID != ctx.GetStub().GetTxID() {
		t.Fatalf("request id %q, want the transaction id", reqID)
	}
	var m Member
	if name := w.event(&m); name != "MemberEnrolled" || m.Status != "active" {
		t.Fatalf("event %s %+v", name, m)
	}
	want := Member{ID: "vera", MSPID: "Org2MSP", Identity: "x509::CN=vera,OU=client::CN=ca.Org2MSP", Role: "viewer", Organisation: "Org2MSP",
		Status: "active", Attributes: map[string]string{"affiliation": "Quality lab"}, Documents: []Document{}, RequestID: reqID,
		CreatedAt: "2025-03-01T09:30:04.123456789Z", UpdatedAt: "2025-03-01T09:30:04.123456789Z"}
	if got := w.member("vera"); !reflect.DeepEqual(got, want) {
		t.Fatalf("member %+v\nwant %+v", got, want)
	}
	req, err := w.c.GetEnrolment(w.as("vera"), reqID)
	if err != nil || req.Status != "approved" || len(req.Approvals) != 0 || req.DecidedAt != want.CreatedAt {
		t.Fatalf("request %+v %v", req, err)
	}
	// A prior of 0 is one unit of evidence split evenly: trust 0.
	if row := w.trustOf("vera"); row.Trust != 0 || row.Level != trust.LowTrust || row.Evidence.Positive[0] != 500_000 || row.Evidence.Negative[0] != 500_000 {
		t.Fatalf("trust %+v", row)
	}
}

func TestCriticalEnrolmentNeedsKApprovals(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	cert := w.companyCert("Org1MSP")
	attrs := `{"identity":"Dana Scully","companyCertificate":"` + cert + `","expertiseDegree":"doctorate","workExperienceYears":4}`
	reqID := w.enrol("dana", "dana", "Org1MSP", "data-scientist", attrs)
	var req EnrolmentRequest
	if name := w.event(&req); name != "EnrolmentRequested" || req.Status != "pending" || req.Kind != "member" || req.Subject != "dana" {
		t.Fatalf("event %s %+v", name, req)
	}
	if m := w.member("dana"); m.Status != "pending" || m.Attributes["workExperienceYears"] != "4" || len(m.Documents) != 1 {
		t.Fatalf("member %+v", m)
	}
	if _, err := w.c.GetTrust(w.as("f1"), "dana"); err == nil || !strings.Contains(err.Error(), `member "dana" has no trust record: it does not exist or its enrolment is still pending`) {
		t.Fatalf("pending member's trust: %v", err)
	}

	w.approve(reqID, "f2")
	if name := w.event(&req); name != "EnrolmentApproved" || req.Status != "pending" || len(req.Approvals) != 1 || req.Approvals[0].MemberID != "f2" {
		t.Fatalf("first approval: event %s %+v", name, req)
	}
	if m := w.member("dana"); m.Status != "pending" {
		t.Fatalf("active after 1 of 2 approvals")
	}
	w.approve(reqID, "f3")
	var m Member
	if name := w.event(&m); name != "MemberEnrolled" || m.Status != "active" || m.ID != "dana" {
		t.Fatalf("second approval: event %s %+v", name, m)
	}
	got, _ := w.c.GetEnrolment(w.as("f1"), reqID)
	if got.Status != "approved" || len(got.Approvals) != 2 || got.Approvals[1].MemberID != "f3" || got.DecidedAt == "" {
		t.Fatalf("request %+v", got)
	}
	// Four years of experience: prior 4 * 0.05 = 0.2, so r = 0.6, s = 0.4 in
	// the low band and trust = 0.2 / (1 + 2) = 0.066666.
	if 200_000*trust.Scale/(3*trust.Scale) != 66_666 {
		t.Fatal("arithmetic")
	}
	row := w.trustOf("dana")
	wantEvidence := trust.Evidence{Positive: [3]int64{600_000, 0, 0}, Negative: [3]int64{400_000, 0, 0}}
	if row.Evidence != wantEvidence || row.Trust != 200_000*trust.Scale/(3*trust.Scale) {
		t.Fatalf("trust %+v", row)
	}
}

func TestEnrolmentApprovalRefusals(t *testing.T) {
	setup := func(t *testing.T) (*world, string) {
		w := newWorld(t)
		w.genesis(`{"committeeSize":2}`) // f1 and f2 hold the two seats; f3 ranks third by id
		w.viewer("vera", "vera", "Org1MSP")
		reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
		return w, reqID
	}
	tests := []struct {
		name    string
		who     string
		request func(w *world, reqID string) string
		setup   func(w *world, reqID string)
		want    string
	}{
		{name: "forged approval by a viewer", who: "vera",
			want: `forged approval: member "vera" is not on the committee: it has trust 0 (low trust/distrust), and only active members of at least high trust (above 500000), viewers excepted, sit on it`},
		{name: "very high trust outside the n seats", who: "f3",
			want: `forged approval: member "f3" has very high trust (869565) but is not among the 2 most trusted, so it is not on the committee`},
		{name: "identity bound to no member", who: "stranger", setup: func(w *world, _ string) { w.id("stranger", "Org1MSP") },
			want: `forged approval: your identity "x509::CN=stranger,OU=client::CN=ca.Org1MSP" of Org1MSP is not bound to any member`},
		{name: "the pending newcomer itself", who: "ann",
			want: `forged approval: member "ann" is pending: it cannot write until the committee approves its enrolment request`},
		{name: "suspended committee member", who: "f2",
			setup: func(w *world, _ string) {
				corrupt(w, "\x00member\x00f2\x00", func(m *Member) { m.Status = StatusSuspended })
			},
			want: `forged approval: member "f2" is suspended`},
		{name: "double approval", who: "f1", setup: func(w *world, reqID string) { w.approve(reqID, "f1") },
			want: `member "f1" has already approved enrolment request "tx-`},
		{name: "unknown request", who: "f1", request: func(*world, string) string { return "nope" },
			want: `enrolment request "nope" does not exist: give the id RequestEnrolment or RequestOrganisationEnrolment returned`},
		{name: "bad request id", who: "f1", request: func(*world, string) string { return "" },
			want: "requestID must not be empty"},
		{name: "decided request", who: "f1", setup: func(w *world, reqID string) { w.ok(w.c.RejectEnrolment(w.as("f2"), reqID, "unknown company")) },
			want: `is already rejected (2025-03-01T09:30:`},
		{name: "viewer's request, approved at once", who: "f1", request: func(w *world, _ string) string { return w.member("vera").RequestID },
			want: "is already approved"},
		{name: "ledger read fails", who: "f1", setup: func(w *world, _ string) { w.stub.RangeErr = errors.New("scan down") },
			want: "reading the members: scan down"},
		{name: "timestamp fails", who: "f1", setup: func(w *world, _ string) { w.stub.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
		{name: "ledger write fails", who: "f1", setup: func(w *world, _ string) { w.stub.PutStateErr = errors.New("full") },
			want: `writing enrolment request "tx-`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, reqID := setup(t)
			if tt.setup != nil {
				tt.setup(w, reqID)
			}
			id := reqID
			if tt.request != nil {
				id = tt.request(w, reqID)
			}
			before := w.state()
			w.refused(before, w.c.ApproveEnrolment(w.as(tt.who), id), tt.want)
		})
	}
}

func TestRequestEnrolmentRefusals(t *testing.T) {
	type call struct{ memberID, role, attrs, docs string }
	valid := call{"bob", "customer", `{"companyCertificate":"cert-org2msp"}`, oneDoc}
	with := func(f func(*call)) call { c := valid; f(&c); return c }
	tests := []struct {
		name  string
		who   string // identity of Org2MSP unless a founder
		call  call
		setup func(w *world)
		want  string
	}{
		{name: "empty member id", call: with(func(c *call) { c.memberID = "" }),
			want: "memberID must not be empty: give a name of 1 to 64 characters"},
		{name: "long member id", call: with(func(c *call) { c.memberID = strings.Repeat("b", 65) }),
			want: "is 65 characters long: use at most 64"},
		{name: "member id with colon", call: with(func(c *call) { c.memberID = "org2:bob" }),
			want: `memberID "org2:bob" contains a character outside A-Z, a-z, 0-9, '.', '_' and '-'`},
		{name: "unknown role", call: with(func(c *call) { c.role = "owner" }),
			want: `role "owner" is not a member role: use one of company, customer, domain-expert, data-scientist, quality-auditor, condition-monitor, admin, viewer`},
		{name: "attribute not defined", call: with(func(c *call) { c.attrs = `{"companyCertificate":"cert-org2msp","salary":1}` }),
			want: `attribute "salary" is not defined for role "customer"; allowed: identity, affiliation, companyCertificate`},
		{name: "attribute missing", call: with(func(c *call) { c.attrs = `{"identity":"Bob"}` }),
			want: `attribute "companyCertificate" is required for role "customer": add it to attributesJSON`},
		{name: "data scientist without degree", call: with(func(c *call) { c.role = "data-scientist" }),
			want: `attribute "expertiseDegree" is required for role "data-scientist"`},
		{name: "attributes not an object", call: with(func(c *call) { c.attrs = `[]` }),
			want: `attributesJSON "[]" is not a JSON object of attributes (it is not an object): give {} for none`},
		{name: "documents not an array", call: with(func(c *call) { c.docs = `{}` }),
			want: `documentsJSON is not a JSON array of {"cid","sha256","name"} objects`},
		{name: "document with a bad cid", call: with(func(c *call) { c.docs = strings.Replace(oneDoc, helloRawCID, "Qm123", 1) }),
			want: `documentsJSON[0].cid "Qm123" is not a valid CID: a CIDv0 has 46 characters, this has 5`},
		{name: "critical role without documents", call: with(func(c *call) { c.docs = "[]" }),
			want: `documentsJSON lists no documents: the role "customer" is critical, so give at least one document on IPFS for the committee to review`},
		{name: "organisation not enrolled", who: "carl",
			want: `organisation "Org9MSP" is not enrolled in the consortium: a member must first request its enrolment with RequestOrganisationEnrolment`},
		{name: "organisation pending", who: "carl",
			setup: func(w *world) {
				_, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org9MSP", "Nine", oneDoc)
				w.ok(err)
			},
			want: `organisation "Org9MSP" is not enrolled in the consortium: its enrolment request "tx-`},
		{name: "member id taken", call: with(func(c *call) { c.memberID = "f1" }),
			want: `member "f1" already exists: choose another memberID`},
		{name: "identity already bound", setup: func(w *world) { w.viewer("bobby", "bob", "Org2MSP") },
			want: `your identity "x509::CN=bob,OU=client::CN=ca.Org2MSP" of Org2MSP is already bound to member "bobby": one identity enrols one member`},
		{name: "company certificate missing", call: with(func(c *call) { c.attrs = `{"companyCertificate":"cert-x"}` }),
			want: `attribute "companyCertificate" names certificate "cert-x", which does not exist: give the id of a valid company certificate`},
		{name: "company certificate of another kind", call: with(func(c *call) { c.attrs = `{"companyCertificate":"de-1"}` }),
			setup: func(w *world) {
				company := w.companyCertOf("Org1MSP")
				w.ok(w.c.IssueCertificate(w.as("f1"), "de-1", "domain-expert", "jane", "local:mainchain", `{"companyCertificate":"`+company+`"}`, oneDoc))
			},
			want: `attribute "companyCertificate" names certificate "de-1", a domain-expert certificate: give the id of a valid company certificate`},
		{name: "company certificate revoked",
			setup: func(w *world) { w.ok(w.c.RevokeCertificate(w.as("f1"), "cert-org2msp", "company dissolved")) },
			want:  `attribute "companyCertificate" names certificate "cert-org2msp", which is revoked: a revoked certificate is never valid again`},
		{name: "ledger read fails", setup: func(w *world) { w.stub.GetStateErr = errors.New("disk") },
			want: "reading the consortium parameters: disk"},
		{name: "timestamp fails", setup: func(w *world) { w.stub.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
		{name: "ledger write fails", setup: func(w *world) { w.stub.PutStateErr = errors.New("full") },
			want: `writing member "bob": full`},
		{name: "client id unreadable", setup: func(w *world) { w.ids["bob"].IDErr = errors.New("no cert") },
			want: "reading the caller's client id: no cert"},
		{name: "client id not base64", setup: func(w *world) { w.ids["bob"].EncodedID = "not*base64" },
			want: `the caller's client id "not*base64" is not base64`},
		{name: "client id empty", setup: func(w *world) { w.ids["bob"].RawID = "" },
			want: "the caller's client id is empty"},
		{name: "msp id empty", setup: func(w *world) { w.ids["bob"].MSPID = "" },
			want: "the caller's identity names no MSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.companyCert("Org2MSP")
			who := tt.who
			if who == "" {
				who = "bob"
				w.id("bob", "Org2MSP")
			} else {
				w.id(who, "Org9MSP")
			}
			if tt.setup != nil {
				tt.setup(w)
			}
			c := tt.call
			if c == (call{}) {
				c = valid
			}
			before := w.state()
			_, err := w.c.RequestEnrolment(w.as(who), c.memberID, c.role, c.attrs, c.docs)
			w.refused(before, err, tt.want)
		})
	}
}

func TestRequestEnrolmentWithoutIdentity(t *testing.T) {
	for name, ident := range map[string]cid.ClientIdentity{
		"no identity": nil,
		// contractapi passes on cid.New's nil result when the creator cannot be parsed.
		"typed nil identity": (*cid.ClientID)(nil),
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			before := w.state()
			w.stub.NextTx()
			ctx := fabrictest.NewContext(w.stub, nil)
			if ident != nil {
				ctx.SetClientIdentity(ident)
			}
			_, err := w.c.RequestEnrolment(ctx, "v", "viewer", "{}", "[]")
			if !errors.Is(err, identity.ErrNone) {
				t.Fatalf("err = %v, want %v", err, identity.ErrNone)
			}
			w.refused(before, err, "no readable client identity")
		})
	}
}

func TestRejectedEnrolmentFreesTheIdentity(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
	w.approve(reqID, "f1")
	w.ok(w.c.RejectEnrolment(w.as("f3"), reqID, "the register extract is unreadable"))
	var req EnrolmentRequest
	if name := w.event(&req); name != "EnrolmentRejected" || req.Status != "rejected" || req.RejectedBy != "f3" ||
		req.Reason != "the register extract is unreadable" || len(req.Approvals) != 1 {
		t.Fatalf("event %s %+v", name, req)
	}
	if _, err := w.c.GetMember(w.as("f1"), "ann"); err == nil || !strings.Contains(err.Error(), `member "ann" does not exist`) {
		t.Fatalf("rejected member still recorded: %v", err)
	}
	if got, _ := w.c.GetEnrolment(w.as("f1"), reqID); got.Status != "rejected" {
		t.Fatalf("request %+v", got)
	}
	// Same identity, same id, better documents.
	again := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
	w.approve(again, "f1", "f2")
	if m := w.member("ann"); m.Status != "active" || m.RequestID != again {
		t.Fatalf("member %+v", m)
	}
}

func TestRejectEnrolmentRefusals(t *testing.T) {
	tests := []struct {
		name   string
		who    string
		reason string
		setup  func(w *world, reqID string)
		want   string
	}{
		{name: "not committee", who: "vera", reason: "no",
			want: `RejectEnrolment needs the committee: member "vera" is not on the committee`},
		{name: "empty reason", who: "f1", reason: " ",
			want: "reason must not be empty: say why the request is rejected"},
		{name: "long reason", who: "f1", reason: strings.Repeat("x", 257),
			want: "reason is 257 bytes long: use at most 256"},
		{name: "already approved", who: "f1", reason: "late", setup: func(w *world, reqID string) { w.approve(reqID, "f2", "f3") },
			want: "is already approved"},
		{name: "ledger write fails", who: "f1", reason: "x",
			setup: func(w *world, _ string) { w.stub.PutStateErr = errors.New("full") },
			want:  `writing enrolment request "tx-`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.viewer("vera", "vera", "Org1MSP")
			reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
			if tt.setup != nil {
				tt.setup(w, reqID)
			}
			before := w.state()
			w.refused(before, w.c.RejectEnrolment(w.as(tt.who), reqID, tt.reason), tt.want)
		})
	}
}

func TestOrganisationEnrolment(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	reqID, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org4MSP", "Org Four KG", oneDoc)
	w.ok(err)
	var req EnrolmentRequest
	if name := w.event(&req); name != "EnrolmentRequested" || req.Kind != "organisation" || req.Sponsor != "f1" || req.Subject != "Org4MSP" || req.Name != "Org Four KG" {
		t.Fatalf("event %s %+v", name, req)
	}
	org, err := w.c.GetOrganisationEnrolment(w.as("f2"), "Org4MSP")
	if err != nil || org.Status != "pending" || org.RequestID != reqID || org.Founding {
		t.Fatalf("organisation %+v %v", org, err)
	}
	// The sponsor does not approve its own request.
	before := w.state()
	w.refused(before, w.c.ApproveEnrolment(w.as("f1"), reqID), `member "f1" sponsors enrolment request "`+reqID+`" and cannot approve it`)
	// A newcomer of Org4MSP cannot enrol yet.
	w.id("dora", "Org4MSP")
	if _, err := w.c.RequestEnrolment(w.as("dora"), "dora", "viewer", "{}", "[]"); err == nil || !strings.Contains(err.Error(), "is pending") {
		t.Fatalf("newcomer of a pending organisation: %v", err)
	}
	w.approve(reqID, "f2")
	if name := w.event(&req); name != "EnrolmentApproved" || req.Status != "pending" {
		t.Fatalf("first approval: %s %+v", name, req)
	}
	w.approve(reqID, "f3")
	var enrolled Organisation
	if name := w.event(&enrolled); name != "OrganisationEnrolled" || enrolled.Status != "approved" || enrolled.DecidedAt != "2025-03-01T09:30:09.123456789Z" {
		t.Fatalf("second approval: %s %+v", name, enrolled)
	}
	if org, _ := w.c.GetOrganisationEnrolment(w.as("f2"), "Org4MSP"); org.Status != "approved" {
		t.Fatalf("organisation %+v", org)
	}
	w.viewer("dora", "dora", "Org4MSP")
	if m := w.member("dora"); m.Organisation != "Org4MSP" {
		t.Fatalf("member %+v", m)
	}
}

func TestRejectedOrganisationMayRequestAgain(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	reqID, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org4MSP", "Org Four KG", oneDoc)
	w.ok(err)
	w.ok(w.c.RejectEnrolment(w.as("f2"), reqID, "documents expired"))
	if org, _ := w.c.GetOrganisationEnrolment(w.as("f2"), "Org4MSP"); org.Status != "rejected" || org.DecidedAt == "" {
		t.Fatalf("organisation %+v", org)
	}
	again, err := w.c.RequestOrganisationEnrolment(w.as("f2"), "Org4MSP", "Org Four KG", oneDoc)
	w.ok(err)
	if org, _ := w.c.GetOrganisationEnrolment(w.as("f2"), "Org4MSP"); org.Status != "pending" || org.RequestID != again || org.DecidedAt != "" {
		t.Fatalf("organisation %+v", org)
	}
}

func TestRequestOrganisationEnrolmentRefusals(t *testing.T) {
	tests := []struct {
		name, who, mspID, orgName, docs string
		setup                           func(w *world)
		want                            string
	}{
		{name: "bad msp id", who: "f1", mspID: "Org 4", orgName: "Four", docs: oneDoc, want: `mspID "Org 4" contains a character outside`},
		{name: "empty name", who: "f1", mspID: "Org4MSP", orgName: "", docs: oneDoc, want: "name must not be empty: give the organisation's name"},
		{name: "bad documents", who: "f1", mspID: "Org4MSP", orgName: "Four", docs: `[{"cid":"` + helloRawCID + `"}]`,
			want: `documentsJSON[0].sha256 "" has 0 characters`},
		{name: "no documents", who: "f1", mspID: "Org4MSP", orgName: "Four", docs: "[]",
			want: "documentsJSON lists no documents: give at least one document on IPFS for the committee to review"},
		{name: "sponsor not a member", who: "stranger", mspID: "Org4MSP", orgName: "Four", docs: oneDoc,
			want: "is not bound to any member: enrol it with RequestEnrolment first"},
		{name: "already enrolled", who: "f1", mspID: "Org2MSP", orgName: "Two", docs: oneDoc, want: `organisation "Org2MSP" is already enrolled`},
		{name: "already pending", who: "f2", mspID: "Org4MSP", orgName: "Four", docs: oneDoc,
			setup: func(w *world) {
				_, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org4MSP", "Four", oneDoc)
				w.ok(err)
			},
			want: `organisation "Org4MSP" already has the pending enrolment request "tx-`},
		{name: "ledger write fails", who: "f1", mspID: "Org4MSP", orgName: "Four", docs: oneDoc,
			setup: func(w *world) { w.stub.PutStateErr = errors.New("full") }, want: `writing organisation "Org4MSP": full`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.id("stranger", "Org1MSP")
			if tt.setup != nil {
				tt.setup(w)
			}
			before := w.state()
			_, err := w.c.RequestOrganisationEnrolment(w.as(tt.who), tt.mspID, tt.orgName, tt.docs)
			w.refused(before, err, tt.want)
		})
	}
}

func TestMemberStatusChangesAndGates(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.staff("vera", "vera", "Org1MSP", "company")
	issue := func() error {
		return w.c.IssueCertificate(w.as("vera"), "c-"+w.stub.TxID, "data", "raw-1", "local:project-a", `{"dataSources":"camera 1","dataType":"image"}`, oneDoc)
	}
	w.ok(issue())

	w.setStatus("vera", "suspended", "investigation of labelling errors")
	var m Member
	if name := w.event(&m); name != "MemberStatusChanged" || m.Status != "suspended" || m.StatusReason != "investigation of labelling errors" {
		t.Fatalf("event %s %+v", name, m)
	}
	before := w.state()
	w.refused(before, issue(), `member "vera" is suspended: suspended members cannot write until the committee reinstates them (RequestMemberStatus)`)

	w.setStatus("vera", "active", "cleared")
	w.ok(issue())
	w.setStatus("vera", "revoked", "key compromised")
	before = w.state()
	w.refused(before, issue(), `member "vera" is revoked: revoked members can never write again`)
	// The revoked identity stays bound, so it cannot enrol again.
	_, err := w.c.RequestEnrolment(w.as("vera"), "vera2", "viewer", "{}", "[]")
	w.refused(before, err, `is already bound to member "vera"`)
	_, err = w.c.RequestMemberStatus(w.as("f1"), "vera", "active", "sorry")
	w.refused(before, err, `member "vera" is revoked, which is final: its status cannot change`)
}

func TestRequestMemberStatusRefusals(t *testing.T) {
	tests := []struct {
		name, who, memberID, status, reason string
		want                                string
	}{
		{name: "not committee", who: "vera", memberID: "f1", status: "suspended", reason: "x",
			want: `RequestMemberStatus needs the committee: member "vera" is not on the committee`},
		{name: "own case", who: "f1", memberID: "f1", status: "suspended", reason: "stepping down",
			want: `member "f1" cannot request a change of its own status: nobody approves their own case`},
		{name: "unknown status", who: "f1", memberID: "vera", status: "banned", reason: "x",
			want: `status "banned" is not a status the committee sets: use one of active, suspended, revoked`},
		{name: "pending is not set", who: "f1", memberID: "vera", status: "pending", reason: "x",
			want: `status "pending" is not a status the committee sets`},
		{name: "no reason", who: "f1", memberID: "vera", status: "suspended", reason: "",
			want: "reason must not be empty: say why the status changes"},
		{name: "bad id", who: "f1", memberID: "", status: "suspended", reason: "x", want: "memberID must not be empty"},
		{name: "unknown member", who: "f1", memberID: "zed", status: "suspended", reason: "x",
			want: `member "zed" does not exist: check the id, or enrol it with RequestEnrolment`},
		{name: "same status", who: "f1", memberID: "vera", status: "active", reason: "x", want: `member "vera" is already active`},
		{name: "pending member", who: "f1", memberID: "ann", status: "active", reason: "x",
			want: `member "ann" is pending: decide its enrolment with ApproveEnrolment or RejectEnrolment`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.viewer("vera", "vera", "Org1MSP")
			w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
			before := w.state()
			_, err := w.c.RequestMemberStatus(w.as(tt.who), tt.memberID, tt.status, tt.reason)
			w.refused(before, err, tt.want)
		})
	}
}

func TestApproveMemberStatusRefusals(t *testing.T) {
	tests := []struct {
		name, who string
		request   func(w *world, reqID string) string
		setup     func(w *world, reqID string)
		want      string
	}{
		{name: "forged approval", who: "vera", want: `forged approval: member "vera" is not on the committee`},
		{name: "own case", who: "f2", want: `member "f2" cannot approve status request "tx-`},
		{name: "requester again", who: "f1", want: `member "f1" has already approved status request "tx-`},
		{name: "unknown request", who: "f3", request: func(*world, string) string { return "r9" },
			want: `status request "r9" does not exist: give the id RequestMemberStatus returned`},
		{name: "bad request id", who: "f3", request: func(*world, string) string { return "r 9" }, want: `requestID "r 9" contains a character outside`},
		{name: "carried out", who: "f3", setup: func(w *world, reqID string) {
			w.ok(w.c.ApproveMemberStatus(w.as("f3"), reqID))
		}, want: "was already carried out (2025-03-01T09:30:"},
		{name: "overtaken", who: "f3", setup: func(w *world, _ string) { w.setStatus("f2", "revoked", "key compromised") },
			want: `can no longer be carried out: member "f2" is revoked, which is final`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.viewer("vera", "vera", "Org1MSP")
			reqID, err := w.c.RequestMemberStatus(w.as("f1"), "f2", "suspended", "audit")
			w.ok(err)
			if tt.setup != nil {
				tt.setup(w, reqID)
			}
			id := reqID
			if tt.request != nil {
				id = tt.request(w, reqID)
			}
			before := w.state()
			w.refused(before, w.c.ApproveMemberStatus(w.as(tt.who), id), tt.want)
		})
	}
}

func TestWriterBelowTheTrustFloorIsRefused(t *testing.T) {
	w := newWorld(t)
	w.genesis(`{"trustFloor":100000}`)
	w.viewer("vera", "vera", "Org1MSP") // enrolment is not a write by a member, so no floor applies
	before := w.state()
	err := w.c.IssueCertificate(w.as("vera"), "c1", "data", "raw-1", "local:project-a", `{"dataSources":"camera 1","dataType":"image"}`, oneDoc)
	w.refused(before, err, `member "vera" has trust 0 (low trust/distrust), below the trust floor 100000: members below the floor cannot write until feedback in the project channels lifts their trust`)
}

func TestParametersChangeByCommitteeVote(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	ctx := w.as("f1")
	propID, err := w.c.ProposeParameters(ctx, `{"trustFloor":-250000,"trust":{"sameOrgFactor":250000}}`)
	w.ok(err)
	if propID != ctx.GetStub().GetTxID() {
		t.Fatalf("proposal id %q", propID)
	}
	var prop Proposal
	if name := w.event(&prop); name != "ParametersProposed" || prop.Status != "pending" || len(prop.Votes) != 1 || prop.Votes[0].MemberID != "f1" || prop.BaseVersion != 1 {
		t.Fatalf("event %s %+v", name, prop)
	}
	if p, _ := w.c.GetParameters(w.as("f1")); p.Version != 1 || p.Params.TrustFloor != 0 {
		t.Fatalf("applied before k votes: %+v", p)
	}
	w.ok(w.c.VoteParameters(w.as("f3"), propID))
	var changed Parameters
	if name := w.event(&changed); name != "ParametersChanged" {
		t.Fatalf("event %s", name)
	}
	want := DefaultParams()
	want.TrustFloor, want.Trust.SameOrgFactor = -250_000, 250_000
	if changed.Version != 2 || changed.Params != want || changed.ProposalID != propID || changed.ChangedAt != "2025-03-01T09:30:06.123456789Z" {
		t.Fatalf("parameters %+v", changed)
	}
	if p, _ := w.c.GetParameters(w.as("f1")); !reflect.DeepEqual(*p, changed) {
		t.Fatalf("stored %+v", p)
	}
	got, _ := w.c.GetProposal(w.as("f1"), propID)
	if got.Status != "applied" || len(got.Votes) != 2 || got.AppliedAt != changed.ChangedAt {
		t.Fatalf("proposal %+v", got)
	}
}

func TestVotesBetweenProposalAndApplication(t *testing.T) {
	w := newWorld(t)
	w.genesis(`{"approvals":3}`)
	propID, err := w.c.ProposeParameters(w.as("f1"), `{"approvals":2}`)
	w.ok(err)
	w.ok(w.c.VoteParameters(w.as("f2"), propID))
	var prop Proposal
	if name := w.event(&prop); name != "ParametersVoted" || len(prop.Votes) != 2 || prop.Status != "pending" {
		t.Fatalf("event %s %+v", name, prop)
	}
	w.ok(w.c.VoteParameters(w.as("f3"), propID))
	if name := w.event(nil); name != "ParametersChanged" {
		t.Fatalf("event %s", name)
	}
}

func TestProposeParametersRefusals(t *testing.T) {
	tests := []struct {
		name, who, params string
		setup             func(w *world)
		want              string
	}{
		{name: "not committee", who: "vera", params: `{"trustFloor":1}`,
			want: `ProposeParameters needs the committee: member "vera" is not on the committee`},
		{name: "not json", who: "f1", params: `trustFloor=1`, want: `paramsJSON "trustFloor=1" is not a parameters object`},
		{name: "unknown field", who: "f1", params: `{"trust":{"decay":1,"speed":2}}`, want: `unknown field "speed"`},
		{name: "invalid", who: "f1", params: `{"trust":{"bandCaps":[2000000,-1,0]}}`,
			want: "paramsJSON: trust.bandCaps[1] -1 is outside [1, 1000000000]: every band of rater trust is capped"},
		{name: "changes nothing", who: "f1", params: `{"approvals":2}`,
			want: `paramsJSON "{\"approvals\":2}" changes nothing: give at least one field with a new value`},
		{name: "k above the committee", who: "f1", params: `{"approvals":4}`,
			want: "approvals 4 exceeds the 3 members the committee would have under these parameters: no request could be approved; lower approvals"},
		{name: "trust params that empty the committee", who: "f1", params: `{"trustFloor":300000,"trust":{"bandCaps":[2000000,6000000,1000000]}}`,
			want: "approvals 2 exceeds the 0 members the committee would have under these parameters"},
		{name: "timestamp fails", who: "f1", params: `{"trustFloor":1}`,
			setup: func(w *world) { w.stub.TimestampErr = errors.New("no header") }, want: "reading the transaction timestamp: no header"},
		{name: "ledger write fails", who: "f1", params: `{"trustFloor":1}`,
			setup: func(w *world) { w.stub.PutStateErr = errors.New("full") }, want: `writing proposal "tx-`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.viewer("vera", "vera", "Org1MSP")
			if tt.setup != nil {
				tt.setup(w)
			}
			before := w.state()
			_, err := w.c.ProposeParameters(w.as(tt.who), tt.params)
			w.refused(before, err, tt.want)
		})
	}
}

func TestVoteParametersRefusals(t *testing.T) {
	tests := []struct {
		name, who string
		proposal  func(w *world, propID string) string
		setup     func(w *world, propID string)
		want      string
	}{
		{name: "forged vote", who: "vera", want: `forged approval: member "vera" is not on the committee`},
		{name: "proposer votes again", who: "f1", want: `member "f1" has already voted for proposal "tx-`},
		{name: "unknown proposal", who: "f2", proposal: func(*world, string) string { return "p-9" },
			want: `proposal "p-9" does not exist: give the id ProposeParameters returned`},
		{name: "bad id", who: "f2", proposal: func(*world, string) string { return "p/9" }, want: `proposalID "p/9" contains a character outside`},
		{name: "applied", who: "f3", setup: func(w *world, propID string) { w.ok(w.c.VoteParameters(w.as("f2"), propID)) },
			want: "was already applied (2025-03-01T09:30:"},
		{name: "stale", who: "f3",
			setup: func(w *world, _ string) {
				other, err := w.c.ProposeParameters(w.as("f2"), `{"trustFloor":5}`)
				w.ok(err)
				w.ok(w.c.VoteParameters(w.as("f1"), other))
			},
			want: "was made against parameters version 1, but version 2 is in force: propose the change again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.viewer("vera", "vera", "Org1MSP")
			propID, err := w.c.ProposeParameters(w.as("f1"), `{"trustFloor":1}`)
			w.ok(err)
			if tt.setup != nil {
				tt.setup(w, propID)
			}
			id := propID
			if tt.proposal != nil {
				id = tt.proposal(w, propID)
			}
			before := w.state()
			w.refused(before, w.c.VoteParameters(w.as(tt.who), id), tt.want)
		})
	}
}

func TestVoteRefusedWhenTheCommitteeCouldNotApproveAfterwards(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	propID, err := w.c.ProposeParameters(w.as("f1"), `{"approvals":3}`)
	w.ok(err)
	w.setStatus("f3", "suspended", "audit")
	before := w.state()
	w.refused(before, w.c.VoteParameters(w.as("f2"), propID),
		`proposal "`+propID+`" cannot be applied now: approvals 3 exceeds the 2 members the committee would have under these parameters`)
}

func TestWritesWithoutIdentityAreRefused(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	before := w.state()
	w.stub.NextTx()
	ctx := fabrictest.NewContext(w.stub, nil)
	err := w.c.IssueCertificate(ctx, "c1", "data", "raw-1", "local:project-a", `{"dataSources":"a","dataType":"b"}`, oneDoc)
	if !errors.Is(err, identity.ErrNone) {
		t.Fatalf("err = %v, want %v", err, identity.ErrNone)
	}
	w.refused(before, err, "no readable client identity")
	if err := w.c.ApproveEnrolment(ctx, "r1"); !errors.Is(err, identity.ErrNone) || !strings.HasPrefix(err.Error(), "forged approval: ") {
		t.Fatalf("approval without identity: %v", err)
	}
}
