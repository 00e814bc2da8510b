package registry

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"bcmlp.local/chaincode/trust"
)

// A far-future empty snapshot used to decay every member's evidence to
// nothing and make every honest snapshot "too late": now only closed periods
// have snapshots, and periods close one transaction at a time.
func TestFarFutureSnapshotIsRefusedAndHonestOnesStillApply(t *testing.T) {
	w := trustWorld(t, "{}")
	before := w.state()
	raw := snapshotOf("project-a", "999999")
	w.setSnapshot("project-a", "999999", raw)
	w.refused(before, w.c.SubmitTrustSnapshot(w.as("v1"), "project-a", "999999", raw),
		"period 999999 is not closed (period 1 is open): snapshots are for closed periods only")
	// Nor can period 1 be submitted before it closes, by any clock.
	w.wait(1000 * 24 * time.Hour)
	raw = snapshotOf("project-a", "1")
	w.setSnapshot("project-a", "1", raw)
	w.refused(before, w.c.SubmitTrustSnapshot(w.as("v1"), "project-a", "1", raw), "period 1 is not closed (period 1 is open)")

	w.period(channelFeedback{"project-a", "f2", []trust.Feedback{{Rater: "f2", Ratee: "v1", Score: trust.Scale}}},
		channelFeedback{"project-b", "f3", nil})
	if row := w.trustOf("v1"); row.Evidence.Positive[trust.BandVeryHigh] != founderTrust {
		t.Fatalf("the honest snapshot did not apply: %+v", row)
	}
	if row := w.trustOf("f1"); row.Level != trust.VeryHighTrust {
		t.Fatalf("f1 after one period: %+v", row)
	}
}

func TestClosePeriodWaitsForThePeriodLength(t *testing.T) {
	w := newWorld(t)
	w.genesis(`{"periodSeconds":3600}`)
	w.wait(3600*time.Second - 2*time.Second) // the next transaction is one second later
	before := w.state()
	w.refused(before, w.c.ClosePeriod(w.as("f1")),
		"period 1 opened at 2025-03-01T09:30:03.123456789Z and closes no earlier than 2025-03-01T10:30:03.123456789Z (periodSeconds 3600): close it then")
	w.ok(w.c.ClosePeriod(w.as("f1")))
	var clock TrustClock
	if name := w.event(&clock); name != "PeriodClosed" || clock != (TrustClock{OpenPeriod: 2, OpenedAt: "2025-03-01T10:30:03.123456789Z"}) {
		t.Fatalf("event %s %+v", name, clock)
	}
	// The committee changes the length; the next close waits for the new one.
	prop, err := w.c.ProposeParameters(w.as("f1"), `{"periodSeconds":60}`)
	w.ok(err)
	w.ok(w.c.VoteParameters(w.as("f2"), prop))
	w.wait(55 * time.Second) // proposing and voting took two seconds
	before = w.state()
	w.refused(before, w.c.ClosePeriod(w.as("f1")), "(periodSeconds 60)")
	w.wait(time.Second)
	w.ok(w.c.ClosePeriod(w.as("f1")))
}

func TestClosePeriodRefusals(t *testing.T) {
	tests := []struct {
		name, who string
		setup     func(w *world)
		want      string
	}{
		{name: "viewer", who: "vera", want: `closing a period needs an admin or the committee: member "vera" is not on the committee`},
		{name: "two closed periods wait", who: "f1", setup: func(w *world) { w.closePeriod(); w.closePeriod() },
			want: "periods 1 to 2 are closed but not applied: apply period 1 with ApplyPeriod before closing period 3"},
		{name: "clock unreadable", who: "f1", setup: func(w *world) { w.stub.State["\x00trustclock\x00"] = []byte("[]") },
			want: "decoding the trust clock:"},
		{name: "clock corrupt", who: "f1", setup: func(w *world) {
			w.stub.State["\x00trustclock\x00"] = []byte(`{"latestPeriod":0,"updatedAt":"","openPeriod":1,"openedAt":"yesterday"}`)
		}, want: `decoding the trust clock: openedAt "yesterday"`},
		{name: "timestamp fails", who: "f1", setup: func(w *world) { w.stub.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.viewer("vera", "vera", "Org1MSP")
			if tt.setup != nil {
				tt.setup(w)
			}
			w.wait(48 * time.Hour)
			before := w.state()
			w.refused(before, w.c.ClosePeriod(w.as(tt.who)), tt.want)
		})
	}
}

