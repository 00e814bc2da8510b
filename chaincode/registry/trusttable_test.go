package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"bcmlp.local/chaincode/internal/fabrictest"
	"bcmlp.local/chaincode/trust"
)

// trustWorld has founders f1, f2, f3 (Org1MSP, Org2MSP, Org3MSP) and company members
// v1 of Org1MSP and v2 of Org2MSP, all active, and the registered project
// channels project-a and project-b of all three organisations.
func trustWorld(t *testing.T, params string) *world {
	t.Helper()
	w := newWorld(t)
	w.genesis(params)
	w.staff("v1", "v1", "Org1MSP", "company")
	w.staff("v2", "v2", "Org2MSP", "company")
	w.register("project-a", "Org1MSP", "Org2MSP", "Org3MSP")
	w.register("project-b", "Org1MSP", "Org2MSP", "Org3MSP")
	return w
}

// clientID is the client id of founder or viewer name of mspID in a world.
func clientID(name, mspID string) string {
	return "x509::CN=" + name + ",OU=client::CN=ca." + mspID
}

func TestSnapshotAppliesTheTrustRule(t *testing.T) {
	w := trustWorld(t, "{}")
	f1, f2, f3 := clientID("f1", "Org1MSP"), clientID("f2", "Org2MSP"), clientID("f3", "Org3MSP")
	v1, v2 := clientID("v1", "Org1MSP"), clientID("v2", "Org2MSP")
	// What provenance returns: compact, client ids, its own order.
	record := `{"channel":"project-a","period":1,"feedback":[` +
		`{"rater":"` + f3 + `","ratee":"` + f1 + `","score":500000},` +
		`{"rater":"` + f1 + `","ratee":"` + v1 + `","score":1000000},` +
		`{"rater":"` + f2 + `","ratee":"` + v1 + `","score":1000000},` +
		`{"rater":"` + v2 + `","ratee":"` + v1 + `","score":-1000000}]}`
	w.setSnapshot("project-a", "1", record)
	if p := w.closePeriod(); p != "1" {
		t.Fatalf("closed period %s", p)
	}
	// The same snapshot as the gateway might pass it on, spaced differently.
	submitted := strings.ReplaceAll(strings.ReplaceAll(record, `},{`, "},\n  {"), `":`, `": `)
	w.stub.Invocations = nil
	w.ok(w.c.SubmitTrustSnapshot(w.as("v2"), "project-a", "1", submitted))
	submitTx, submittedAt := w.stub.TxID, w.stub.Timestamp.UTC().Format(time.RFC3339Nano)

	if want := []fabrictest.Invocation{{ChaincodeName: "provenance", Args: []string{"provenance:GetTrustSnapshot", "1"}, Channel: "project-a"}}; !reflect.DeepEqual(w.stub.Invocations, want) {
		t.Fatalf("invocations %+v", w.stub.Invocations)
	}
	sum := sha256.Sum256([]byte(record))
	var receipt SnapshotReceipt
	if name := w.event(&receipt); name != "TrustSnapshotSubmitted" {
		t.Fatalf("event %s", name)
	}
	if want := (SnapshotReceipt{Channel: "project-a", Period: 1, SHA256: hex.EncodeToString(sum[:]), Feedback: 4, Submitter: "v2", TxID: submitTx, SubmittedAt: submittedAt}); receipt != want {
		t.Fatalf("receipt %+v\nwant %+v", receipt, want)
	}
	// Submitting changes no trust: it only files the snapshot.
	if got := w.trustOf("v1"); got.Trust != 0 {
		t.Fatalf("v1 trust %+v before the period is applied", got)
	}
	// project-b has nothing to say about period 1.
	w.submit("f3", "project-b", "1")
	w.apply("1")
	applyTx, appliedAt := w.stub.TxID, w.stub.Timestamp.UTC().Format(time.RFC3339Nano)
	var period AppliedPeriod
	if name := w.event(&period); name != "PeriodApplied" || !reflect.DeepEqual(period, AppliedPeriod{Period: 1,
		Snapshots: []SnapshotRef{{"project-a", 1}, {"project-b", 1}}, Late: []string{}, TxID: applyTx, AppliedAt: appliedAt}) {
		t.Fatalf("event %s %+v", name, period)
	}
	wantApplied := AppliedSnapshot{ProjectChannel: "project-a", Period: 1, AppliedInPeriod: 1, SHA256: hex.EncodeToString(sum[:]), Feedback: 4,
		Rejected: []Rejection{}, Submitter: "v2", SubmittedTxID: submitTx, TxID: applyTx, AppliedAt: appliedAt}

	// The rule, by hand. The period is the first, so all evidence decays
	// once (x0.9); raters weigh with their trust from before: founders
	// 20/23, viewers 0.
	const ft = founderTrust // 869565
	sameOrg := ft * 500_000 / trust.Scale
	// v1: prior 0.5/0.5 decays to 0.45/0.45; f1 (same organisation, half
	// weight) and f2 each add their whole weight to r in the very-high band;
	// v2 weighs nothing.
	v1Evidence := trust.Evidence{Positive: [3]int64{450_000, 0, sameOrg + ft}, Negative: [3]int64{450_000, 0, 0}}
	v1r, v1s := int64(450_000+sameOrg+ft), int64(450_000)
	// f1: genesis evidence decays, then f3's 0.5 splits its weight 0.75/0.25.
	f1Evidence := trust.Evidence{Positive: [3]int64{450_000, 0, 18_000_000 + ft*1_500_000/2_000_000}, Negative: [3]int64{450_000, 0, ft * 500_000 / 2_000_000}}
	f1r, f1s := int64(450_000+18_000_000+ft*1_500_000/2_000_000), int64(450_000+ft*500_000/2_000_000)
	want := []TrustRow{
		{MemberID: "f1", Evidence: f1Evidence, Trust: (f1r - f1s) * trust.Scale / (f1r + f1s + 2*trust.Scale)},
		{MemberID: "f2", Evidence: trust.Evidence{Positive: [3]int64{450_000, 0, 18_000_000}, Negative: [3]int64{450_000, 0, 0}}, Trust: 18_000_000 * trust.Scale / 20_900_000},
		{MemberID: "f3", Evidence: trust.Evidence{Positive: [3]int64{450_000, 0, 18_000_000}, Negative: [3]int64{450_000, 0, 0}}, Trust: 18_000_000 * trust.Scale / 20_900_000},
		{MemberID: "v1", Evidence: v1Evidence, Trust: (v1r - v1s) * trust.Scale / (v1r + v1s + 2*trust.Scale)},
		{MemberID: "v2", Evidence: trust.Evidence{Positive: [3]int64{450_000, 0, 0}, Negative: [3]int64{450_000, 0, 0}}, Trust: 0},
	}
	for i := range want {
		want[i].Level = trust.LevelOf(want[i].Trust)
	}
	// The same numbers written out, so that a change in the arithmetic above shows.
	if want[0].Trust != 846_814 || want[1].Trust != 861_244 || want[3].Trust != 310_237 || want[3].Level != trust.MediumTrust {
		t.Fatalf("hand computation %+v", want)
	}
	table, err := w.c.GetTrustTable(w.as("f1"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(table, want) {
		t.Fatalf("trust table\n%+v\nwant\n%+v", table, want)
	}
	// Weights for the rest of period 1 are the trust from before it.
	if rec := string(w.stub.State["\x00trust\x00v1\x00"]); rec != `{"memberId":"v1","evidence":{"positive":[450000,0,1304347],"negative":[450000,0,0]},"weight":0,"floor":0}` {
		t.Fatalf("v1 record %s", rec)
	}
	if rec := string(w.stub.State["\x00trust\x00f2\x00"]); !strings.HasSuffix(rec, `"weight":869565,"floor":6000000}`) {
		t.Fatalf("f2 record %s", rec)
	}
	clock, _ := w.c.GetTrustClock(w.as("f1"))
	if clock.LatestPeriod != 1 || clock.UpdatedAt != appliedAt || clock.OpenPeriod != 2 {
		t.Fatalf("clock %+v", clock)
	}
	got, err := w.c.GetAppliedSnapshot(w.as("f1"), "project-a", "1")
	if err != nil || !reflect.DeepEqual(*got, wantApplied) {
		t.Fatalf("GetAppliedSnapshot %+v %v", got, err)
	}
}

// injectMember writes an active member with only its prior as evidence,
// bypassing enrolment, so that the registry and trust.Table start equal.
func injectMember(t *testing.T, w *world, m trust.Member) {
	t.Helper()
	var ev trust.Evidence
	if err := ev.AddPrior(m.Prior, trust.DefaultParams()); err != nil {
		t.Fatal(err)
	}
	member := Member{ID: m.ID, MSPID: m.Organisation, Identity: "x509::CN=" + m.ID, Role: "viewer", Organisation: m.Organisation,
		Status: StatusActive, Attributes: map[string]string{}, Documents: []Document{}}
	rawMember, _ := json.Marshal(member)
	rawTrust, _ := json.Marshal(TrustRecord{MemberID: m.ID, Evidence: ev, Weight: ev.Trust(trust.DefaultParams())})
	w.stub.State["\x00member\x00"+m.ID+"\x00"] = rawMember
	w.stub.State["\x00trust\x00"+m.ID+"\x00"] = rawTrust
}

func TestSnapshotsFollowTrustTablePeriod(t *testing.T) {
	members := []trust.Member{
		{ID: "m1", Organisation: "Org1MSP", Prior: trust.Scale},
		{ID: "m2", Organisation: "Org1MSP", Prior: 600_000},
		{ID: "m3", Organisation: "Org2MSP", Prior: -400_000},
		{ID: "m4", Organisation: "Org3MSP", Prior: 0},
	}
	fb := func(rater, ratee string, score int64) trust.Feedback {
		return trust.Feedback{Rater: rater, Ratee: ratee, Score: score}
	}
	// Period 1 arrives from two channels, period 3 passes without
	// feedback, period 4 has a ring praising m4 many times over.
	p1a := []trust.Feedback{fb("m1", "m2", trust.Scale), fb("m1", "m3", -trust.Scale), fb("m2", "m3", 300_000)}
	p1b := []trust.Feedback{fb("m3", "m1", -700_000), fb("m2", "m1", trust.Scale), fb("m4", "m1", trust.Scale)}
	p2 := []trust.Feedback{fb("m2", "m4", 900_000), fb("m1", "m4", trust.Scale), fb("m3", "m2", -trust.Scale)}
	var p4 []trust.Feedback
	for i := 0; i < 40; i++ {
		p4 = append(p4, fb("m1", "m4", trust.Scale), fb("m2", "m4", trust.Scale), fb("m3", "m4", -200_000))
	}

	tab, err := trust.NewTable(trust.DefaultParams(), members)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range [][]trust.Feedback{append(append([]trust.Feedback{}, p1a...), p1b...), p2, nil, p4} {
		if err := tab.Period(batch); err != nil {
			t.Fatal(err)
		}
	}

	for _, order := range [][]string{{"project-a", "project-b"}, {"project-b", "project-a"}} {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.register("project-a", "Org1MSP", "Org2MSP")
			w.register("project-b", "Org1MSP", "Org3MSP")
			for _, m := range members {
				injectMember(t, w, m)
			}
			byChannel := map[string][]trust.Feedback{"project-a": p1a, "project-b": p1b}
			var first []channelFeedback
			for _, ch := range order {
				first = append(first, channelFeedback{ch, "f1", byChannel[ch]})
			}
			w.period(first...)
			w.period(channelFeedback{"project-a", "f1", p2}, channelFeedback{"project-b", "f1", nil})
			w.period(channelFeedback{"project-a", "f1", nil}, channelFeedback{"project-b", "f1", nil})
			w.period(channelFeedback{"project-a", "f1", nil}, channelFeedback{"project-b", "f1", p4})

			rows, err := w.c.GetTrustTable(w.as("f1"))
			if err != nil {
				t.Fatal(err)
			}
			var got []trust.Entry
			for _, r := range rows {
				if strings.HasPrefix(r.MemberID, "m") {
					got = append(got, trust.Entry{ID: r.MemberID, Trust: r.Trust, Level: r.Level})
					if ev, _ := tab.Evidence(r.MemberID); ev != r.Evidence {
						t.Errorf("%s evidence %+v, trust.Table has %+v", r.MemberID, r.Evidence, ev)
					}
				}
			}
			if want := tab.Snapshot(); !reflect.DeepEqual(got, want) {
				t.Fatalf("registry %+v\ntrust.Table %+v", got, want)
			}
			// Pinned, so that a change to either side shows: m4's praise from
			// low-trust raters, forty times over, counts once per rater and
			// stays in the capped low band.
			if got[3].Trust != 257_189 || got[3].Level != trust.MediumTrust {
				t.Fatalf("m4 %+v", got[3])
			}
		})
	}
}

