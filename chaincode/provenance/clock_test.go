package provenance

import (
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
func TestBackdatedRatingCountsInTheOpenPeriod(t *testing.T) {
	c, stub := feedbackFixture(t)
	closePeriod(t, c, stub)
	closePeriod(t, c, stub) // period 3 is open
	stub.NextTx()
	now := stub.Timestamp
	stub.Timestamp = time.Date(2025, time.March, 1, 9, 30, 0, 0, time.UTC) // period 1's day, and its Unix day
	if err := c.RateRecord(fabrictest.NewContext(stub, bob()), "model-1", "1", "", "[]"); err != nil {
		t.Fatal(err)
	}
	ctx := fabrictest.NewContext(stub, bob())
	feedback, err := c.GetFeedback(ctx, "model-1")
	if err != nil || len(feedback) != 1 || feedback[0].Period != 3 {
		t.Fatalf("feedback = %+v, %v; want it in the open period 3", feedback, err)
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

func TestInitProjectWritesTheClock(t *testing.T) {
	c, stub, _ := newFixture()
	ctx := fabrictest.NewContext(stub, bob())
	if got, err := c.GetPeriodClock(ctx); err != nil || !reflect.DeepEqual(got, &PeriodClock{Organisations: []string{}}) {
		t.Fatalf("clock before InitProject = %+v, %v", got, err)
	}
	submit(t, stub, admin2(), initWith(c, `{"periodSeconds":3600,"firstPeriod":7,"organisations":["Org2MSP","Org1MSP"]}`))
	const wantRecord = `{"initialised":true,"periodSeconds":3600,"firstPeriod":7,"organisations":["Org1MSP","Org2MSP"],` +
		`"initialisedBy":"x509::CN=admin2,OU=admin::CN=ca.Org2MSP","initialisedByMsp":"Org2MSP","initTxId":"tx-2",` +
		`"openPeriod":7,"openedAt":"2025-03-01T09:30:01.123456789Z","openedTxId":"tx-2","openedBy":"x509::CN=admin2,OU=admin::CN=ca.Org2MSP"}`
	if got := string(stub.State["\x00config\x00periodClock\x00"]); got != wantRecord {
		t.Fatalf("clock =\n%s\nwant\n%s", got, wantRecord)
	}
	if ev := lastEvent(t, stub); ev.Name != "ProjectInitialised" || string(ev.Payload) != wantRecord {
		t.Fatalf("event = %s %s", ev.Name, ev.Payload)
	}
	if got, err := c.GetPeriodClock(ctx); err != nil || got.OpenPeriod != 7 || got.PeriodSeconds != 3600 {
		t.Fatalf("GetPeriodClock = %+v, %v", got, err)
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
	const ok = projectParams
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
		{name: "unknown field", params: `{"periodSeconds":60,"firstPeriod":1,"organisations":["A","B"],"openPeriod":9}`,
			want: `paramsJSON is not valid`},
		{name: "no period length", params: `{"firstPeriod":1,"organisations":["Org1MSP","Org2MSP"]}`,
			want: "paramsJSON.periodSeconds 0 is not a period length: give the registry's periodSeconds, 1 to 31622400"},
		{name: "period length over a year", params: `{"periodSeconds":31622401,"firstPeriod":1,"organisations":["Org1MSP","Org2MSP"]}`,
			want: "paramsJSON.periodSeconds 31622401 is not a period length"},
		{name: "first period zero", params: `{"periodSeconds":60,"firstPeriod":0,"organisations":["Org1MSP","Org2MSP"]}`,
			want: "paramsJSON.firstPeriod 0 is not a period: give the registry's open period when the project was registered, at least 1"},
		{name: "one organisation", params: `{"periodSeconds":60,"firstPeriod":1,"organisations":["Org1MSP"]}`,
			want: "paramsJSON.organisations lists 1 organisations: a project has 2 to 16"},
		{name: "bad MSP id", params: `{"periodSeconds":60,"firstPeriod":1,"organisations":["Org1MSP","-x"]}`,
			want: `paramsJSON.organisations[1] "-x" is not an MSP id`},
		{name: "repeated organisation", params: `{"periodSeconds":60,"firstPeriod":1,"organisations":["Org1MSP","Org1MSP"]}`,
			want: `paramsJSON.organisations[1] repeats "Org1MSP": list each organisation once`},
		{name: "ledger read fails", params: ok, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: "reading the period clock: disk"},
		{name: "timestamp fails", params: ok, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub, _ := newFixture()
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
		c, stub, _ := newFixture()
		stub.PutStateErr = errors.New("full")
		if err := c.InitProject(fabrictest.NewContext(stub, admin1()), projectParams); err == nil || err.Error() != "writing the period clock: full" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("event fails", func(t *testing.T) {
		c, stub, _ := newFixture()
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
		`"openPeriod":2,"openedAt":"2025-03-02T09:30:03.123456789Z","openedTxId":"tx-4","openedBy":"x509::CN=admin2,OU=admin::CN=ca.Org2MSP"}`
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
