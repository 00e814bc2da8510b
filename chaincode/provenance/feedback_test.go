package provenance

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

// feedbackFixture initialises channel project-a (tx-1, period 1 open) and
// records alice's "model-1" asking for feedback (tx-2) and her "quiet-1" not
// asking (tx-3).
func feedbackFixture(t *testing.T) (*Contract, *fabrictest.Stub) {
	t.Helper()
	c, stub, _ := newFixture()
	a := artifactOf("model-1", "[]")
	a.kind, a.feedback = "model", "true"
	recordArgs(t, c, stub, alice(), a)
	record(t, c, stub, alice(), "quiet-1", "[]")
	return c, stub
}

func rate(c *Contract, artifactID, score, comment, evidence string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error {
		return c.RateRecord(ctx, artifactID, score, comment, evidence)
	}
}

func TestRateRecordStoresFeedbackIndexAndEvent(t *testing.T) {
	c, stub := feedbackFixture(t)
	evidence := `[{"cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `"}]`
	submit(t, stub, bob(), rate(c, "model-1", "0.75", "good <model> & clean", evidence))

	const wantRecord = `{"artifactId":"model-1","artifactTxId":"tx-2","rater":"` + bobID + `","raterMsp":"Org2MSP",` +
		`"ratee":"` + aliceID + `","score":750000,"comment":"good \u003cmodel\u003e \u0026 clean",` +
		`"evidence":[{"cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `"}],"period":1,` +
		`"txId":"tx-4","timestamp":"2025-03-01T09:30:03.123456789Z"}`
	key := "\x00feedback\x00model-1\x00" + bobID + "\x00"
	if got := string(stub.State[key]); got != wantRecord {
		t.Fatalf("feedback =\n%s\nwant\n%s", got, wantRecord)
	}
	indexKey := "\x00feedbackPeriod\x001\x00" + aliceID + "\x00" + bobID + "\x00model-1\x00"
	if got := string(stub.State[indexKey]); got != "750000" {
		t.Fatalf("period index = %q", got)
	}
	if ev := lastEvent(t, stub); ev.Name != "FeedbackGiven" || string(ev.Payload) != wantRecord {
		t.Fatalf("event = %s %s", ev.Name, ev.Payload)
	}
	if n := len(recordKeys(stub)); n != 5 {
		t.Fatalf("state has %d keys, want 2 artifacts, 1 request, 1 feedback, 1 index", n)
	}
}

func TestRateRecordScoresAreFixedPoint(t *testing.T) {
	for score, want := range map[string]int64{
		"1": 1_000_000, "1.0": 1_000_000, "1.000000": 1_000_000, "-1": -1_000_000, "0": 0, "-0": 0,
		"0.5": 500_000, "-0.25": -250_000, "0.000001": 1, "-0.999999": -999_999, "00.1": 100_000,
	} {
		c, stub := feedbackFixture(t)
		submit(t, stub, bob(), rate(c, "model-1", score, "", "[]"))
		got, err := c.GetFeedback(fabrictest.NewContext(stub, bob()), "model-1")
		if err != nil || len(got) != 1 || got[0].Score != want {
			t.Errorf("score %q stored as %+v, %v; want %d", score, got, err, want)
		}
	}
}

func TestRateRecordAllowsAnyMemberButTheCreator(t *testing.T) {
	c, stub := feedbackFixture(t)
	// Same organisation as the creator, another member: allowed.
	colleague := fabrictest.NewIdentity("Org1MSP", "alice2")
	enlist(t, c, stub, colleague, "alice2", "company")
	submit(t, stub, colleague, rate(c, "model-1", "1", "", "[]"))
	submit(t, stub, bob(), rate(c, "model-1", "-1", "", "[]"))
	submit(t, stub, dave(), rate(c, "model-1", "0", "", "[]"))
	got, err := c.GetFeedback(fabrictest.NewContext(stub, carol()), "model-1")
	if err != nil {
		t.Fatal(err)
	}
	var raters []string
	for _, f := range got {
		raters = append(raters, fmt.Sprintf("%s=%d@%s", f.Rater, f.Score, f.TxID))
	}
	// Ordered by rater client id, not by transaction.
	want := []string{
		"x509::CN=alice2,OU=client::CN=ca.Org1MSP=1000000@tx-4",
		bobID + "=-1000000@tx-5",
		daveID + "=0@tx-6",
	}
	if !reflect.DeepEqual(raters, want) {
		t.Fatalf("feedback = %q\nwant %q", raters, want)
	}
	if got[0].Evidence == nil || got[0].Comment != "" || got[0].Ratee != aliceID || got[0].RaterMSP != "Org1MSP" {
		t.Fatalf("first = %+v", got[0])
	}
}

