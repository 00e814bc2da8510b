package provenance

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func initWith(c *Contract, params string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error { return c.InitProject(ctx, params) }
}

// Regression: feedback was stamped with the Unix day of the client-set
// transaction timestamp, so a client could backdate a rating into a period
// already aggregated. Now it counts in the period open when it commits.
func TestBackdatedRatingIsRefusedAndCountsInTheOpenPeriodWhenSentAgain(t *testing.T) {
	c, stub := feedbackFixture(t)
	closePeriod(t, c, stub)
	closePeriod(t, c, stub) // period 3 is open
	stub.NextTx()
	now := stub.Timestamp
	stub.Timestamp = time.Date(2025, time.March, 1, 9, 30, 0, 0, time.UTC) // period 1's day, and its Unix day
	err := c.RateRecord(fabrictest.NewContext(stub, bob()), "model-1", "1", "", "[]")
	if err == nil || !strings.Contains(err.Error(), "before period 3 opened") || !strings.Contains(err.Error(), "cannot be backdated") {
		t.Fatalf("backdated rating: %v, want it refused naming the open period", err)
	}
	ctx := fabrictest.NewContext(stub, bob())
	if feedback, err := c.GetFeedback(ctx, "model-1"); err != nil || len(feedback) != 0 {
		t.Fatalf("feedback = %+v, %v; want none written", feedback, err)
	}
	for _, p := range []string{"1", "2"} {
		if snap, err := c.GetTrustSnapshot(ctx, p); err != nil || strings.Contains(snap, bobID) {
			t.Fatalf("closed period %s = %s, %v; want it unchanged by the backdated rating", p, snap, err)
		}
	}
	if _, err := c.GetTrustSnapshot(ctx, "20148"); err == nil {
		t.Fatal("the rating's Unix day answers a snapshot")
	}
	stub.Timestamp = now
	if err := c.RateRecord(fabrictest.NewContext(stub, bob()), "model-1", "1", "", "[]"); err != nil {
		t.Fatal(err)
	}
	if feedback, err := c.GetFeedback(ctx, "model-1"); err != nil || len(feedback) != 1 || feedback[0].Period != 3 {
		t.Fatalf("feedback = %+v, %v; want it in the open period 3", feedback, err)
	}
	closePeriod(t, c, stub)
	if snap, err := c.GetTrustSnapshot(ctx, "3"); err != nil || !strings.Contains(snap, `"rater":"`+bobID+`"`) {
		t.Fatalf("period 3 = %s, %v", snap, err)
	}
}

// Regression: the snapshot of a period not yet over was answered, and grew
// afterwards; a snapshot is now answered only once its period is closed.
func TestSnapshotOfTheOpenPeriodIsRefused(t *testing.T) {
	c, stub := feedbackFixture(t)
	submit(t, stub, bob(), rate(c, "model-1", "1", "", "[]"))
	ctx := fabrictest.NewContext(stub, bob())
	if got, err := c.GetTrustSnapshot(ctx, "1"); err == nil || got != "" ||
		!strings.Contains(err.Error(), "period 1 is still open (since 2025-03-01T09:30:00.123456789Z): snapshots are for closed periods only") {
		t.Fatalf("GetTrustSnapshot(open) = %q, %v", got, err)
	}
	if _, err := c.GetTrustSnapshot(ctx, "2"); err == nil || !strings.Contains(err.Error(), "period 2 has not begun (period 1 is open)") {
		t.Fatalf("GetTrustSnapshot(future) = %v", err)
	}
}

// settingsWith returns projectParams with field set to the raw JSON value,
// or removed when value is "".
func settingsWith(field, value string) string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(projectParams), &fields); err != nil {
		panic(err)
	}
	if value == "" {
		delete(fields, field)
	} else {
		fields[field] = json.RawMessage(value)
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// writersWith returns testPhaseWriters with phase's entry set to the raw
// JSON value, or removed when value is "".
func writersWith(phase, value string) string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(testPhaseWriters), &fields); err != nil {
		panic(err)
	}
	if value == "" {
		delete(fields, phase)
	} else {
		fields[phase] = json.RawMessage(value)
	}
	raw, _ := json.Marshal(fields)
	return string(raw)
}

