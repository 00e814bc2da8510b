package provenance

import (
	"reflect"
	"strings"
	"testing"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func TestNewContractName(t *testing.T) {
	if got := NewContract().GetName(); got != "provenance" {
		t.Fatalf("contract name = %q, want %q", got, "provenance")
	}
}

func TestEventNames(t *testing.T) {
	got := []string{
		EventArtifactRecorded, EventFeedbackGiven, EventProjectInitialised, EventPeriodClosed, EventModelCertificateOpened, EventPhaseAdded,
		EventModelCertificateCompleted, EventModelCertificateApproved, EventModelCertified, EventPipelineCertificateRecorded,
	}
	want := []string{
		"ArtifactRecorded", "FeedbackGiven", "ProjectInitialised", "PeriodClosed", "ModelCertificateOpened", "PhaseAdded",
		"ModelCertificateCompleted", "ModelCertificateApproved", "ModelCertified", "PipelineCertificateRecorded",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("event names = %q", got)
	}
}

func TestNewStampReadsTheTransactionNotTheClock(t *testing.T) {
	stub := fabrictest.NewStub()
	st, err := newStamp(fabrictest.NewContext(stub, bob()))
	want := stamp{caller: caller{ID: bobID, MSPID: "Org2MSP"}, TxID: "tx-1", Timestamp: "2025-03-01T09:30:00.123456789Z", Seconds: 1740821400}
	if err != nil || st != want {
		t.Fatalf("newStamp = %+v, %v", st, err)
	}
}

func TestNewStampRefusesAnInvalidTimestamp(t *testing.T) {
	stub := fabrictest.NewStub()
	// Beyond year 9999: the protobuf timestamp's CheckValid refuses it.
	stub.Timestamp = stub.Timestamp.AddDate(9000, 0, 0)
	if _, err := newStamp(fabrictest.NewContext(stub, bob())); err == nil || !strings.HasPrefix(err.Error(), "the transaction timestamp is invalid: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestTransactionsNeverReadTheirOwnWrites(t *testing.T) {
	// With writes hidden from their own transaction, as on a peer, the whole
	// flow still gives the same records.
	c, stub := certFixture(t)
	stub.IsolateWrites = true
	certifyCert1(t, c, stub)
	a := artifactOf("report-1", `["model-1"]`)
	a.kind, a.feedback = "report", "true"
	recordArgs(t, c, stub, alice(), a)
	submit(t, stub, bob(), rate(c, "report-1", "0.5", "", "[]"))
	list := components(t)
	list[4]["model"] = "cert-1"
	submit(t, stub, alice(), recordPipeline(c, "pipe-2", "2.0.0", encode(t, list), "{}"))
	closePeriod(t, c, stub)
	stub.NextTx()
	ctx := fabrictest.NewContext(stub, carol())
	if ok, err := c.IsModelCertified(ctx, "cert-1", model1SHA); !ok || err != nil {
		t.Fatalf("IsModelCertified = %v, %v", ok, err)
	}
	if snap, _ := c.GetTrustSnapshot(ctx, "1"); snap != `{"channel":"project-a","period":1,"feedback":[{"rater":"`+bobID+`","ratee":"`+aliceID+`","score":500000}]}` {
		t.Fatalf("snapshot = %s", snap)
	}
}

func TestValidateTextAllowsLineBreaksAndTabs(t *testing.T) {
	if err := validateText("comment", "line 1\r\nline 2\tend ✓", 100, "a comment"); err != nil {
		t.Fatal(err)
	}
	if err := validateText("comment", "a\u0085b", 100, "a comment"); err == nil || err.Error() != "comment has the control character U+0085 at byte 1: remove it" {
		t.Fatalf("err = %v", err)
	}
}
