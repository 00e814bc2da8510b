package provenance

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ContractName is the name clients prefix transactions with, as in
// "provenance:RecordArtifact".
const ContractName = "provenance"

// Events, one per transaction (a peer keeps only a transaction's last event,
// so a transaction that both adds and completes emits only the latter). Each
// payload is the written record as JSON, as its query returns it.
const (
	// EventArtifactRecorded is emitted by RecordArtifact with the Artifact.
	EventArtifactRecorded = "ArtifactRecorded"
	// EventFeedbackGiven is emitted by RateRecord with the Feedback.
	EventFeedbackGiven = "FeedbackGiven"
	// EventProjectInitialised is emitted by InitProject with the PeriodClock.
	EventProjectInitialised = "ProjectInitialised"
	// EventPeriodClosed is emitted by ClosePeriod with the new PeriodClock.
	EventPeriodClosed = "PeriodClosed"
	// EventModelCertificateOpened is emitted by OpenModelCertificate with the
	// ModelCertificate.
	EventModelCertificateOpened = "ModelCertificateOpened"
	// EventPhaseAdded is emitted by AddPhase with the ModelCertificate, except
	// for the ninth phase, which emits EventModelCertificateCompleted.
	EventPhaseAdded = "PhaseAdded"
	// EventModelCertificateCompleted is emitted by the AddPhase that records
	// the ninth phase, with the ModelCertificate.
	EventModelCertificateCompleted = "ModelCertificateCompleted"
	// EventModelCertificateApproved is emitted by ApproveModelCertificate with
	// the ModelCertificate, except for the approval that certifies it, which
	// emits EventModelCertified.
	EventModelCertificateApproved = "ModelCertificateApproved"
	// EventModelCertified is emitted by the approval that reaches the
	// policy's count, with the ModelCertificate.
	EventModelCertified = "ModelCertified"
	// EventPipelineCertificateRecorded is emitted by RecordPipelineCertificate
	// with the PipelineCertificate.
	EventPipelineCertificateRecorded = "PipelineCertificateRecorded"
	// EventMemberAdded is emitted by AddMember with the ProjectMember.
	EventMemberAdded = "MemberAdded"
	// EventMemberRemoved is emitted by RemoveMember with the ProjectMember.
	EventMemberRemoved = "MemberRemoved"
	// EventKeyEpochRecorded is emitted by RecordKeyEpoch with the KeyEpoch.
	EventKeyEpochRecorded = "KeyEpochRecorded"
	// EventResultBatchRecorded carries a ResultBatch.
	EventResultBatchRecorded = "ResultBatchRecorded"
)

// Contract records a project channel's artifacts, feedback and birth
// certificates. Transactions live in one file per concept (artifacts.go,
// clock.go, feedback.go, certificate.go, pipeline.go, members.go,
// keyepochs.go), queries in queries.go.
type Contract struct {
	contractapi.Contract
}

// NewContract returns the provenance contract under its fixed name.
func NewContract() *Contract {
	c := new(Contract)
	c.Name = ContractName
	c.Info = metadata.InfoMetadata{
		Title:       "bcmlp provenance",
		Description: "Artifacts on IPFS, their lineage, feedback and birth certificates, per project channel",
		Version:     "0.3.0",
	}
	return c
}

// stamp is who wrote a record and in which transaction.
type stamp struct {
	caller
	TxID      string
	Timestamp string
	// Seconds is the transaction timestamp in Unix seconds.
	Seconds int64
}

// newStamp reads the caller and the transaction's id and timestamp.
func newStamp(ctx contractapi.TransactionContextInterface) (stamp, error) {
	who, err := currentCaller(ctx)
	if err != nil {
		return stamp{}, err
	}
	ts, err := txTimestamp(ctx)
	if err != nil {
		return stamp{}, err
	}
	return stamp{
		caller:    who,
		TxID:      ctx.GetStub().GetTxID(),
		Timestamp: ts.AsTime().UTC().Format(time.RFC3339Nano),
		Seconds:   ts.GetSeconds(),
	}, nil
}

// txTimestamp returns the transaction's timestamp. The proposal's timestamp is
// the same on every endorsing peer, whereas each peer's clock is not, so
// records never read the local clock.
func txTimestamp(ctx contractapi.TransactionContextInterface) (*timestamppb.Timestamp, error) {
	ts, err := ctx.GetStub().GetTxTimestamp()
	if err != nil {
		return nil, fmt.Errorf("reading the transaction timestamp: %w", err)
	}
	if err := ts.CheckValid(); err != nil {
		return nil, fmt.Errorf("the transaction timestamp is invalid: %w", err)
	}
	return ts, nil
}

// compositeKey builds the state key of a record; what names it for errors.
func compositeKey(ctx contractapi.TransactionContextInterface, what, objectType string, attributes ...string) (string, error) {
	key, err := ctx.GetStub().CreateCompositeKey(objectType, attributes)
	if err != nil {
		return "", fmt.Errorf("building the key of %s: %w", what, err)
	}
	return key, nil
}

// readState returns the value at key, nil when absent; what names it for errors.
func readState(ctx contractapi.TransactionContextInterface, what, key string) ([]byte, error) {
	value, err := ctx.GetStub().GetState(key)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	return value, nil
}

// requireAbsent refuses with taken when a record is already stored at key:
// records are immutable, so each create checks this first.
func requireAbsent(ctx contractapi.TransactionContextInterface, what, key string, taken error) error {
	existing, err := readState(ctx, what, key)
	if err != nil {
		return err
	}
	if existing != nil {
		return taken
	}
	return nil
}

// writeRecord stores record as JSON at key and returns the bytes written.
func writeRecord(ctx contractapi.TransactionContextInterface, what, key string, record any) ([]byte, error) {
	value, err := json.Marshal(record)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", what, err)
	}
	if err := ctx.GetStub().PutState(key, value); err != nil {
		return nil, fmt.Errorf("writing %s: %w", what, err)
	}
	return value, nil
}

// emit sets the transaction's event; what names the record for errors.
func emit(ctx contractapi.TransactionContextInterface, event, what string, payload []byte) error {
	if err := ctx.GetStub().SetEvent(event, payload); err != nil {
		return fmt.Errorf("emitting %s for %s: %w", event, what, err)
	}
	return nil
}
