package provenance

import (
	"bcmlp.local/chaincode/internal/identity"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func TestRecordArtifactRecordsRoot(t *testing.T) {
	c, stub, id := newFixture()
	a := artifactOf("raw-images-1", "[]")
	a.kind = "raw-data"
	if err := a.record(c, fabrictest.NewContext(stub, id)); err != nil {
		t.Fatalf("RecordArtifact: %v", err)
	}
	const wantKey = "\x00artifact\x00raw-images-1\x00"
	const wantRecord = `{"id":"raw-images-1","kind":"raw-data","cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `",` +
		`"size":11,"mediaType":"text/plain","parents":[],"requestFeedback":false,"pinnedOn":["Org1MSP","Org2MSP"],` +
		`"wrappedKeyEpoch":1,"creator":"x509::CN=alice,OU=client::CN=ca.Org1MSP",` +
		`"creatorMsp":"Org1MSP","creatorTrust":{"trust":0,"level":"low trust/distrust"},"txId":"tx-1","timestamp":"2025-03-01T09:30:00.123456789Z"}`
	if keys := recordKeys(stub); len(keys) != 1 || keys[0] != wantKey {
		t.Fatalf("state keys = %q, want [%q]", keys, wantKey)
	}
	if got := string(stub.State[wantKey]); got != wantRecord {
		t.Fatalf("record =\n%s\nwant\n%s", got, wantRecord)
	}
	ev := lastEvent(t, stub)
	if ev.Name != "ArtifactRecorded" || string(ev.Payload) != wantRecord {
		t.Fatalf("event = %s %s, want ArtifactRecorded with the record", ev.Name, ev.Payload)
	}
}

func TestRecordArtifactWithBoundsAndFeedbackRequest(t *testing.T) {
	c, stub, id := newFixture()
	a := artifactOf("sensor-1", "[]")
	a.kind, a.feedback, a.epoch = "raw-data", "true", "3"
	a.pinnedOn = `["Org2MSP","Org1MSP","Org3MSP"]`
	a.bounds = `{"source":"camera-3","dataType":"temperature-celsius","min":"-40.5","max":"125.000001"}`
	if err := a.record(c, fabrictest.NewContext(stub, id)); err != nil {
		t.Fatal(err)
	}
	const wantRecord = `{"id":"sensor-1","kind":"raw-data","cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `",` +
		`"size":11,"mediaType":"text/plain","parents":[],` +
		`"bounds":{"source":"camera-3","dataType":"temperature-celsius","min":-40500000,"max":125000001},` +
		`"requestFeedback":true,"pinnedOn":["Org2MSP","Org1MSP","Org3MSP"],"wrappedKeyEpoch":3,` +
		`"creator":"` + aliceID + `","creatorMsp":"Org1MSP","creatorTrust":{"trust":0,"level":"low trust/distrust"},"txId":"tx-1","timestamp":"2025-03-01T09:30:00.123456789Z"}`
	if got := string(stub.State["\x00artifact\x00sensor-1\x00"]); got != wantRecord {
		t.Fatalf("record =\n%s\nwant\n%s", got, wantRecord)
	}
	// The feedback request index names the creator.
	if got := string(stub.State["\x00feedbackRequest\x00sensor-1\x00"]); got != aliceID {
		t.Fatalf("feedback request = %q", got)
	}
	if keys := recordKeys(stub); len(keys) != 2 {
		t.Fatalf("keys = %q", keys)
	}
	got, err := c.GetArtifact(fabrictest.NewContext(stub, bob()), "sensor-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &DataBounds{Source: "camera-3", DataType: "temperature-celsius", Min: -40_500_000, Max: 125_000_001}
	if !reflect.DeepEqual(got.Bounds, want) || !got.RequestFeedback || got.WrappedKeyEpoch != 3 {
		t.Fatalf("GetArtifact = %+v (bounds %+v)", got, got.Bounds)
	}
}

func TestRecordArtifactAcceptsEveryKindAndEqualBounds(t *testing.T) {
	c, stub, id := newFixture()
	for _, kind := range []string{"raw-data", "dataset", "labels", "code", "configuration", "model", "inference-results", "report", "document"} {
		a := artifactOf("a-"+kind, "[]")
		a.kind = kind
		if isOneOf(kind, []string{"raw-data", "dataset", "labels", "inference-results"}) {
			a.bounds = `{"source":"s","dataType":"int","min":"7","max":"7.0"}`
		}
		recordArgs(t, c, stub, id, a)
		got, err := c.GetArtifact(fabrictest.NewContext(stub, id), a.id)
		if err != nil || got.Kind != kind {
			t.Fatalf("GetArtifact(%q) = %+v, %v", a.id, got, err)
		}
		if (a.bounds != "") != (got.Bounds != nil) {
			t.Fatalf("%s: bounds = %+v", kind, got.Bounds)
		}
	}
}

func TestRecordArtifactKeepsParentOrderAndTransaction(t *testing.T) {
	c, stub, id := newFixture()
	record(t, c, stub, id, "raw-b", "[]")
	record(t, c, stub, id, "raw-a", "[]")
	stub.NextTx()
	a := artifactOf("cleaned", ` [ "raw-b" , "raw-a" ] `)
	a.cid, a.sha, a.size, a.mediaType = docsCIDv1, strings.Repeat("ab", 32), "9223372036854775807", "application/vnd.bcmlp.dataset+json"
	if err := a.record(c, fabrictest.NewContext(stub, bob())); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetArtifact(fabrictest.NewContext(stub, id), "cleaned")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Parents) != "[raw-b raw-a]" {
		t.Errorf("Parents = %q, want the given order [raw-b raw-a]", got.Parents)
	}
	if got.Creator != bobID || got.CreatorMSP != "Org2MSP" {
		t.Errorf("creator = %q / %q, want bob of Org2MSP", got.Creator, got.CreatorMSP)
	}
	if got.TxID != "tx-4" || got.Timestamp != "2025-03-01T09:30:03.123456789Z" {
		t.Errorf("TxID, Timestamp = %q, %q; want tx-4 at 09:30:03.123456789Z", got.TxID, got.Timestamp)
	}
	if got.Size != 9223372036854775807 || got.CID != docsCIDv1 || got.MediaType != "application/vnd.bcmlp.dataset+json" {
		t.Errorf("content fields = %d %q %q", got.Size, got.CID, got.MediaType)
	}
}

func TestRecordArtifactAcceptsCIDv0AndZeroSize(t *testing.T) {
	c, stub, id := newFixture()
	a := artifactOf("empty.v0", "[]")
	a.cid, a.sha, a.size, a.mediaType = helloCIDv0, strings.Repeat("0", 64), "0", "application/octet-stream"
	if err := a.record(c, fabrictest.NewContext(stub, id)); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetArtifact(fabrictest.NewContext(stub, id), "empty.v0")
	if err != nil || got.Size != 0 || got.CID != helloCIDv0 {
		t.Fatalf("GetArtifact = %+v, %v", got, err)
	}
}

func TestRecordArtifactRefusals(t *testing.T) {
	valid := artifactOf("model-7", `["raw-1"]`)
	with := func(f func(*artifactArgs)) artifactArgs { a := valid; f(&a); return a }
	withBounds := func(b string) artifactArgs { return with(func(a *artifactArgs) { a.bounds = b }) }
	manyParents := make([]string, 65)
	for i := range manyParents {
		manyParents[i] = fmt.Sprintf("%q", fmt.Sprintf("p%d", i))
	}
	manyOrgs := make([]string, 33)
	for i := range manyOrgs {
		manyOrgs[i] = fmt.Sprintf(`"Org%dMSP"`, i)
	}

	tests := []struct {
		name  string
		args  artifactArgs
		setup func(*fabrictest.Stub, *fabrictest.Identity)
		want  string
	}{
		{name: "empty id", args: with(func(a *artifactArgs) { a.id = "" }), want: "artifactID must not be empty"},
		{name: "long id", args: with(func(a *artifactArgs) { a.id = strings.Repeat("x", 65) }), want: "is 65 characters long: use at most 64"},
		{name: "id with slash", args: with(func(a *artifactArgs) { a.id = "a/b" }), want: `artifactID "a/b" contains a character outside`},
		{name: "kind empty", args: with(func(a *artifactArgs) { a.kind = "" }),
			want: "kind must not be empty: give one of raw-data, dataset, labels, code, configuration, model, inference-results, report, document"},
		{name: "kind unknown", args: with(func(a *artifactArgs) { a.kind = "weights" }),
			want: `kind "weights" is not an artifact kind: give one of raw-data, dataset,`},
		{name: "kind uppercase", args: with(func(a *artifactArgs) { a.kind = "Model" }), want: `kind "Model" is not an artifact kind`},
		{name: "bad cid", args: with(func(a *artifactArgs) { a.cid = "hello" }), want: `cid "hello" is not a valid CID`},
		{name: "empty cid", args: with(func(a *artifactArgs) { a.cid = "" }), want: "cid must not be empty"},
		{name: "sha256 uppercase", args: with(func(a *artifactArgs) { a.sha = strings.ToUpper(helloSHA256) }),
			want: "has a character outside 0-9 and a-f: give the digest in lowercase hex"},
		{name: "sha256 short", args: with(func(a *artifactArgs) { a.sha = helloSHA256[:63] }),
			want: "has 63 characters: give the 64 lowercase hex characters of the content's SHA-256"},
		{name: "sha256 empty", args: with(func(a *artifactArgs) { a.sha = "" }), want: `sha256 "" has 0 characters`},
		{name: "size negative", args: with(func(a *artifactArgs) { a.size = "-1" }), want: `size "-1" is negative: give the number of plaintext bytes, 0 or more`},
		{name: "size fraction", args: with(func(a *artifactArgs) { a.size = "1.5" }), want: `size "1.5" is not a whole number`},
		{name: "size exponent", args: with(func(a *artifactArgs) { a.size = "1e3" }), want: `size "1e3" is not a whole number`},
		{name: "size plus", args: with(func(a *artifactArgs) { a.size = "+5" }), want: `size "+5" is not a whole number`},
		{name: "size space", args: with(func(a *artifactArgs) { a.size = " 5" }), want: `size " 5" is not a whole number`},
		{name: "size empty", args: with(func(a *artifactArgs) { a.size = "" }), want: `size "" is not a whole number`},
		{name: "size overflow", args: with(func(a *artifactArgs) { a.size = "9223372036854775808" }), want: `size "9223372036854775808" is too large`},
		{name: "media type empty", args: with(func(a *artifactArgs) { a.mediaType = "" }), want: "mediaType must not be empty: give the content's media type"},
		{name: "media type no subtype", args: with(func(a *artifactArgs) { a.mediaType = "image" }), want: `mediaType "image" is not a lowercase type/subtype`},
		{name: "media type upper", args: with(func(a *artifactArgs) { a.mediaType = "Image/PNG" }), want: `mediaType "Image/PNG" is not a lowercase type/subtype`},
		{name: "media type params", args: with(func(a *artifactArgs) { a.mediaType = "text/plain; charset=utf-8" }), want: "without parameters"},
		{name: "media type empty type", args: with(func(a *artifactArgs) { a.mediaType = "/png" }), want: `mediaType "/png" is not`},
		{name: "parents empty string", args: with(func(a *artifactArgs) { a.parents = "" }), want: `parents "" is not a JSON array of artifact IDs: give [] for none`},
		{name: "parents null", args: with(func(a *artifactArgs) { a.parents = "null" }), want: `parents "null" is not a JSON array`},
		{name: "parents object", args: with(func(a *artifactArgs) { a.parents = `{"raw-1":true}` }), want: "is not a JSON array"},
		{name: "parents numbers", args: with(func(a *artifactArgs) { a.parents = "[1]" }), want: `parents "[1]" is not a JSON array`},
		{name: "parents bare id", args: with(func(a *artifactArgs) { a.parents = "raw-1" }), want: `parents "raw-1" is not a JSON array`},
		{name: "parents trailing", args: with(func(a *artifactArgs) { a.parents = `["raw-1"]x` }), want: "is not a JSON array"},
		{name: "too many parents", args: with(func(a *artifactArgs) { a.parents = "[" + strings.Join(manyParents, ",") + "]" }),
			want: "parents lists 65 artifacts: give at most 64"},
		{name: "parent bad id", args: with(func(a *artifactArgs) { a.parents = `["raw-1",""]` }), want: "parents[1] must not be empty"},
		{name: "parent is itself", args: with(func(a *artifactArgs) { a.parents = `["raw-1","model-7"]` }),
			want: `parents[1] is "model-7", the artifact itself: an artifact cannot be its own parent`},
		{name: "parent twice", args: with(func(a *artifactArgs) { a.parents = `["raw-1","raw-1"]` }), want: `parents[1] repeats "raw-1": list each parent once`},
		{name: "pinnedOn empty string", args: with(func(a *artifactArgs) { a.pinnedOn = "" }),
			want: `pinnedOn "" is not a JSON array of MSP ids: give the organisations whose IPFS nodes pin the content, e.g. ["Org1MSP","Org2MSP"]`},
		{name: "pinnedOn null", args: with(func(a *artifactArgs) { a.pinnedOn = "null" }), want: `pinnedOn "null" is not a JSON array of MSP ids`},
		{name: "pinnedOn string", args: with(func(a *artifactArgs) { a.pinnedOn = `"Org1MSP"` }), want: `pinnedOn "\"Org1MSP\"" is not a JSON array`},
		{name: "pinnedOn one", args: with(func(a *artifactArgs) { a.pinnedOn = `["Org1MSP"]` }),
			want: `pinnedOn lists 1 organisations: pin the content on at least 2 organisations' nodes`},
		{name: "pinnedOn none", args: with(func(a *artifactArgs) { a.pinnedOn = `[]` }), want: `pinnedOn lists 0 organisations`},
		{name: "pinnedOn too many", args: with(func(a *artifactArgs) { a.pinnedOn = "[" + strings.Join(manyOrgs, ",") + "]" }),
			want: "pinnedOn lists 33 organisations: give at most 32"},
		{name: "pinnedOn twice", args: with(func(a *artifactArgs) { a.pinnedOn = `["Org1MSP","Org1MSP"]` }),
			want: `pinnedOn[1] repeats "Org1MSP": each organisation counts once, so pin on another organisation's node`},
		{name: "pinnedOn empty id", args: with(func(a *artifactArgs) { a.pinnedOn = `["Org1MSP",""]` }),
			want: "pinnedOn[1] must not be empty: give an organisation's MSP id, e.g. Org1MSP"},
		{name: "pinnedOn bad id", args: with(func(a *artifactArgs) { a.pinnedOn = `["Org1MSP","Org 2"]` }),
			want: `pinnedOn[1] "Org 2" is not an MSP id`},
		{name: "pinnedOn long id", args: with(func(a *artifactArgs) { a.pinnedOn = `["Org1MSP","` + strings.Repeat("O", 65) + `"]` }),
			want: "is 65 characters long: an MSP id has at most 64"},
		{name: "epoch zero", args: with(func(a *artifactArgs) { a.epoch = "0" }),
			want: `wrappedKeyEpoch "0" is less than 1: give the data key's epoch, at least 1`},
		{name: "epoch empty", args: with(func(a *artifactArgs) { a.epoch = "" }),
			want: `wrappedKeyEpoch "" is not a whole number: give the data key's epoch in decimal digits, at least 1`},
		{name: "epoch negative", args: with(func(a *artifactArgs) { a.epoch = "-1" }), want: `wrappedKeyEpoch "-1" is not a whole number`},
		{name: "epoch overflow", args: with(func(a *artifactArgs) { a.epoch = "9223372036854775808" }), want: `wrappedKeyEpoch "9223372036854775808" is too large`},
		{name: "feedback flag", args: with(func(a *artifactArgs) { a.feedback = "yes" }),
			want: `requestFeedback "yes" is neither "true" nor "false": give one of those, in lowercase`},
		{name: "feedback flag case", args: with(func(a *artifactArgs) { a.feedback = "True" }), want: `requestFeedback "True" is neither`},
		{name: "feedback flag empty", args: with(func(a *artifactArgs) { a.feedback = "" }), want: `requestFeedback "" is neither`},
		{name: "bounds on model", args: with(func(a *artifactArgs) {
			a.kind = "model"
			a.bounds = `{"source":"s","dataType":"t","min":"0","max":"1"}`
		}),
			want: `bounds are declared only for data (kinds raw-data, dataset, labels, inference-results), not for kind "model": give "" for none`},
		{name: "bounds not json", args: withBounds("x"),
			want: `bounds is not valid: it is not valid JSON at byte 1 (invalid character 'x' looking for beginning of value): give e.g. {"source":"camera-3"`},
		{name: "bounds whitespace", args: withBounds("  "), want: "bounds is not valid: it is empty"},
		{name: "bounds null", args: withBounds("null"), want: "bounds.source must not be empty"},
		{name: "bounds empty object", args: withBounds("{}"),
			want: `bounds.source must not be empty: give where the data comes from, e.g. "camera-3"`},
		{name: "bounds no type", args: withBounds(`{"source":"s","min":"0","max":"1"}`), want: `bounds.dataType must not be empty: give the values' type`},
		{name: "bounds unknown field", args: withBounds(`{"source":"s","dataType":"t","min":"0","max":"1","unit":"K"}`),
			want: `bounds is not valid: unknown field "unit"`},
		{name: "bounds field case", args: withBounds(`{"source":"s","datatype":"t","min":"0","max":"1"}`),
			want: `bounds is not valid: unknown field "datatype" in the top-level object: field names are case-sensitive, write "dataType"`},
		{name: "bounds number", args: withBounds(`{"source":"s","dataType":"t","min":0,"max":"1"}`),
			want: "bounds is not valid: min is a JSON number where a string belongs"},
		{name: "bounds trailing", args: withBounds(`{"source":"s","dataType":"t","min":"0","max":"1"} {}`),
			want: "bounds is not valid: something follows the JSON value"},
		{name: "bounds truncated", args: withBounds(`{"source":"s"`), want: "bounds is not valid: it is not valid JSON: it ends too early"},
		{name: "bounds min missing", args: withBounds(`{"source":"s","dataType":"t","max":"1"}`),
			want: "bounds.min must not be empty: give a decimal number such as 0.75"},
		{name: "bounds max bad", args: withBounds(`{"source":"s","dataType":"t","min":"0","max":"1e3"}`),
			want: `bounds.max "1e3" is not a decimal number`},
		{name: "bounds min above max", args: withBounds(`{"source":"s","dataType":"t","min":"2","max":"1.999999"}`),
			want: `bounds.min "2" is greater than bounds.max "1.999999": give min <= max`},
		{name: "bounds control char", args: withBounds(`{"source":"s\u0007","dataType":"t","min":"0","max":"1"}`),
			want: "bounds.source has the control character U+0007 at byte 1: remove it"},
		{name: "bounds long source", args: withBounds(`{"source":"` + strings.Repeat("s", 257) + `","dataType":"t","min":"0","max":"1"}`),
			want: "bounds.source is 257 bytes long: give at most 256"},
		{name: "parent missing", args: with(func(a *artifactArgs) { a.parents = `["raw-1","raw-9"]` }),
			want: `parents[1]: artifact "raw-9" does not exist: record it with RecordArtifact first`},
		{name: "duplicate artifact", args: with(func(a *artifactArgs) { a.id = "raw-1"; a.parents = "[]" }),
			want: `artifact "raw-1" already exists: records are immutable, so record the new content under another artifactID`},
		{name: "no msp", args: valid, setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.MSPID = "" },
			want: "the caller's identity names no MSP"},
		{name: "msp unreadable", args: valid, setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.MSPIDErr = errors.New("x") },
			want: "reading the caller's MSP id: x"},
		{name: "client id unreadable", args: valid, setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.IDErr = errors.New("y") },
			want: "reading the caller's client id: y"},
		{name: "client id not base64", args: valid, setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.EncodedID = "%%" },
			want: `the caller's client id "%%" is not base64`},
		{name: "client id empty", args: valid, setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.RawID = "" },
			want: "the caller's client id is empty"},
		{name: "ledger read fails", args: valid, setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.GetStateErr = errors.New("disk") },
			want: `reading the period clock: disk`},
		{name: "timestamp fails", args: valid, setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
		{name: "ledger write fails", args: valid, setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.PutStateErr = errors.New("full") },
			want: `writing artifact "model-7": full`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub, id := newFixture()
			record(t, c, stub, id, "raw-1", "[]")
			if tt.setup != nil {
				tt.setup(stub, id)
			}
			expectRefusal(t, stub, id, tt.want, func(ctx contractapi.TransactionContextInterface) error {
				return tt.args.record(c, ctx)
			})
		})
	}
}

