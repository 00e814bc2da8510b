package provenance

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func newFixture() (*Contract, *fabrictest.Stub, *fabrictest.Identity) {
	return NewContract(), fabrictest.NewStub(), fabrictest.NewIdentity("Org1MSP", "alice")
}

// record calls RecordArtifact with valid content fields in a transaction of its own.
func record(t *testing.T, c *Contract, stub *fabrictest.Stub, id *fabrictest.Identity, artifactID, parents string) {
	t.Helper()
	stub.NextTx()
	if err := c.RecordArtifact(fabrictest.NewContext(stub, id), artifactID, helloRawCID, helloSHA256, "11", "text/plain", parents); err != nil {
		t.Fatalf("RecordArtifact(%q, %s): %v", artifactID, parents, err)
	}
}

func TestNewContractName(t *testing.T) {
	if got := NewContract().GetName(); got != "provenance" {
		t.Fatalf("contract name = %q, want %q", got, "provenance")
	}
}

func TestRecordArtifactRecordsRoot(t *testing.T) {
	c, stub, id := newFixture()
	err := c.RecordArtifact(fabrictest.NewContext(stub, id), "raw-images-1", helloRawCID, helloSHA256, "11", "text/plain", "[]")
	if err != nil {
		t.Fatalf("RecordArtifact: %v", err)
	}
	const wantKey = "\x00artifact\x00raw-images-1\x00"
	const wantRecord = `{"id":"raw-images-1","cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `",` +
		`"size":11,"mediaType":"text/plain","parents":[],"creator":"x509::CN=alice,OU=client::CN=ca.Org1MSP",` +
		`"creatorMsp":"Org1MSP","txId":"tx-1","timestamp":"2025-03-01T09:30:00.123456789Z"}`
	if keys := stub.Keys(); len(keys) != 1 || keys[0] != wantKey {
		t.Fatalf("state keys = %q, want [%q]", keys, wantKey)
	}
	if got := string(stub.State[wantKey]); got != wantRecord {
		t.Fatalf("record =\n%s\nwant\n%s", got, wantRecord)
	}
	ev, ok := stub.LastEvent()
	if !ok || ev.Name != "ArtifactRecorded" || string(ev.Payload) != wantRecord || len(stub.Events) != 1 {
		t.Fatalf("events = %+v, want one ArtifactRecorded with the record", stub.Events)
	}
}

func TestRecordArtifactKeepsParentOrderAndTransaction(t *testing.T) {
	c, stub, id := newFixture()
	record(t, c, stub, id, "raw-b", "[]")
	record(t, c, stub, id, "raw-a", "[]")
	bob := fabrictest.NewIdentity("Org2MSP", "bob")
	stub.NextTx()
	err := c.RecordArtifact(fabrictest.NewContext(stub, bob), "cleaned", docsCIDv1, strings.Repeat("ab", 32), "9223372036854775807",
		"application/vnd.bcmlp.dataset+json", ` [ "raw-b" , "raw-a" ] `)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetArtifact(fabrictest.NewContext(stub, id), "cleaned")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Parents) != "[raw-b raw-a]" {
		t.Errorf("Parents = %q, want the given order [raw-b raw-a]", a.Parents)
	}
	if a.Creator != "x509::CN=bob,OU=client::CN=ca.Org2MSP" || a.CreatorMSP != "Org2MSP" {
		t.Errorf("creator = %q / %q, want bob of Org2MSP", a.Creator, a.CreatorMSP)
	}
	if a.TxID != "tx-4" || a.Timestamp != "2025-03-01T09:30:03.123456789Z" {
		t.Errorf("TxID, Timestamp = %q, %q; want tx-4 at 09:30:03.123456789Z", a.TxID, a.Timestamp)
	}
	if a.Size != 9223372036854775807 || a.CID != docsCIDv1 || a.MediaType != "application/vnd.bcmlp.dataset+json" {
		t.Errorf("content fields = %d %q %q", a.Size, a.CID, a.MediaType)
	}
}

func TestRecordArtifactAcceptsCIDv0AndZeroSize(t *testing.T) {
	c, stub, id := newFixture()
	err := c.RecordArtifact(fabrictest.NewContext(stub, id), "empty.v0", helloCIDv0, strings.Repeat("0", 64), "0", "application/octet-stream", "[]")
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetArtifact(fabrictest.NewContext(stub, id), "empty.v0")
	if err != nil || a.Size != 0 || a.CID != helloCIDv0 {
		t.Fatalf("GetArtifact = %+v, %v", a, err)
	}
}