func TestApplyPeriodWaitsForEveryProjectOrOnePeriodOfGrace(t *testing.T) {
	w := trustWorld(t, "{}")
	p1 := w.closePeriod()
	w.submit("f1", "project-a", p1, trust.Feedback{Rater: "f1", Ratee: "v2", Score: trust.Scale})
	before := w.state()
	w.refused(before, w.c.ApplyPeriod(w.as("f1"), p1),
		`period 1 waits for the snapshots of "project-b": it is applied once every registered project has submitted it, or once period 2 has closed too`)

	p2 := w.closePeriod()
	w.apply(p1)
	var period AppliedPeriod
	if w.event(&period); !reflect.DeepEqual(period.Snapshots, []SnapshotRef{{"project-a", 1}}) || !reflect.DeepEqual(period.Late, []string{"project-b"}) {
		t.Fatalf("period 1 %+v", period)
	}
	// project-b's snapshot of period 1 comes late: it is applied with period 2.
	w.submit("f3", "project-b", p1, trust.Feedback{Rater: "f3", Ratee: "v2", Score: trust.Scale})
	w.submit("f3", "project-b", p2)
	w.submit("f1", "project-a", p2)
	waiting, err := w.c.GetSubmittedSnapshots(w.as("f1"), "project-b")
	if err != nil || len(waiting.Snapshots) != 2 || waiting.Snapshots[0].Period != 1 || waiting.Snapshots[1].Period != 2 {
		t.Fatalf("waiting %+v %v", waiting, err)
	}
	w.apply(p2)
	if w.event(&period); !reflect.DeepEqual(period.Snapshots, []SnapshotRef{{"project-a", 2}, {"project-b", 1}, {"project-b", 2}}) || len(period.Late) != 0 {
		t.Fatalf("period 2 %+v", period)
	}
	late, err := w.c.GetAppliedSnapshot(w.as("f1"), "project-b", "1")
	if err != nil || late.AppliedInPeriod != 2 || late.Period != 1 || late.Feedback != 1 {
		t.Fatalf("late snapshot %+v %v", late, err)
	}
	if waiting, _ := w.c.GetSubmittedSnapshots(w.as("f1"), "project-b"); len(waiting.Snapshots) != 0 {
		t.Fatalf("still waiting after ApplyPeriod: %+v", waiting)
	}
	// v2 was rated once per period by a founder: its very-high evidence is
	// f1's weight decayed once, plus f3's weight of period 2.
	if got := w.trustOf("v2").Evidence.Positive[trust.BandVeryHigh]; got != founderTrust*9/10+18_000_000*trust.Scale/20_900_000 {
		t.Fatalf("v2 very-high evidence %d", got)
	}
}

func TestReplayedSnapshotsChangeNothing(t *testing.T) {
	w := trustWorld(t, "{}")
	fb := trust.Feedback{Rater: "f1", Ratee: "v2", Score: trust.Scale}
	p := w.period(channelFeedback{"project-a", "f1", []trust.Feedback{fb}}, channelFeedback{"project-b", "f1", nil})
	before := w.state()
	raw := snapshotOf("project-a", p, fb)
	w.refused(before, w.c.SubmitTrustSnapshot(w.as("f2"), "project-a", p, raw),
		`the trust snapshot of channel "project-a" for period 1 was already applied in transaction`)
	w.refused(before, w.c.ApplyPeriod(w.as("f2"), p), "period 1 was already applied: periods are applied once, in order, and 1 is the latest")
	// Submitted twice before it is applied, it is filed once.
	q := w.closePeriod()
	w.submit("f1", "project-a", q, fb)
	before = w.state()
	w.refused(before, w.c.SubmitTrustSnapshot(w.as("f2"), "project-a", q, snapshotOf("project-a", q, fb)),
		`the trust snapshot of channel "project-a" for period 2 was already submitted in transaction`)
}