func TestRecordArtifactParentCheckReadFails(t *testing.T) {
	c, stub, id := newFixture()
	record(t, c, stub, id, "raw-1", "[]")
	stub.NextTx()
	// The artifact itself is absent, so the first read succeeds; fail the parent's.
	failing := &failOnKeyStub{Stub: stub, key: "\x00artifact\x00raw-1\x00"}
	ctx := fabrictest.NewContext(stub, id)
	ctx.SetStub(failing)
	err := artifactOf("model-7", `["raw-1"]`).record(c, ctx)
	if err == nil || err.Error() != `reading artifact "raw-1": injected` {
		t.Fatalf("err = %v", err)
	}
}

// failOnKeyStub fails GetState for one key only.
type failOnKeyStub struct {
	*fabrictest.Stub
	key string
}

func (s *failOnKeyStub) GetState(key string) ([]byte, error) {
	if key == s.key {
		return nil, errors.New("injected")
	}
	return s.Stub.GetState(key)
}

// failPutOnKeyStub fails PutState for keys with one prefix only.
type failPutOnKeyStub struct {
	*fabrictest.Stub
	prefix string
}

func (s *failPutOnKeyStub) PutState(key string, value []byte) error {
	if strings.HasPrefix(key, s.prefix) {
		return errors.New("injected")
	}
	return s.Stub.PutState(key, value)
}

