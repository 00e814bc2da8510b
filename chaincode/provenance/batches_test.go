package provenance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

var batchRoot = strings.Repeat("5d", 32)

func recordBatch(c *Contract, batchID, root, size, results, certID string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error {
		return c.RecordResultBatch(ctx, batchID, root, size, results, certID)
	}
}

// batchFixture is certFixture with cert-1 certified and an inference-results
// artifact results-1 recorded by alice.
func batchFixture(t *testing.T) (*Contract, *fabrictest.Stub) {
	t.Helper()
	c, stub := certFixture(t)
	certifyCert1(t, c, stub)
	args := artifactOf("results-1", "[]")
	args.kind = KindInferenceResults
	recordArgs(t, c, stub, alice(), args)
	return c, stub
}

func TestRecordResultBatchRefusalsFirst(t *testing.T) {
	c, stub := batchFixture(t)
	args := artifactOf("results-bob", "[]")
	args.kind = KindInferenceResults
	recordArgs(t, c, stub, bob(), args)
	submit(t, stub, alice(), openCert(c, "cert-open", "other", "1"))
	for _, tc := range []struct {
		name, want string
		who        *fabrictest.Identity
		call       func(contractapi.TransactionContextInterface) error
	}{
		{"bad root", "merkleRoot", alice(), recordBatch(c, "b-1", "XYZ", "3", "results-1", "cert-1")},
		{"no results", "size", alice(), recordBatch(c, "b-1", batchRoot, "0", "results-1", "cert-1")},
		{"not a member", "not a member of project channel", fabrictest.NewIdentity("Org1MSP", "mallory"), recordBatch(c, "b-1", batchRoot, "3", "results-1", "cert-1")},
		{"another's results", "a member records batches of its own results only", bob(), recordBatch(c, "b-1", batchRoot, "3", "results-1", "cert-1")},
		{"not results", "is of kind raw-data, not inference-results", alice(), recordBatch(c, "b-1", batchRoot, "3", "raw-1", "cert-1")},
		{"unknown results", `artifact "nothing" does not exist`, alice(), recordBatch(c, "b-1", batchRoot, "3", "nothing", "cert-1")},
		{"uncertified model", "results of a model without a complete certificate", bob(), recordBatch(c, "b-1", batchRoot, "3", "results-bob", "cert-open")},
		{"unknown model", `model certificate "cert-9" does not exist`, alice(), recordBatch(c, "b-1", batchRoot, "3", "results-1", "cert-9")},
	} {
		t.Run(tc.name, func(t *testing.T) { expectRefusal(t, stub, tc.who, tc.want, tc.call) })
	}
}

func TestRecordResultBatchKeepsTheRootAndTheCertifiedModel(t *testing.T) {
	c, stub := batchFixture(t)
	registryOf(stub)["alice"].Trust, registryOf(stub)["alice"].Level = 610000, "high trust"
	submit(t, stub, alice(), recordBatch(c, "batch-1", batchRoot, "12", "results-1", "cert-1"))
	ev := lastEvent(t, stub)
	var batch ResultBatch
	if err := json.Unmarshal(ev.Payload, &batch); err != nil || ev.Name != EventResultBatchRecorded {
		t.Fatalf("event %s %s: %v", ev.Name, ev.Payload, err)
	}
	want := ResultBatch{
		ID: "batch-1", MerkleRoot: batchRoot, Size: 12, ResultsArtifactID: "results-1",
		ModelCertificateID: "cert-1", ModelSHA256: model1SHA, Creator: aliceID, CreatorMSP: "Org1MSP",
		CreatorMember: "alice", CreatorTrust: TrustAtWrite{610000, "high trust"}, TxID: stub.TxID, Timestamp: batch.Timestamp,
	}
	if batch != want || batch.Timestamp == "" {
		t.Fatalf("batch = %+v\nwant %+v", batch, want)
	}
	got, err := c.GetResultBatch(fabrictest.NewContext(stub, carol()), "batch-1")
	if err != nil || *got != want {
		t.Fatalf("GetResultBatch = %+v, %v", got, err)
	}
	expectRefusal(t, stub, alice(), "batches are immutable", recordBatch(c, "batch-1", batchRoot, "12", "results-1", "cert-1"))
	if _, err := c.GetResultBatch(fabrictest.NewContext(stub, carol()), "batch-2"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("GetResultBatch of an unknown batch: %v", err)
	}
}