func TestInitProjectWritesTheClockAndTheMemberList(t *testing.T) {
	c, stub := bareFixture()
	stub.ChannelID = "mainchain"
	ctx := fabrictest.NewContext(stub, bob())
	if got, err := c.GetPeriodClock(ctx); err != nil || !reflect.DeepEqual(got, &PeriodClock{Organisations: []string{}, PhaseWriters: []PhaseWriters{}}) {
		t.Fatalf("clock before InitProject = %+v, %v", got, err)
	}
	if got, err := c.GetMembers(ctx); err != nil || len(got) != 0 {
		t.Fatalf("members before InitProject = %+v, %v", got, err)
	}
	twoOrgs := `{"periodSeconds":3600,"firstPeriod":7,"organisations":["Org2MSP","Org1MSP"],"certificateApprovals":3,"phaseWriters":` +
		strings.ReplaceAll(strings.ReplaceAll(testPhaseWriters, `,"Org3MSP"`, ``), `"Org3MSP"`, `"Org1MSP"`) +
		`,"members":` + membersJSON(testMembers[:2]) + `}`
	submit(t, stub, admin2(), initWith(c, twoOrgs))
	const wantRecord = `{"initialised":true,"periodSeconds":3600,"firstPeriod":7,"organisations":["Org1MSP","Org2MSP"],` +
		`"initialisedBy":"x509::CN=admin2,OU=admin::CN=ca.Org2MSP","initialisedByMsp":"Org2MSP","initTxId":"tx-2",` +
		`"openPeriod":7,"openedAt":"2025-03-01T09:30:01.123456789Z","openedTxId":"tx-2","openedBy":"x509::CN=admin2,OU=admin::CN=ca.Org2MSP",` +
		`"certificateApprovals":3,"phaseWriters":[` +
		`{"phase":"requirements","roles":["company"],"organisations":["Org1MSP"]},` +
		`{"phase":"data-collection","roles":["company","condition-monitor"],"organisations":["Org1MSP"]},` +
		`{"phase":"data-cleaning","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"data-labelling","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"feature-engineering","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"training","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"evaluation","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"deployment","roles":["company"],"organisations":["Org1MSP"]},` +
		`{"phase":"monitoring","roles":["condition-monitor"],"organisations":["Org1MSP"]}]}`
	if got := string(stub.State["\x00config\x00periodClock\x00"]); got != wantRecord {
		t.Fatalf("clock =\n%s\nwant\n%s", got, wantRecord)
	}
	if ev := lastEvent(t, stub); ev.Name != "ProjectInitialised" || string(ev.Payload) != wantRecord {
		t.Fatalf("event = %s %s", ev.Name, ev.Payload)
	}
	if got, err := c.GetPeriodClock(ctx); err != nil || got.OpenPeriod != 7 || got.PeriodSeconds != 3600 || got.CertificateApprovals != 3 {
		t.Fatalf("GetPeriodClock = %+v, %v", got, err)
	}
	members, err := c.GetMembers(ctx)
	if err != nil || len(members) != 2 || members[0].MemberID != "alice" || members[1].MemberID != "bob" {
		t.Fatalf("GetMembers = %+v, %v", members, err)
	}
	want := ProjectMember{MemberID: "bob", Identity: bobID, Role: "data-scientist", Organisation: "Org2MSP", Status: MemberListed,
		Changes: []MembershipChange{{Action: MemberListed, By: "x509::CN=admin2,OU=admin::CN=ca.Org2MSP", ByMSP: "Org2MSP", TxID: "tx-2", Timestamp: "2025-03-01T09:30:01.123456789Z"}}}
	if !reflect.DeepEqual(*members[1], want) {
		t.Fatalf("bob = %+v", *members[1])
	}
	// Each listed member was checked in the registry on mainchain.
	if n := len(stub.Invocations); n != 2 || stub.Invocations[0].Channel != "mainchain" || stub.Invocations[0].Args[0] != "registry:GetStanding" {
		t.Fatalf("invocations = %+v", stub.Invocations)
	}
	// The first period's snapshots: none before 7, 7 once closed.
	stub.Timestamp = stub.Timestamp.Add(time.Hour)
	submit(t, stub, admin1(), c.ClosePeriod)
	if _, err := c.GetTrustSnapshot(ctx, "6"); err == nil || !strings.Contains(err.Error(), "period 6 is before this channel's first period 7") {
		t.Fatalf("GetTrustSnapshot(6) = %v", err)
	}
	if snap, err := c.GetTrustSnapshot(ctx, "7"); err != nil || snap != `{"channel":"mainchain","period":7,"feedback":[]}` {
		t.Fatalf("GetTrustSnapshot(7) = %s, %v", snap, err)
	}
}