func TestRecordArtifactFeedbackIndexWriteFails(t *testing.T) {
	c, stub, id := newFixture()
	ctx := fabrictest.NewContext(stub, id)
	ctx.SetStub(&failPutOnKeyStub{Stub: stub, prefix: "\x00feedbackRequest\x00"})
	a := artifactOf("raw-1", "[]")
	a.feedback = "true"
	err := a.record(c, ctx)
	if err == nil || err.Error() != `writing the feedback request of artifact "raw-1": injected` {
		t.Fatalf("err = %v", err)
	}
}

func TestRecordArtifactEventFailureIsReported(t *testing.T) {
	c, stub, id := newFixture()
	stub.EventErr = errors.New("too big")
	err := artifactOf("raw-1", "[]").record(c, fabrictest.NewContext(stub, id))
	if err == nil || err.Error() != `emitting ArtifactRecorded for artifact "raw-1": too big` {
		t.Fatalf("err = %v", err)
	}
}

func TestRecordArtifactWithoutIdentity(t *testing.T) {
	for name, ident := range map[string]cid.ClientIdentity{
		"no identity": nil,
		// contractapi passes on cid.New's nil result when the creator cannot be parsed.
		"typed nil identity": (*cid.ClientID)(nil),
	} {
		t.Run(name, func(t *testing.T) {
			stub := fabrictest.NewStub()
			ctx := fabrictest.NewContext(stub, nil)
			if ident != nil {
				ctx.SetClientIdentity(ident)
			}
			err := artifactOf("raw-1", "[]").record(NewContract(), ctx)
			if !errors.Is(err, identity.ErrNone) {
				t.Fatalf("err = %v, want %v", err, identity.ErrNone)
			}
			if len(stub.State) != 0 {
				t.Fatal("state written without an identity")
			}
		})
	}
}