func TestRateRecordRefusals(t *testing.T) {
	validEvidence := `[{"cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `"}]`
	manyEvidence := "[" + strings.TrimSuffix(strings.Repeat(validEvidence[1:len(validEvidence)-1]+",", 17), ",") + "]"
	tests := []struct {
		name                        string
		artifact, score, comment, e string
		who                         func() *fabrictest.Identity
		setup                       func(*testing.T, *Contract, *fabrictest.Stub)
		want                        string
	}{
		{name: "empty artifact", artifact: "", want: "artifactID must not be empty"},
		{name: "score empty", score: "", want: "score must not be empty: give a decimal number such as 0.75"},
		{name: "score above", score: "1.5", want: `score "1.5" is outside [-1, 1]: give a decimal from -1 (very bad) to 1 (very good)`},
		{name: "score just above", score: "1.000001", want: `score "1.000001" is outside [-1, 1]`},
		{name: "score below", score: "-1.000001", want: `score "-1.000001" is outside [-1, 1]`},
		{name: "score seven decimals", score: "0.1234567", want: `score "0.1234567" has 7 decimals: give at most 6`},
		{name: "score word", score: "good", want: `score "good" is not a decimal number: write it with digits`},
		{name: "score exponent", score: "1e-1", want: `score "1e-1" is not a decimal number`},
		{name: "score plus", score: "+0.5", want: `score "+0.5" is not a decimal number`},
		{name: "score leading point", score: ".5", want: `score ".5" is not a decimal number`},
		{name: "score trailing point", score: "1.", want: `score "1." is not a decimal number`},
		{name: "score comma", score: "0,5", want: `score "0,5" is not a decimal number`},
		{name: "score huge", score: "1234567890123", want: `score "1234567890123" has 13 digits before the point: give at most 12`},
		{name: "comment control", comment: "a\x00b", want: "comment has the control character U+0000 at byte 1: remove it"},
		{name: "comment long", comment: strings.Repeat("c", 2049), want: "comment is 2049 bytes long: give at most 2048"},
		{name: "comment not utf8", comment: "\xff", want: "comment is not valid UTF-8"},
		{name: "evidence empty", e: "", want: `evidence is not valid: it is empty: give e.g. [] or [{"cid":"bafkrei...","sha256":"<64 hex>"}]`},
		{name: "evidence null", e: "null", want: "evidence is not valid: null is not a list: give [] for none"},
		{name: "evidence object", e: "{}", want: "evidence is not valid: the value is a JSON object where a list belongs"},
		{name: "evidence unknown field", e: `[{"cid":"x","sha":"y"}]`, want: `evidence is not valid: unknown field "sha"`},
		{name: "evidence field case", e: `[{"CID":"` + helloRawCID + `","sha256":"` + helloSHA256 + `"}]`,
			want: `unknown field "CID" in [0]: field names are case-sensitive, write "cid"`},
		{name: "evidence bad cid", e: `[{"cid":"hello","sha256":"` + helloSHA256 + `"}]`, want: `evidence[0]: cid "hello" is not a valid CID`},
		{name: "evidence bad sha", e: `[{"cid":"` + helloRawCID + `","sha256":"AB"}]`, want: `evidence[0].sha256 "AB" has 2 characters`},
		{name: "evidence too many", e: manyEvidence, want: "evidence lists 17 items: give at most 16"},
		{name: "artifact missing", artifact: "nope", want: `artifact "nope" does not exist: record it with RecordArtifact first`},
		{name: "no feedback requested", artifact: "quiet-1",
			want: `artifact "quiet-1" does not request feedback: only records recorded with requestFeedback "true" can be rated`},
		{name: "creator", who: alice,
			want: `the creator cannot rate its own record: artifact "model-1" was recorded by you (` + aliceID + `); ask another member to rate it`},
		{name: "twice", setup: func(t *testing.T, c *Contract, s *fabrictest.Stub) {
			submit(t, s, bob(), rate(c, "model-1", "1", "", "[]"))
		},
			want: `you already rated artifact "model-1" (transaction tx-4): each member rates a record once`},
		{name: "no identity", who: func() *fabrictest.Identity { i := bob(); i.MSPID = ""; return i },
			want: "the caller's identity names no MSP"},
		{name: "timestamp fails", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
		{name: "ledger read fails", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: `reading the period clock: disk`},
		{name: "period clock corrupt", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
			s.State["\x00config\x00periodClock\x00"] = []byte("{")
		},
			want: "decoding the period clock: unexpected end of JSON input"},
		{name: "period clock zero", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
			s.State["\x00config\x00periodClock\x00"] = []byte(`{"initialised":true,"periodSeconds":0}`)
		}, want: `decoding the period clock: {"initialised":true,"periodSeconds":0} is not a clock`},
		{name: "not initialised", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
			delete(s.State, "\x00config\x00periodClock\x00")
		}, want: "rating a record needs the channel's period clock, and this channel is not initialised: an admin of a project organisation runs InitProject"},
		{name: "write fails", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.PutStateErr = errors.New("full") },
			want: `writing the feedback of ` + bobID + ` on artifact "model-1": full`},
		{name: "event fails", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.EventErr = errors.New("too big") },
			want: `emitting FeedbackGiven for the feedback of ` + bobID + ` on artifact "model-1": too big`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := feedbackFixture(t)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			args := struct{ artifact, score, comment, e string }{"model-1", "0.5", "", validEvidence}
			switch {
			case strings.HasPrefix(tt.name, "score"):
				args.score = tt.score
			case strings.HasPrefix(tt.name, "comment"):
				args.comment = tt.comment
			case strings.HasPrefix(tt.name, "evidence"):
				args.e = tt.e
			case strings.HasPrefix(tt.name, "artifact") || tt.name == "empty artifact" || tt.name == "no feedback requested":
				args.artifact = tt.artifact
			}
			who := bob
			if tt.who != nil {
				who = tt.who
			}
			if tt.name == "write fails" || tt.name == "event fails" {
				// These fail after the checks; the refusal helper would see a write.
				stub.NextTx()
				err := c.RateRecord(fabrictest.NewContext(stub, who()), args.artifact, args.score, args.comment, args.e)
				if err == nil || err.Error() != tt.want {
					t.Fatalf("err = %v\nwant %s", err, tt.want)
				}
				return
			}
			expectRefusal(t, stub, who(), tt.want, rate(c, args.artifact, args.score, args.comment, args.e))
		})
	}
}