func TestInitProjectRefusals(t *testing.T) {
	ok := projectParams
	member := func(i int, field, value string) string {
		m := append([]memberArgument{}, testMembers...)
		switch field {
		case "memberId":
			m[i].MemberID = value
		case "identity":
			m[i].Identity = value
		case "role":
			m[i].Role = value
		case "organisation":
			m[i].Organisation = value
		}
		return settingsWith("members", membersJSON(m))
	}
	tests := []struct {
		name, params string
		who          *fabrictest.Identity
		setup        func(*testing.T, *Contract, *fabrictest.Stub)
		want         string
	}{
		{name: "client identity", who: alice(), params: ok,
			want: `InitProject needs an admin identity (NodeOU "admin") of one of the project's organisations: your identity "` + aliceID + `" of Org1MSP is not one`},
		{name: "admin of another organisation", who: fabrictest.NewAdminIdentity("Org4MSP", "admin4"), params: ok,
			want: "InitProject needs an admin of one of the project's organisations [Org1MSP Org2MSP Org3MSP]: you are an admin of Org4MSP"},
		{name: "no MSP", who: func() *fabrictest.Identity { i := admin1(); i.MSPID = ""; return i }(), params: ok,
			want: "the caller's identity names no MSP"},
		{name: "certificate unreadable", who: func() *fabrictest.Identity { i := admin1(); i.CertErr = errors.New("bad DER"); return i }(), params: ok,
			want: "reading the caller's certificate: bad DER"},
		{name: "twice", who: admin2(), params: ok,
			setup: func(t *testing.T, c *Contract, s *fabrictest.Stub) { initProject(t, c, s) },
			want:  "this channel was already initialised in transaction tx-1 by " + admin1ID + " of Org1MSP: its period length, first period and organisations can be set only once"},
		{name: "empty", params: "", want: "paramsJSON is not valid: it is empty"},
		{name: "unknown field", params: settingsWith("openPeriod", "9"), want: `paramsJSON is not valid: unknown field "openPeriod"`},
		{name: "no period length", params: settingsWith("periodSeconds", ""),
			want: "paramsJSON.periodSeconds 0 is not a period length: give the registry's periodSeconds, 1 to 31622400"},
		{name: "period length over a year", params: settingsWith("periodSeconds", "31622401"), want: "paramsJSON.periodSeconds 31622401 is not a period length"},
		{name: "first period zero", params: settingsWith("firstPeriod", "0"),
			want: "paramsJSON.firstPeriod 0 is not a period: give the registry's open period when the project was registered, at least 1"},
		{name: "one organisation", params: settingsWith("organisations", `["Org1MSP"]`), want: "paramsJSON.organisations lists 1 organisations: a project has 2 to 16"},
		{name: "bad MSP id", params: settingsWith("organisations", `["Org1MSP","-x"]`), want: `paramsJSON.organisations[1] "-x" is not an MSP id`},
		{name: "repeated organisation", params: settingsWith("organisations", `["Org1MSP","Org1MSP"]`),
			want: `paramsJSON.organisations[1] repeats "Org1MSP": list each organisation once`},
		{name: "no approvals", params: settingsWith("certificateApprovals", ""),
			want: "paramsJSON.certificateApprovals 0 is not an approval count: give the registry's approvals, 2 to 100"},
		{name: "one approval", params: settingsWith("certificateApprovals", "1"), want: "paramsJSON.certificateApprovals 1 is not an approval count"},
		{name: "too many approvals", params: settingsWith("certificateApprovals", "101"), want: "paramsJSON.certificateApprovals 101 is not an approval count"},
		{name: "approvals text", params: settingsWith("certificateApprovals", `"2"`),
			want: "paramsJSON is not valid: certificateApprovals is a JSON string where a whole number belongs"},
		{name: "no phase writers", params: settingsWith("phaseWriters", ""), want: "paramsJSON.phaseWriters is missing: give, for each phase"},
		{name: "phase writers list", params: settingsWith("phaseWriters", "[]"), want: "paramsJSON is not valid: phaseWriters is a JSON array where an object belongs"},
		{name: "phase missing", params: settingsWith("phaseWriters", writersWith("training", "")),
			want: `paramsJSON.phaseWriters.training is missing: give the roles and organisations that write phase training`},
		{name: "unknown phase", params: settingsWith("phaseWriters", writersWith("review", `{"roles":["quality-auditor"],"organisations":["Org1MSP"]}`)),
			want: "paramsJSON.phaseWriters.review is not a model life-cycle phase: give one of requirements, "},
		{name: "no roles", params: settingsWith("phaseWriters", writersWith("training", `{"roles":[],"organisations":["Org2MSP"]}`)),
			want: "paramsJSON.phaseWriters.training.roles lists 0 roles: give 1 to 8 registry roles"},
		{name: "viewer writes", params: settingsWith("phaseWriters", writersWith("training", `{"roles":["viewer"],"organisations":["Org2MSP"]}`)),
			want: "paramsJSON.phaseWriters.training.roles[0] is viewer: viewers only read"},
		{name: "unknown role", params: settingsWith("phaseWriters", writersWith("training", `{"roles":["trainer"],"organisations":["Org2MSP"]}`)),
			want: `paramsJSON.phaseWriters.training.roles[0] "trainer" is not a registry role`},
		{name: "repeated role", params: settingsWith("phaseWriters", writersWith("training", `{"roles":["data-scientist","data-scientist"],"organisations":["Org2MSP"]}`)),
			want: `paramsJSON.phaseWriters.training.roles[1] repeats "data-scientist"`},
		{name: "no organisations", params: settingsWith("phaseWriters", writersWith("training", `{"roles":["data-scientist"]}`)),
			want: "paramsJSON.phaseWriters.training.organisations lists 0 organisations"},
		{name: "outside organisation", params: settingsWith("phaseWriters", writersWith("training", `{"roles":["data-scientist"],"organisations":["Org9MSP"]}`)),
			want: `paramsJSON.phaseWriters.training.organisations[0] "Org9MSP" is not one of the project's organisations`},
		{name: "phase writers field case", params: settingsWith("phaseWriters", writersWith("training", `{"Roles":["data-scientist"],"organisations":["Org2MSP"]}`)),
			want: `unknown field "Roles" in phaseWriters.training: field names are case-sensitive, write "roles"`},
		{name: "no members", params: settingsWith("members", ""), want: "paramsJSON.members is missing: give the project's initial member list, [] for none yet"},
		{name: "member bad id", params: member(1, "memberId", "b b"), want: `paramsJSON.members[1].memberId "b b" contains a character outside`},
		{name: "member bad identity", params: member(1, "identity", "bob"), want: `paramsJSON.members[1].identity "bob" is not a client id`},
		{name: "member bad role", params: member(1, "role", "trainer"), want: `paramsJSON.members[1].role "trainer" is not a registry role`},
		{name: "member outside", params: member(1, "organisation", "Org9MSP"),
			want: `paramsJSON.members[1].organisation "Org9MSP" is not one of the project's organisations [Org1MSP Org2MSP Org3MSP]`},
		{name: "member twice", params: member(1, "memberId", "alice"), want: `paramsJSON.members[1].memberId repeats "alice" of paramsJSON.members[0]`},
		{name: "identity twice", params: member(1, "identity", aliceID), want: "paramsJSON.members[1].identity repeats the identity of paramsJSON.members[0]: one identity, one member"},
		{name: "member unknown to the registry", params: member(1, "memberId", "bobby"), want: `checking member "bobby" in the registry on mainchain failed (status 500: member "bobby" does not exist`},
		{name: "member of another identity in the registry", params: member(1, "identity", "x509::CN=mallory::CN=ca.Org2MSP"),
			want: `member "bob" of project channel project-a is bound in the registry to identity "` + bobID + `", not "x509::CN=mallory::CN=ca.Org2MSP"`},
		{name: "member under another role", params: member(3, "role", "company"),
			want: `member "dave" of project channel project-a has the role data-scientist in the registry, not company`},
		{name: "member of another organisation", params: member(3, "organisation", "Org1MSP"),
			want: `member "dave" of project channel project-a belongs to Org2MSP in the registry, not Org1MSP`},
		{name: "ledger read fails", params: ok, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: "reading the period clock: disk"},
		{name: "timestamp fails", params: ok, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := bareFixture()
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			who := tt.who
			if who == nil {
				who = admin1()
			}
			expectRefusal(t, stub, who, tt.want, initWith(c, tt.params))
		})
	}
	t.Run("write fails", func(t *testing.T) {
		c, stub := bareFixture()
		stub.PutStateErr = errors.New("full")
		if err := c.InitProject(fabrictest.NewContext(stub, admin1()), projectParams); err == nil || err.Error() != `writing member "alice": full` {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("event fails", func(t *testing.T) {
		c, stub := bareFixture()
		stub.EventErr = errors.New("too big")
		if err := c.InitProject(fabrictest.NewContext(stub, admin1()), projectParams); err == nil || err.Error() != "emitting ProjectInitialised for the period clock: too big" {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestClosePeriodAdvancesTheClock(t *testing.T) {
	c, stub := feedbackFixture(t)
	stub.Timestamp = stub.Timestamp.Add(24 * time.Hour)
	submit(t, stub, admin2(), c.ClosePeriod)
	const wantRecord = `{"initialised":true,"periodSeconds":86400,"firstPeriod":1,"organisations":["Org1MSP","Org2MSP","Org3MSP"],` +
		`"initialisedBy":"` + admin1ID + `","initialisedByMsp":"Org1MSP","initTxId":"tx-1",` +
		`"openPeriod":2,"openedAt":"2025-03-02T09:30:03.123456789Z","openedTxId":"tx-4","openedBy":"x509::CN=admin2,OU=admin::CN=ca.Org2MSP",` +
		`"certificateApprovals":2,"phaseWriters":[{"phase":"requirements","roles":["company"],"organisations":["Org1MSP"]},` +
		`{"phase":"data-collection","roles":["company","condition-monitor"],"organisations":["Org1MSP","Org3MSP"]},` +
		`{"phase":"data-cleaning","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"data-labelling","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"feature-engineering","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"training","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"evaluation","roles":["data-scientist"],"organisations":["Org2MSP"]},` +
		`{"phase":"deployment","roles":["company"],"organisations":["Org1MSP"]},` +
		`{"phase":"monitoring","roles":["condition-monitor"],"organisations":["Org3MSP"]}]}`
	if got := string(stub.State["\x00config\x00periodClock\x00"]); got != wantRecord {
		t.Fatalf("clock =\n%s\nwant\n%s", got, wantRecord)
	}
	if ev := lastEvent(t, stub); ev.Name != "PeriodClosed" || string(ev.Payload) != wantRecord {
		t.Fatalf("event = %s %s", ev.Name, ev.Payload)
	}
	submit(t, stub, bob(), rate(c, "model-1", "1", "", "[]"))
	if feedback, _ := c.GetFeedback(fabrictest.NewContext(stub, bob()), "model-1"); len(feedback) != 1 || feedback[0].Period != 2 {
		t.Fatalf("feedback = %+v", feedback)
	}
}

func TestClosePeriodRefusals(t *testing.T) {
	tests := []struct {
		name  string
		who   *fabrictest.Identity
		setup func(*testing.T, *Contract, *fabrictest.Stub)
		want  string
	}{
		{name: "too early", who: admin2(),
			setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
				// One nanosecond short of a day once expectRefusal's NextTx adds a second.
				s.Timestamp = time.Date(2025, time.March, 2, 9, 29, 59, 123456788, time.UTC)
			},
			want: "period 1 opened at 2025-03-01T09:30:00.123456789Z and closes no earlier than 2025-03-02T09:30:00.123456789Z (periodSeconds 86400): close it then"},
		{name: "too early after a close", who: admin2(),
			setup: func(t *testing.T, c *Contract, s *fabrictest.Stub) { closePeriod(t, c, s) },
			want:  "period 2 opened at 2025-03-03T09:30:03.123456789Z and closes no earlier than 2025-03-04T09:30:03.123456789Z"},
		{name: "client identity", who: bob(),
			want: `ClosePeriod needs an admin identity (NodeOU "admin") of one of the project's organisations: your identity "` + bobID + `" of Org2MSP is not one`},
		{name: "admin of another organisation", who: fabrictest.NewAdminIdentity("Org4MSP", "admin4"),
			want: "ClosePeriod needs an admin of one of the project's organisations [Org1MSP Org2MSP Org3MSP]: you are an admin of Org4MSP"},
		{name: "not initialised", who: admin1(),
			setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { delete(s.State, "\x00config\x00periodClock\x00") },
			want:  "closing a period needs the channel's period clock, and this channel is not initialised"},
		{name: "clock corrupt", who: admin1(),
			setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
				s.State["\x00config\x00periodClock\x00"] = []byte(`{"initialised":true,"periodSeconds":60,"firstPeriod":1,"organisations":["Org1MSP","Org2MSP"],"openPeriod":1,"openedAt":"yesterday"}`)
			},
			want: `decoding the period clock: openedAt "yesterday"`},
		{name: "clock without organisations", who: admin1(),
			setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
				s.State["\x00config\x00periodClock\x00"] = []byte(`{"initialised":true,"periodSeconds":60,"firstPeriod":1,"openPeriod":1}`)
			},
			want: `decoding the period clock: {"initialised":true,"periodSeconds":60,"firstPeriod":1,"openPeriod":1} is not a clock`},
		{name: "timestamp fails", who: admin1(),
			setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.TimestampErr = errors.New("no header") },
			want:  "reading the transaction timestamp: no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := feedbackFixture(t)
			stub.Timestamp = stub.Timestamp.Add(24 * time.Hour)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			expectRefusal(t, stub, tt.who, tt.want, c.ClosePeriod)
		})
	}
	t.Run("event fails", func(t *testing.T) {
		c, stub := feedbackFixture(t)
		stub.NextTx()
		stub.Timestamp = stub.Timestamp.Add(24 * time.Hour)
		stub.EventErr = errors.New("too big")
		if err := c.ClosePeriod(fabrictest.NewContext(stub, admin1())); err == nil || err.Error() != "emitting PeriodClosed for the period clock: too big" {
			t.Fatalf("err = %v", err)
		}
	})
}

// A rating committed after ClosePeriod in the same block would have read the
// clock ClosePeriod rewrote: the rating's read of the clock key is what makes
// Fabric's validation invalidate it, so it reads that key.
func TestRateRecordReadsTheClockKey(t *testing.T) {
	c, stub := feedbackFixture(t)
	stub.NextTx()
	reads := &recordingStub{Stub: stub}
	ctx := fabrictest.NewContext(stub, bob())
	ctx.SetStub(reads)
	if err := c.RateRecord(ctx, "model-1", "1", "", "[]"); err != nil {
		t.Fatal(err)
	}
	if !reads.read["\x00config\x00periodClock\x00"] {
		t.Fatalf("RateRecord read %v, not the period clock", reads.read)
	}
}

type recordingStub struct {
	*fabrictest.Stub
	read map[string]bool
}

func (s *recordingStub) GetState(key string) ([]byte, error) {
	if s.read == nil {
		s.read = map[string]bool{}
	}
	s.read[key] = true
	return s.Stub.GetState(key)
}