func TestApplyPeriodRefusals(t *testing.T) {
	tests := []struct {
		name, who, period string
		setup             func(w *world)
		want              string
	}{
		{name: "not closed", who: "f1", period: "3", setup: func(w *world) {
			w.submit("f1", "project-a", "1")
			w.submit("f1", "project-a", "2")
			w.apply("1")
			w.apply("2")
		},
			want: "period 3 is not closed (period 3 is open): close it with ClosePeriod first"},
		{name: "not next", who: "f1", period: "2", want: "period 2 is not next: apply period 1 first"},
		{name: "applied", who: "f1", period: "1", setup: func(w *world) { w.apply("1") },
			want: "period 1 was already applied"},
		{name: "bad period", who: "f1", period: "01", want: `period "01" is not a period number`},
		{name: "caller not a member", who: "stranger", period: "1", want: "is not bound to any member"},
		{name: "projects unreadable", who: "f1", period: "1", setup: func(w *world) { w.stub.State["\x00project\x00project-a\x00"] = []byte("{") },
			want: `decoding the projects at key "\x00project\x00project-a\x00"`},
		{name: "snapshots unreadable", who: "f1", period: "1", setup: func(w *world) { w.stub.State["\x00submitted\x00project-a\x00"] = []byte("{") },
			want: `decoding the submitted trust snapshots of project "project-a"`},
		{name: "trust table unreadable", who: "f1", period: "1", setup: func(w *world) { w.stub.State["\x00trust\x00f3\x00"] = []byte("{") },
			want: `decoding the trust table at key "\x00trust\x00f3\x00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.viewer("v1", "v1", "Org1MSP")
			w.id("stranger", "Org1MSP")
			w.register("project-a", "Org1MSP", "Org2MSP")
			w.closePeriod()
			w.closePeriod()
			if tt.setup != nil {
				tt.setup(w)
			}
			before := w.state()
			w.refused(before, w.c.ApplyPeriod(w.as(tt.who), tt.period), tt.want)
		})
	}
}

func TestTooManyWaitingSnapshotsAreRefused(t *testing.T) {
	w := trustWorld(t, "{}")
	// project-b is silent for six periods, each applied after its grace.
	var periods []string
	for i := 0; i < 6; i++ {
		p := w.closePeriod()
		periods = append(periods, p)
		w.submit("f1", "project-a", p)
		if i > 0 {
			w.apply(periods[i-1])
		}
	}
	for _, p := range periods[:4] {
		w.submit("f2", "project-b", p)
	}
	raw := snapshotOf("project-b", periods[4])
	w.setSnapshot("project-b", periods[4], raw)
	before := w.state()
	w.refused(before, w.c.SubmitTrustSnapshot(w.as("f2"), "project-b", periods[4], raw),
		`project "project-b" has 4 snapshots waiting for ApplyPeriod: submit period 5 once they are applied`)
}

func TestRegisterProject(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.closePeriod()
	w.ok(w.c.RegisterProject(w.as("f2"), "project-a", `["Org3MSP","Org2MSP"]`))
	tx, at := w.stub.TxID, w.stub.Timestamp.UTC().Format(time.RFC3339Nano)
	want := Project{Channel: "project-a", Organisations: []string{"Org2MSP", "Org3MSP"}, FirstPeriod: 2, PeriodSeconds: 86400,
		RegisteredBy: "f2", TxID: tx, RegisteredAt: at}
	var got Project
	if name := w.event(&got); name != "ProjectRegistered" || !reflect.DeepEqual(got, want) {
		t.Fatalf("event %s %+v", name, got)
	}
	if p, err := w.c.GetProject(w.as("f1"), "project-a"); err != nil || !reflect.DeepEqual(*p, want) {
		t.Fatalf("GetProject %+v %v", p, err)
	}
	if s, err := w.c.GetSubmittedSnapshots(w.as("f1"), "project-a"); err != nil || s.Channel != "project-a" || s.Snapshots == nil || len(s.Snapshots) != 0 {
		t.Fatalf("GetSubmittedSnapshots %+v %v", s, err)
	}
}

func TestRegisterProjectRefusals(t *testing.T) {
	tests := []struct {
		name, who, channel, orgs string
		setup                    func(w *world)
		want                     string
	}{
		{name: "bad channel", who: "f1", channel: "Project", orgs: `["Org1MSP","Org2MSP"]`, want: `projectChannel "Project" is not a channel name`},
		{name: "main chain", who: "f1", channel: "mainchain", orgs: `["Org1MSP","Org2MSP"]`, want: `projectChannel "mainchain" is the main chain, not a project channel`},
		{name: "organisations not a list", who: "f1", channel: "p", orgs: `"Org1MSP"`, want: "organisationsJSON is not a JSON array of MSP ids"},
		{name: "organisations null", who: "f1", channel: "p", orgs: `null`, want: "organisationsJSON is not a JSON array of MSP ids (null)"},
		{name: "one organisation", who: "f1", channel: "p", orgs: `["Org1MSP"]`, want: "organisationsJSON lists 1 organisations: a project has 2 to 32"},
		{name: "repeated organisation", who: "f1", channel: "p", orgs: `["Org1MSP","Org1MSP"]`,
			want: `organisationsJSON[1] repeats "Org1MSP" of organisationsJSON[0]: list each organisation once`},
		{name: "bad msp id", who: "f1", channel: "p", orgs: `["Org1MSP","Org 2"]`, want: `organisationsJSON[1] "Org 2" contains a character outside`},
		{name: "unknown organisation", who: "f1", channel: "p", orgs: `["Org1MSP","Org9MSP"]`,
			want: `organisationsJSON: organisation "Org9MSP" is not enrolled in the consortium`},
		{name: "viewer", who: "vera", channel: "p", orgs: `["Org1MSP","Org2MSP"]`,
			want: `registering a project needs the committee or an admin of one of its organisations ("Org1MSP", "Org2MSP"): member "vera" is not on the committee`},
		{name: "registered twice", who: "f2", channel: "p", orgs: `["Org2MSP","Org3MSP"]`,
			setup: func(w *world) { w.register("p", "Org1MSP", "Org2MSP") }, want: `project channel "p" is already registered`},
		{name: "ledger write fails", who: "f1", channel: "p", orgs: `["Org1MSP","Org2MSP"]`,
			setup: func(w *world) { w.stub.PutStateErr = errors.New("full") }, want: `writing project "p": full`},
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
			w.refused(before, w.c.RegisterProject(w.as(tt.who), tt.channel, tt.orgs), tt.want)
		})
	}
}