func TestDecayOncePerAppliedPeriod(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	for i := 0; i < 4; i++ {
		w.apply(w.closePeriod()) // no project is registered, so nobody is waited for
	}
	// Genesis 20 units in the very-high band, 0.5/0.5 in the low band; four
	// periods of x0.9 in integers: 18, 16.2, 14.58 and 13.122 units.
	var f2 TrustRecord
	_ = json.Unmarshal(w.stub.State["\x00trust\x00f2\x00"], &f2)
	wantEvidence := trust.Evidence{Positive: [3]int64{328_050, 0, 13_122_000}, Negative: [3]int64{328_050, 0, 0}}
	// The weight for period 4 is the trust when it began, after three decays.
	wantWeight := int64(14_580_000) * trust.Scale / (14_580_000 + 2*364_500 + 2*trust.Scale)
	if f2.Evidence != wantEvidence || f2.Weight != wantWeight || wantWeight != 842_336 {
		t.Fatalf("f2 %+v, want evidence %+v weight %d", f2, wantEvidence, wantWeight)
	}
	if clock, _ := w.c.GetTrustClock(w.as("f1")); clock.LatestPeriod != 4 || clock.OpenPeriod != 5 {
		t.Fatalf("clock %+v", clock)
	}
}

func mustTable(t *testing.T, w *world) []TrustRow {
	t.Helper()
	rows, err := w.c.GetTrustTable(w.as("f1"))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestSubmitTrustSnapshotRefusals(t *testing.T) {
	type call struct{ channel, period, snapshot, record string }
	envelope := func(entries string) string {
		return `{"channel":"project-b","period":2,"feedback":[` + entries + `]}`
	}
	valid := call{"project-b", "2", envelope(`{"rater":"f1","ratee":"v1","score":1000000}`), envelope(`{"rater":"f1","ratee":"v1","score":1000000}`)}
	with := func(f func(*call)) call { c := valid; f(&c); return c }
	snap := func(whole string) func(*call) {
		return func(c *call) { c.snapshot, c.record = whole, whole }
	}
	entries := func(list string) func(*call) { return snap(envelope(list)) }
	// on is an empty snapshot of channel for period.
	on := func(channel, period string) func(*call) {
		return func(c *call) {
			c.channel, c.period = channel, period
			c.snapshot = `{"channel":"` + channel + `","period":` + period + `,"feedback":[]}`
			c.record = c.snapshot
		}
	}
	many := strings.TrimSuffix(strings.Repeat(`{"rater":"f1","ratee":"v1","score":1},`, maxSnapshotEntries+1), ",")
	tests := []struct {
		name  string
		who   string
		call  call
		setup func(w *world)
		want  string
	}{
		{name: "bad channel", call: with(func(c *call) { c.channel = "Project_B" }),
			want: `projectChannel "Project_B" is not a channel name: give the project channel's name`},
		{name: "period zero", call: with(func(c *call) { c.period = "0" }),
			want: `period "0" is not a period number: give a whole number from 1 in decimal digits without leading zeros, e.g. 12 (periods count from 1 at genesis`},
		{name: "period with leading zero", call: with(func(c *call) { c.period = "02" }), want: `period "02" is not a period number`},
		{name: "negative period", call: with(func(c *call) { c.period = "-2" }), want: `period "-2" is not a period number`},
		{name: "period too long", call: with(func(c *call) { c.period = "1234567890123456789" }), want: "is not a period number"},
		{name: "snapshot null", call: with(snap("null")),
			want: `snapshotJSON is not a trust snapshot (channel, period or feedback is missing): give what provenance:GetTrustSnapshot returned`},
		{name: "bare list", call: with(snap(`[{"rater":"f1","ratee":"v1","score":1}]`)), want: "snapshotJSON is not a trust snapshot (json: cannot unmarshal array"},
		{name: "feedback missing", call: with(snap(`{"channel":"project-b","period":2}`)), want: "(channel, period or feedback is missing)"},
		{name: "feedback null", call: with(snap(`{"channel":"project-b","period":2,"feedback":null}`)), want: "(channel, period or feedback is missing)"},
		{name: "period as string", call: with(snap(`{"channel":"project-b","period":"2","feedback":[]}`)), want: `snapshotJSON.period "2" is not a whole number`},
		{name: "other channel's snapshot", call: with(snap(`{"channel":"project-a","period":2,"feedback":[]}`)),
			want: `snapshotJSON.channel "project-a" is not projectChannel "project-b": submit the snapshot of the channel you name`},
		{name: "other period's snapshot", call: with(snap(`{"channel":"project-b","period":3,"feedback":[]}`)),
			want: "snapshotJSON.period 3 is not period 2: submit the snapshot of the period you name"},
		{name: "unknown field", call: with(entries(`{"rater":"f1","ratee":"v1","score":1,"artifact":"a"}`)), want: `unknown field "artifact"`},
		{name: "missing score", call: with(entries(`{"rater":"f1","ratee":"v1"}`)),
			want: "snapshotJSON.feedback[0] lacks one of rater, ratee and score: give all three"},
		{name: "fractional score", call: with(entries(`{"rater":"f1","ratee":"v1","score":0.5}`)),
			want: "snapshotJSON.feedback[0].score 0.5 is not a whole number: scores are fixed-point, 1000000 = 1.0"},
		{name: "score as string", call: with(entries(`{"rater":"f1","ratee":"v1","score":"1"}`)), want: `snapshotJSON.feedback[0].score "1" is not a whole number`},
		{name: "score null", call: with(entries(`{"rater":"f1","ratee":"v1","score":null}`)), want: "snapshotJSON.feedback[0].score null is not a whole number"},
		{name: "empty rater", call: with(entries(`{"rater":"","ratee":"v1","score":1}`)),
			want: "snapshotJSON.feedback[0].rater must not be empty: give the member's client id or member id"},
		{name: "ratee with control character", call: with(entries(`{"rater":"f1","ratee":"v\u00011","score":1}`)),
			want: "snapshotJSON.feedback[0].ratee has the control character"},
		{name: "too many entries", call: with(entries(many)), want: "snapshotJSON holds 10001 feedback entries: give at most 10000 per snapshot"},
		{name: "submitter not a member", who: "stranger", want: "is not bound to any member"},
		{name: "submitter suspended", who: "v2",
			setup: func(w *world) { w.setStatus("v2", "suspended", "audit") },
			want:  `member "v2" is suspended`},
		{name: "submitter outside the project's organisations", who: "v1", call: with(on("project-c", "2")),
			setup: func(w *world) { w.register("project-c", "Org2MSP", "Org3MSP") },
			want:  `member "v1" of Org1MSP is not of project "project-c"'s organisations ("Org2MSP", "Org3MSP"): a member of one of them submits its snapshots`},
		{name: "unregistered channel", call: with(on("project-z", "2")),
			want: `project channel "project-z" is not registered: register it with RegisterProject first`},
		{name: "already submitted", setup: func(w *world) { w.submit("f2", "project-b", "2", trust.Feedback{Rater: "f2", Ratee: "v2", Score: 1}) },
			want: `the trust snapshot of channel "project-b" for period 2 was already submitted in transaction tx-`},
		{name: "already applied", call: with(func(c *call) {
			c.period = "1"
			c.snapshot = strings.Replace(c.snapshot, `"period":2`, `"period":1`, 1)
			c.record = c.snapshot
		}), want: `the trust snapshot of channel "project-b" for period 1 was already applied in transaction tx-`},
		{name: "open period", call: with(func(c *call) {
			c.period = "3"
			c.snapshot = strings.Replace(c.snapshot, `"period":2`, `"period":3`, 1)
			c.record = c.snapshot
		}), want: "period 3 is not closed (period 3 is open): snapshots are for closed periods only, and a period closes by ClosePeriod"},
		{name: "far-future period", call: with(func(c *call) {
			c.period = "999999"
			c.snapshot = `{"channel":"project-b","period":999999,"feedback":[]}`
			c.record = c.snapshot
		}), want: "period 999999 is not closed (period 3 is open)"},
		{name: "period before registration", call: with(on("project-c", "1")),
			setup: func(w *world) { w.register("project-c", "Org1MSP", "Org2MSP") },
			want:  `period 1 is before period 3, in which project "project-c" was registered: its snapshots count from then on`},
		{name: "score above 1", call: with(entries(`{"rater":"f1","ratee":"v1","score":1},{"rater":"f2","ratee":"v1","score":1000001}`)),
			want: "snapshotJSON.feedback[1].score 1000001 is outside [-1000000, 1000000] (fixed-point, 1000000 = 1.0)"},
		{name: "score below -1", call: with(entries(`{"rater":"f2","ratee":"v1","score":-1000001}`)), want: "score -1000001 is outside"},
		{name: "differs from the channel's record", call: with(func(c *call) { c.record = envelope(`{"rater":"f1","ratee":"v1","score":-1000000}`) }),
			want: `snapshot differs from channel "project-b"'s record for period 2: the submitted snapshot's sha256 is `},
		{name: "channel has fewer entries", call: with(func(c *call) { c.record = envelope("") }), want: `snapshot differs from channel "project-b"'s record`},
		{name: "channel orders differently", call: with(func(c *call) {
			c.snapshot = envelope(`{"rater":"f1","ratee":"v1","score":1},{"rater":"f2","ratee":"v1","score":2}`)
			c.record = envelope(`{"rater":"f2","ratee":"v1","score":2},{"rater":"f1","ratee":"v1","score":1}`)
		}), want: `snapshot differs from channel "project-b"'s record`},
		{name: "channel cannot be asked", call: with(func(c *call) { c.record = "" }),
			want: `channel "project-b" could not be asked for its trust snapshot of period 2 (status 500: no snapshot for period 2): this peer must have joined the channel`},
		{name: "channel answers nonsense", call: with(func(c *call) { c.record = `[]` }),
			want: `channel "project-b"'s provenance:GetTrustSnapshot returned no trust snapshot: the answer is not a trust snapshot`},
		{name: "corrupt snapshot record", setup: func(w *world) { w.stub.State["\x00submitted\x00project-b\x00"] = []byte("{") },
			want: `decoding the submitted trust snapshots of project "project-b"`},
		{name: "timestamp fails", setup: func(w *world) { w.stub.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
		{name: "ledger write fails", setup: func(w *world) { w.stub.PutStateErr = errors.New("full") },
			want: `writing the submitted trust snapshots of project "project-b": full`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := trustWorld(t, "{}")
			w.id("stranger", "Org3MSP")
			w.period(channelFeedback{"project-a", "f1", nil}, channelFeedback{"project-b", "f1", nil})
			w.closePeriod()
			if tt.setup != nil {
				tt.setup(w)
			}
			c := tt.call
			if c == (call{}) {
				c = valid
			}
			delete(w.snapshots, c.channel+"/"+c.period)
			if c.record != "" {
				w.setSnapshot(c.channel, c.period, c.record)
			}
			who := tt.who
			if who == "" {
				who = "v2"
			}
			before := w.state()
			w.refused(before, w.c.SubmitTrustSnapshot(w.as(who), c.channel, c.period, c.snapshot), tt.want)
		})
	}
}

func TestCrossCheckWithoutResponse(t *testing.T) {
	w := trustWorld(t, "{}")
	w.closePeriod()
	w.stub.Invoke = func(string, [][]byte, string) *peer.Response { return nil }
	before := w.state()
	w.refused(before, w.c.SubmitTrustSnapshot(w.as("v1"), "project-a", "1", snapshotOf("project-a", "1")), `(status 0: no response)`)
}

func TestCanonicalSnapshotIgnoresSpacingButNotOrder(t *testing.T) {
	const canonical = `{"channel":"project-a","period":7,"feedback":[{"rater":"b","ratee":"a","score":-5},{"rater":"R\u0026D \u003clab\u003e","ratee":"b","score":7}]}`
	a, err := parseSnapshot("a", []byte(canonical))
	if err != nil {
		t.Fatal(err)
	}
	spaced := "{ \"feedback\": [ {\"score\":-5, \"ratee\":\"a\", \"rater\":\"b\"},\n {\"rater\":\"R&D <lab>\",\"ratee\":\"b\",\"score\":7} ],\n \"period\": 7, \"channel\": \"project-a\" }"
	b, err := parseSnapshot("b", []byte(spaced))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(canonical))
	if string(canonicalSnapshot(a)) != canonical || string(canonicalSnapshot(b)) != canonical || snapshotHash(b) != hex.EncodeToString(sum[:]) {
		t.Fatalf("canonical forms\n%s\n%s", canonicalSnapshot(a), canonicalSnapshot(b))
	}
	b.Feedback[0], b.Feedback[1] = b.Feedback[1], b.Feedback[0]
	if snapshotHash(a) == snapshotHash(b) {
		t.Fatal("reordered entries hash alike: the channel's order is part of its record")
	}
	empty := &TrustSnapshot{Channel: "c", Period: 1, Feedback: []trust.Feedback{}}
	if got := string(canonicalSnapshot(empty)); got != `{"channel":"c","period":1,"feedback":[]}` {
		t.Fatalf("empty snapshot %s", got)
	}
}