func TestRecordArtifactRefusals(t *testing.T) {
	type args struct{ id, cid, sha, size, mediaType, parents string }
	valid := args{"model-7", helloRawCID, helloSHA256, "11", "text/plain", `["raw-1"]`}
	with := func(f func(*args)) args { a := valid; f(&a); return a }
	manyParents := make([]string, 65)
	for i := range manyParents {
		manyParents[i] = fmt.Sprintf("%q", fmt.Sprintf("p%d", i))
	}

	tests := []struct {
		name  string
		args  args
		setup func(*fabrictest.Stub, *fabrictest.Identity)
		want  string
	}{
		{name: "empty id", args: with(func(a *args) { a.id = "" }), want: "artifactID must not be empty"},
		{name: "long id", args: with(func(a *args) { a.id = strings.Repeat("x", 65) }), want: "is 65 characters long: use at most 64"},
		{name: "id with slash", args: with(func(a *args) { a.id = "a/b" }), want: `artifactID "a/b" contains a character outside`},
		{name: "bad cid", args: with(func(a *args) { a.cid = "hello" }), want: `cid "hello" is not a valid CID`},
		{name: "empty cid", args: with(func(a *args) { a.cid = "" }), want: "cid must not be empty"},
		{name: "sha256 uppercase", args: with(func(a *args) { a.sha = strings.ToUpper(helloSHA256) }),
			want: "has a character outside 0-9 and a-f: give the digest in lowercase hex"},
		{name: "sha256 short", args: with(func(a *args) { a.sha = helloSHA256[:63] }),
			want: "has 63 characters: give the 64 lowercase hex characters of the content's SHA-256"},
		{name: "sha256 empty", args: with(func(a *args) { a.sha = "" }), want: `sha256 "" has 0 characters`},
		{name: "size negative", args: with(func(a *args) { a.size = "-1" }), want: `size "-1" is negative: give the number of stored bytes, 0 or more`},
		{name: "size fraction", args: with(func(a *args) { a.size = "1.5" }), want: `size "1.5" is not a whole number`},
		{name: "size exponent", args: with(func(a *args) { a.size = "1e3" }), want: `size "1e3" is not a whole number`},
		{name: "size plus", args: with(func(a *args) { a.size = "+5" }), want: `size "+5" is not a whole number`},
		{name: "size space", args: with(func(a *args) { a.size = " 5" }), want: `size " 5" is not a whole number`},
		{name: "size empty", args: with(func(a *args) { a.size = "" }), want: `size "" is not a whole number`},
		{name: "size overflow", args: with(func(a *args) { a.size = "9223372036854775808" }), want: `size "9223372036854775808" is too large`},
		{name: "media type empty", args: with(func(a *args) { a.mediaType = "" }), want: "mediaType must not be empty: give the content's media type"},
		{name: "media type no subtype", args: with(func(a *args) { a.mediaType = "image" }), want: `mediaType "image" is not a lowercase type/subtype`},
		{name: "media type upper", args: with(func(a *args) { a.mediaType = "Image/PNG" }), want: `mediaType "Image/PNG" is not a lowercase type/subtype`},
		{name: "media type params", args: with(func(a *args) { a.mediaType = "text/plain; charset=utf-8" }), want: "without parameters"},
		{name: "media type empty type", args: with(func(a *args) { a.mediaType = "/png" }), want: `mediaType "/png" is not`},
		{name: "parents empty string", args: with(func(a *args) { a.parents = "" }), want: `parents "" is not a JSON array of artifact IDs: give [] for none`},
		{name: "parents null", args: with(func(a *args) { a.parents = "null" }), want: `parents "null" is not a JSON array`},
		{name: "parents object", args: with(func(a *args) { a.parents = `{"raw-1":true}` }), want: "is not a JSON array"},
		{name: "parents numbers", args: with(func(a *args) { a.parents = "[1]" }), want: `parents "[1]" is not a JSON array`},
		{name: "parents bare id", args: with(func(a *args) { a.parents = "raw-1" }), want: `parents "raw-1" is not a JSON array`},
		{name: "parents trailing", args: with(func(a *args) { a.parents = `["raw-1"]x` }), want: "is not a JSON array"},
		{name: "too many parents", args: with(func(a *args) { a.parents = "[" + strings.Join(manyParents, ",") + "]" }),
			want: "parents lists 65 artifacts: give at most 64"},
		{name: "parent bad id", args: with(func(a *args) { a.parents = `["raw-1",""]` }), want: "parents[1] must not be empty"},
		{name: "parent is itself", args: with(func(a *args) { a.parents = `["raw-1","model-7"]` }),
			want: `parents[1] is "model-7", the artifact itself: an artifact cannot be its own parent`},
		{name: "parent twice", args: with(func(a *args) { a.parents = `["raw-1","raw-1"]` }), want: `parents[1] repeats "raw-1": list each parent once`},
		{name: "parent missing", args: with(func(a *args) { a.parents = `["raw-1","raw-9"]` }),
			want: `parents[1]: artifact "raw-9" does not exist: record it with RecordArtifact first`},
		{name: "duplicate artifact", args: with(func(a *args) { a.id = "raw-1"; a.parents = "[]" }),
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
			want: `reading artifact "model-7": disk`},
		{name: "timestamp fails", args: valid, setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
		{name: "ledger write fails", args: valid, setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.PutStateErr = errors.New("full") },
			want: `writing artifact "model-7": full`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub, id := newFixture()
			record(t, c, stub, id, "raw-1", "[]")
			stub.NextTx()
			if tt.setup != nil {
				tt.setup(stub, id)
			}
			before := fmt.Sprint(stub.State)
			a := tt.args
			err := c.RecordArtifact(fabrictest.NewContext(stub, id), a.id, a.cid, a.sha, a.size, a.mediaType, a.parents)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if fmt.Sprint(stub.State) != before || len(stub.Events) != 0 {
				t.Fatalf("refused call changed state or set %d events", len(stub.Events))
			}
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
	err := c.RecordArtifact(ctx, "model-7", helloRawCID, helloSHA256, "11", "text/plain", `["raw-1"]`)
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

func TestRecordArtifactEventFailureIsReported(t *testing.T) {
	c, stub, id := newFixture()
	stub.EventErr = errors.New("too big")
	err := c.RecordArtifact(fabrictest.NewContext(stub, id), "raw-1", helloRawCID, helloSHA256, "11", "text/plain", "[]")
	if err == nil || err.Error() != `emitting ArtifactRecorded for "raw-1": too big` {
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
			err := NewContract().RecordArtifact(ctx, "raw-1", helloRawCID, helloSHA256, "11", "text/plain", "[]")
			if !errors.Is(err, errNoIdentity) {
				t.Fatalf("err = %v, want %v", err, errNoIdentity)
			}
			if len(stub.State) != 0 {
				t.Fatal("state written without an identity")
			}
		})
	}
}