func TestRateRecordIndexWriteFails(t *testing.T) {
	c, stub := feedbackFixture(t)
	stub.NextTx()
	ctx := fabrictest.NewContext(stub, bob())
	ctx.SetStub(&failPutOnKeyStub{Stub: stub, prefix: "\x00feedbackPeriod\x00"})
	err := c.RateRecord(ctx, "model-1", "1", "", "[]")
	if err == nil || err.Error() != `writing the period index of the feedback of `+bobID+` on artifact "model-1": injected` {
		t.Fatalf("err = %v", err)
	}
}

func TestRateRecordAlreadyRatedReadFails(t *testing.T) {
	c, stub := feedbackFixture(t)
	stub.NextTx()
	ctx := fabrictest.NewContext(stub, bob())
	ctx.SetStub(&failOnKeyStub{Stub: stub, key: "\x00feedback\x00model-1\x00" + bobID + "\x00"})
	err := c.RateRecord(ctx, "model-1", "1", "", "[]")
	if err == nil || err.Error() != `reading the feedback of `+bobID+` on artifact "model-1": injected` {
		t.Fatalf("err = %v", err)
	}
}

func TestGetFeedbackRefusals(t *testing.T) {
	tests := []struct {
		name, id string
		setup    func(*fabrictest.Stub)
		want     string
	}{
		{name: "bad id", id: "a b", want: `artifactID "a b" contains a character outside`},
		{name: "missing", id: "nope", want: `artifact "nope" does not exist`},
		{name: "range fails", id: "model-1", setup: func(s *fabrictest.Stub) { s.RangeErr = errors.New("down") },
			want: `reading the feedback on artifact "model-1": down`},
		{name: "iteration fails", id: "model-1", setup: func(s *fabrictest.Stub) { s.IterErr = errors.New("broken") },
			want: `reading the feedback on artifact "model-1": broken`},
		{name: "corrupt", id: "model-1", setup: func(s *fabrictest.Stub) { s.State["\x00feedback\x00model-1\x00"+bobID+"\x00"] = []byte("[") },
			want: `decoding feedback on artifact "model-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := feedbackFixture(t)
			submit(t, stub, bob(), rate(c, "model-1", "1", "", "[]"))
			if tt.setup != nil {
				tt.setup(stub)
			}
			got, err := c.GetFeedback(fabrictest.NewContext(stub, bob()), tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) || got != nil {
				t.Fatalf("GetFeedback = %v, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
	t.Run("none is an empty list", func(t *testing.T) {
		c, stub := feedbackFixture(t)
		got, err := c.GetFeedback(fabrictest.NewContext(stub, bob()), "quiet-1")
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("GetFeedback = %#v, %v", got, err)
		}
	})
	t.Run("old record without evidence", func(t *testing.T) {
		c, stub := feedbackFixture(t)
		stub.State["\x00feedback\x00model-1\x00"+bobID+"\x00"] = []byte(`{"rater":"b"}`)
		got, err := c.GetFeedback(fabrictest.NewContext(stub, bob()), "model-1")
		if err != nil || len(got) != 1 || got[0].Evidence == nil {
			t.Fatalf("GetFeedback = %+v, %v", got, err)
		}
	})
}

func awaitingIDs(t *testing.T, c *Contract, stub *fabrictest.Stub, who *fabrictest.Identity, raterID string) []string {
	t.Helper()
	list, err := c.ListAwaitingFeedback(fabrictest.NewContext(stub, who), raterID)
	if err != nil {
		t.Fatal(err)
	}
	if list == nil {
		t.Fatal("ListAwaitingFeedback returned nil, not []")
	}
	ids := []string{}
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestListAwaitingFeedback(t *testing.T) {
	c, stub := feedbackFixture(t) // alice: model-1 (asks), quiet-1 (does not)
	ask := func(who *fabrictest.Identity, id string) {
		a := artifactOf(id, "[]")
		a.feedback = "true"
		recordArgs(t, c, stub, who, a)
	}
	ask(alice(), "z-last")
	ask(bob(), "b-report")
	ask(alice(), "a-first")
	submit(t, stub, carol(), rate(c, "a-first", "0.5", "", "[]"))

	tests := []struct {
		name    string
		who     *fabrictest.Identity
		raterID string
		want    []string
	}{
		{"carol, having rated a-first", carol(), "", []string{"b-report", "model-1", "z-last"}},
		{"alice sees only others' records", alice(), "", []string{"b-report"}},
		{"bob", bob(), "", []string{"a-first", "model-1", "z-last"}},
		{"anyone asking for bob", carol(), bobID, []string{"a-first", "model-1", "z-last"}},
		{"a member with nothing rated", dave(), "", []string{"a-first", "b-report", "model-1", "z-last"}},
	}
	for _, tt := range tests {
		if got := awaitingIDs(t, c, stub, tt.who, tt.raterID); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: awaiting = %q, want %q", tt.name, got, tt.want)
		}
	}
	list, _ := c.ListAwaitingFeedback(fabrictest.NewContext(stub, bob()), "")
	if list[0].ID != "a-first" || list[0].Creator != aliceID || !list[0].RequestFeedback || list[0].TxID != "tx-6" {
		t.Fatalf("full records expected, got %+v", list[0])
	}
	// Once everyone rated, nothing awaits.
	for _, id := range []string{"a-first", "model-1", "z-last"} {
		submit(t, stub, bob(), rate(c, id, "1", "", "[]"))
	}
	if got := awaitingIDs(t, c, stub, bob(), ""); len(got) != 0 {
		t.Fatalf("bob still awaits %q", got)
	}
}

func TestListAwaitingFeedbackRefusals(t *testing.T) {
	tests := []struct {
		name    string
		raterID string
		who     *fabrictest.Identity
		setup   func(*fabrictest.Stub)
		want    string
	}{
		{name: "raterID with NUL", raterID: "x\x00y", who: bob(), want: `raterID is not a client id: give the id as the gateway reports it, "x509::<subject DN>::<issuer DN>", or "" for yourself`},
		{name: "raterID not utf8", raterID: "\xff", who: bob(), want: "raterID is not a client id"},
		{name: "raterID too long", raterID: strings.Repeat("x", 4097), who: bob(), want: "raterID is not a client id"},
		{name: "caller without id", who: func() *fabrictest.Identity { i := bob(); i.RawID = ""; return i }(), want: "the caller's client id is empty"},
		{name: "range fails", who: bob(), setup: func(s *fabrictest.Stub) { s.RangeErr = errors.New("down") }, want: "reading the feedback requests: down"},
		{name: "read fails", who: bob(), setup: func(s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: `reading the feedback of ` + bobID + ` on artifact "model-1": disk`},
		{name: "artifact gone", who: bob(), setup: func(s *fabrictest.Stub) { delete(s.State, "\x00artifact\x00model-1\x00") },
			want: `artifact "model-1" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := feedbackFixture(t)
			if tt.setup != nil {
				tt.setup(stub)
			}
			got, err := c.ListAwaitingFeedback(fabrictest.NewContext(stub, tt.who), tt.raterID)
			if err == nil || !strings.Contains(err.Error(), tt.want) || got != nil {
				t.Fatalf("ListAwaitingFeedback = %v, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
}

func TestGetTrustSnapshotIsCanonical(t *testing.T) {
	c, stub := feedbackFixture(t) // alice's model-1 asks for feedback
	lab := fabrictest.NewIdentity("Org3MSP", "R&D <lab>")
	labID := `x509::CN=R\u0026D \u003clab\u003e,OU=client::CN=ca.Org3MSP`
	enlist(t, c, stub, lab, "lab", "quality-auditor")
	ask := func(who *fabrictest.Identity, id string) {
		a := artifactOf(id, "[]")
		a.feedback = "true"
		recordArgs(t, c, stub, who, a)
	}
	ask(bob(), "bob-2")
	ask(bob(), "bob-1")
	ask(lab, "lab-1")
	submit(t, stub, carol(), rate(c, "bob-2", "-0.5", "", "[]"))
	submit(t, stub, carol(), rate(c, "bob-1", "0.25", "", "[]"))
	submit(t, stub, dave(), rate(c, "model-1", "1", "", "[]"))
	submit(t, stub, alice(), rate(c, "bob-1", "0.1", "", "[]"))
	submit(t, stub, alice(), rate(c, "lab-1", "0.000001", "", "[]"))
	// A rating after ClosePeriod belongs to the next period.
	closePeriod(t, c, stub)
	submit(t, stub, carol(), rate(c, "model-1", "-1", "", "[]"))
	closePeriod(t, c, stub)
	closePeriod(t, c, stub)

	ctx := fabrictest.NewContext(stub, carol())
	got, err := c.GetTrustSnapshot(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by ratee, then rater, then artifact, byte-wise: the lab's record
	// ("x509::CN=R" sorts before "x509::CN=a"), alice's, then bob's (bob-1 by
	// alice and by carol, then bob-2 by carol).
	want := `{"channel":"project-a","period":1,"feedback":[` +
		`{"rater":"` + aliceID + `","ratee":"` + labID + `","score":1},` +
		`{"rater":"` + daveID + `","ratee":"` + aliceID + `","score":1000000},` +
		`{"rater":"` + aliceID + `","ratee":"` + bobID + `","score":100000},` +
		`{"rater":"` + carolID + `","ratee":"` + bobID + `","score":250000},` +
		`{"rater":"` + carolID + `","ratee":"` + bobID + `","score":-500000}]}`
	if got != want {
		t.Fatalf("snapshot =\n%s\nwant\n%s", got, want)
	}
	if again, _ := c.GetTrustSnapshot(ctx, "1"); again != got {
		t.Fatal("snapshot is not repeatable")
	}
	next, err := c.GetTrustSnapshot(ctx, "2")
	if err != nil || next != `{"channel":"project-a","period":2,"feedback":[{"rater":"`+carolID+`","ratee":"`+aliceID+`","score":-1000000}]}` {
		t.Fatalf("next period = %s, %v", next, err)
	}
	empty, err := c.GetTrustSnapshot(ctx, "3")
	if err != nil || empty != `{"channel":"project-a","period":3,"feedback":[]}` {
		t.Fatalf("empty period = %s, %v", empty, err)
	}
}

func TestGetTrustSnapshotRefusals(t *testing.T) {
	tests := []struct {
		name, period string
		setup        func(*fabrictest.Stub)
		want         string
	}{
		{name: "negative", period: "-1", want: `period "-1" is not a whole number: give a closed period's number, e.g. 1`},
		{name: "zero", period: "0", want: `period "0" is less than 1`},
		{name: "empty", period: "", want: `period "" is not a whole number`},
		{name: "overflow", period: "99999999999999999999", want: `period "99999999999999999999" is too large`},
		{name: "open", period: "2", want: "period 2 is still open (since 2025-03-02T09:30:03.123456789Z): snapshots are for closed periods only"},
		{name: "future", period: "3", want: "period 3 has not begun (period 2 is open): snapshots are for closed periods only"},
		{name: "not initialised", period: "1", setup: func(s *fabrictest.Stub) { delete(s.State, "\x00config\x00periodClock\x00") },
			want: "a trust snapshot needs the channel's period clock, and this channel is not initialised"},
		{name: "range fails", period: "1", setup: func(s *fabrictest.Stub) { s.RangeErr = errors.New("down") },
			want: "reading the feedback of period 1: down"},
		{name: "corrupt score", period: "1", setup: func(s *fabrictest.Stub) {
			s.State["\x00feedbackPeriod\x001\x00a\x00b\x00c\x00"] = []byte("x")
		}, want: `decoding the feedback index of period 1: score "x"`},
		{name: "short key", period: "1", setup: func(s *fabrictest.Stub) {
			s.State["\x00feedbackPeriod\x001\x00a\x00"] = []byte("1")
		}, want: "decoding the feedback index of period 1: key has 2 parts, not 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := feedbackFixture(t)
			closePeriod(t, c, stub)
			if tt.setup != nil {
				tt.setup(stub)
			}
			got, err := c.GetTrustSnapshot(fabrictest.NewContext(stub, bob()), tt.period)
			if err == nil || !strings.Contains(err.Error(), tt.want) || got != "" {
				t.Fatalf("GetTrustSnapshot = %q, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
}

func TestGetPeriodClockCorrupt(t *testing.T) {
	c, stub := feedbackFixture(t)
	stub.State["\x00config\x00periodClock\x00"] = []byte("[")
	if got, err := c.GetPeriodClock(fabrictest.NewContext(stub, bob())); err == nil || got != nil {
		t.Fatalf("GetPeriodClock = %+v, %v", got, err)
	}
}
