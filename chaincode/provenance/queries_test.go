package provenance

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func lineageIDs(lineage []*Artifact) []string {
	ids := make([]string, len(lineage))
	for i, a := range lineage {
		ids[i] = a.ID
	}
	return ids
}

func TestGetArtifactReturnsRecord(t *testing.T) {
	c, stub, id := newFixture()
	record(t, c, stub, id, "raw-1", "[]")
	got, err := c.GetArtifact(fabrictest.NewContext(stub, fabrictest.NewIdentity("Org2MSP", "bob")), "raw-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &Artifact{
		ID: "raw-1", Kind: "dataset", CID: helloRawCID, SHA256: helloSHA256, Size: 11, MediaType: "text/plain",
		Parents: []string{}, PinnedOn: []string{"Org1MSP", "Org2MSP"}, WrappedKeyEpoch: 1,
		Creator: "x509::CN=alice,OU=client::CN=ca.Org1MSP", CreatorMSP: "Org1MSP",
		CreatorTrust: TrustAtWrite{Trust: 0, Level: "low trust/distrust"}, TxID: "tx-2", Timestamp: "2025-03-01T09:30:01.123456789Z",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetArtifact = %+v\nwant %+v", got, want)
	}
}

func TestGetArtifactNeverReturnsNullLists(t *testing.T) {
	c, stub, id := newFixture()
	// A record written without the list fields still reads them back as [].
	stub.State["\x00artifact\x00old\x00"] = []byte(`{"id":"old"}`)
	a, err := c.GetArtifact(fabrictest.NewContext(stub, id), "old")
	if err != nil || a.Parents == nil || len(a.Parents) != 0 || a.PinnedOn == nil || len(a.PinnedOn) != 0 {
		t.Fatalf("GetArtifact = %+v, %v; want empty, non-nil parents and pinnedOn", a, err)
	}
}

// buildPipeline records a small diamond-shaped lineage:
//
//	raw-1   raw-2
//	  |  \   /
//	  |  clean
//	labels  |
//	   \   /
//	  features
//	     |
//	   model
func buildPipeline(t *testing.T) (*Contract, *fabrictest.Stub, *fabrictest.Identity) {
	c, stub, id := newFixture()
	record(t, c, stub, id, "raw-1", "[]")
	record(t, c, stub, id, "raw-2", "[]")
	record(t, c, stub, id, "clean", `["raw-1","raw-2"]`)
	record(t, c, stub, id, "labels", `["raw-1"]`)
	record(t, c, stub, id, "features", `["clean","labels"]`)
	record(t, c, stub, id, "model", `["features"]`)
	return c, stub, id
}

func TestGetLineageIsBreadthFirstInRecordedOrder(t *testing.T) {
	c, stub, id := buildPipeline(t)
	ctx := fabrictest.NewContext(stub, id)
	tests := map[string][]string{
		"model":    {"model", "features", "clean", "labels", "raw-1", "raw-2"},
		"features": {"features", "clean", "labels", "raw-1", "raw-2"},
		"clean":    {"clean", "raw-1", "raw-2"},
		"labels":   {"labels", "raw-1"},
		"raw-2":    {"raw-2"},
	}
	for start, want := range tests {
		lineage, err := c.GetLineage(ctx, start)
		if err != nil {
			t.Fatalf("GetLineage(%q): %v", start, err)
		}
		if got := lineageIDs(lineage); !reflect.DeepEqual(got, want) {
			t.Errorf("GetLineage(%q) = %q, want %q", start, got, want)
		}
	}
	// The same ledger gives the same answer every time.
	first, _ := c.GetLineage(ctx, "model")
	again, _ := c.GetLineage(ctx, "model")
	if !reflect.DeepEqual(first, again) {
		t.Fatal("GetLineage is not repeatable")
	}
	if first[1].Parents[0] != "clean" || first[1].TxID != "tx-6" {
		t.Fatalf("lineage holds the full records, got %+v", first[1])
	}
}

func TestGetLineageRefusals(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		setup func(*fabrictest.Stub)
		want  string
	}{
		{name: "missing", id: "nope", want: `artifact "nope" does not exist: record it with RecordArtifact first`},
		{name: "empty id", id: "", want: "artifactID must not be empty"},
		{name: "bad id", id: "a b", want: `artifactID "a b" contains a character outside`},
		{name: "ancestor missing", id: "model",
			setup: func(s *fabrictest.Stub) { delete(s.State, "\x00artifact\x00raw-2\x00") },
			want:  `lineage of artifact "model": artifact "raw-2" does not exist`},
		{name: "ancestor corrupt", id: "model",
			setup: func(s *fabrictest.Stub) { s.State["\x00artifact\x00labels\x00"] = []byte("[") },
			want:  `lineage of artifact "model": decoding artifact "labels"`},
		{name: "ledger read fails", id: "model",
			setup: func(s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want:  `reading artifact "model": disk`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub, id := buildPipeline(t)
			if tt.setup != nil {
				tt.setup(stub)
			}
			lineage, err := c.GetLineage(fabrictest.NewContext(stub, id), tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if lineage != nil {
				t.Fatalf("lineage = %v alongside an error", lineageIDs(lineage))
			}
		})
	}
}

func TestGetArtifactRefusals(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		setup func(*fabrictest.Stub)
		want  string
	}{
		{name: "missing", id: "nope", want: `artifact "nope" does not exist`},
		{name: "empty id", id: "", want: "artifactID must not be empty"},
		{name: "corrupt", id: "raw-1",
			setup: func(s *fabrictest.Stub) { s.State["\x00artifact\x00raw-1\x00"] = []byte("{") },
			want:  `decoding artifact "raw-1"`},
		{name: "ledger read fails", id: "raw-1",
			setup: func(s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want:  `reading artifact "raw-1": disk`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub, id := newFixture()
			record(t, c, stub, id, "raw-1", "[]")
			if tt.setup != nil {
				tt.setup(stub)
			}
			a, err := c.GetArtifact(fabrictest.NewContext(stub, id), tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if a != nil {
				t.Fatalf("artifact = %+v alongside an error", a)
			}
		})
	}
}

func TestEvaluateTransactionsAreTheQueries(t *testing.T) {
	want := []string{
		"GetArtifact", "GetLineage", "GetFeedback", "ListAwaitingFeedback", "GetPeriodClock", "GetTrustSnapshot",
		"GetModelCertificate", "IsModelCertified", "GetPipelineCertificate",
		"GetMembers", "GetProjectMember", "GetKeyEpoch", "GetKeyEpochs", "GetResultBatch",
	}
	if got := NewContract().GetEvaluateTransactions(); !reflect.DeepEqual(got, want) {
		t.Fatalf("GetEvaluateTransactions = %q", got)
	}
}
