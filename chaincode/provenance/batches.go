package provenance

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/validate"
)

// resultBatchObjectType keys result batches.
const resultBatchObjectType = "resultBatch"

// ResultBatch is a batch of per-workpiece inspection results: the Merkle
// root of its results (RFC 9162, SHA-256, one leaf per workpiece: its result
// as canonical JSON) is on chain, the results themselves are in an
// encrypted artifact of kind inference-results, and each workpiece's
// inclusion proof goes to whoever owns the workpiece, who can then prove its
// verdict without anyone seeing the others (gateway/batches.py).
type ResultBatch struct {
	ID string `json:"id"`
	// MerkleRoot is the lowercase hex root; Size the number of results.
	MerkleRoot string `json:"merkleRoot"`
	Size       int64  `json:"size"`
	// ResultsArtifactID is the inference-results artifact the caller recorded.
	ResultsArtifactID string `json:"resultsArtifactId"`
	// ModelCertificateID is the certified model that produced the results,
	// ModelSHA256 the digest it certifies.
	ModelCertificateID string `json:"modelCertificateId"`
	ModelSHA256        string `json:"modelSha256"`
	// Creator, CreatorMSP, CreatorMember, CreatorTrust, TxID and Timestamp
	// are who recorded it, its trust then, and when.
	Creator       string       `json:"creator"`
	CreatorMSP    string       `json:"creatorMsp"`
	CreatorMember string       `json:"creatorMember"`
	CreatorTrust  TrustAtWrite `json:"creatorTrust"`
	TxID          string       `json:"txId"`
	Timestamp     string       `json:"timestamp"`
}

// resultBatchKey is the state key of result batch id.
func resultBatchKey(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	return compositeKey(ctx, fmt.Sprintf("result batch %q", id), resultBatchObjectType, id)
}

// RecordResultBatch records batch batchID: merkleRoot (64 lowercase hex)
// over size (a whole number, at least 1) results, kept in artifact
// resultsArtifactID, produced by the model of certificate modelCertID.
//
// The caller is a channel member in good standing other than a viewer, and
// recorded the results artifact itself (kind inference-results): a member
// vouches only for its own results. The model certificate must be
// certified, so no batch of an uncertified model's results reaches the
// ledger. Batches are immutable. A ResultBatchRecorded event carries the
// record.
func (c *Contract) RecordResultBatch(ctx contractapi.TransactionContextInterface, batchID string, merkleRoot string, size string, resultsArtifactID string, modelCertID string) error {
	if err := validateID("batchID", batchID); err != nil {
		return err
	}
	if err := validate.SHA256("merkleRoot", merkleRoot); err != nil {
		return err
	}
	count, err := parseWholeNumber("size", size, 1, "the number of results in the batch")
	if err != nil {
		return err
	}
	if err := validateID("resultsArtifactID", resultsArtifactID); err != nil {
		return err
	}
	if err := validateID("modelCertID", modelCertID); err != nil {
		return err
	}
	who, _, err := requireWriter(ctx, "recording a result batch")
	if err != nil {
		return err
	}
	what := fmt.Sprintf("result batch %q", batchID)
	key, err := resultBatchKey(ctx, batchID)
	if err != nil {
		return err
	}
	if err := requireAbsent(ctx, what, key,
		fmt.Errorf("result batch %q already exists: batches are immutable, so record new results under another batchID", batchID)); err != nil {
		return err
	}
	results, err := readArtifact(ctx, resultsArtifactID)
	if err != nil {
		return fmt.Errorf("resultsArtifactID: %w", err)
	}
	if results.Kind != KindInferenceResults {
		return fmt.Errorf("resultsArtifactID: artifact %q is of kind %s, not %s", resultsArtifactID, results.Kind, KindInferenceResults)
	}
	if results.Creator != who.ID {
		return fmt.Errorf("resultsArtifactID: artifact %q was recorded by %s (transaction %s), not by you: a member records batches of its own results only", resultsArtifactID, results.CreatorMSP, results.TxID)
	}
	cert, _, err := readModelCertificate(ctx, modelCertID)
	if err != nil {
		return fmt.Errorf("modelCertID: %w", err)
	}
	if cert.Status != StatusCertified {
		return fmt.Errorf("modelCertID: results of a model without a complete certificate: model certificate %q is %s; inference runs certified models only", modelCertID, describeProgress(cert))
	}
	st := who.stamp
	record, err := writeRecord(ctx, what, key, ResultBatch{
		ID:                 batchID,
		MerkleRoot:         merkleRoot,
		Size:               count,
		ResultsArtifactID:  resultsArtifactID,
		ModelCertificateID: modelCertID,
		ModelSHA256:        cert.ModelSHA256,
		Creator:            st.ID,
		CreatorMSP:         st.MSPID,
		CreatorMember:      who.Member.MemberID,
		CreatorTrust:       who.Trust,
		TxID:               st.TxID,
		Timestamp:          st.Timestamp,
	})
	if err != nil {
		return err
	}
	return emit(ctx, EventResultBatchRecorded, what, record)
}

// GetResultBatch returns result batch batchID, or an error saying it does not exist.
func (c *Contract) GetResultBatch(ctx contractapi.TransactionContextInterface, batchID string) (*ResultBatch, error) {
	if err := validateID("batchID", batchID); err != nil {
		return nil, err
	}
	key, err := resultBatchKey(ctx, batchID)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("result batch %q", batchID)
	value, err := readState(ctx, what, key)
	if err != nil {
		return nil, err
	}
	if value == nil {
		return nil, fmt.Errorf("result batch %q does not exist: record it with RecordResultBatch first", batchID)
	}
	var batch ResultBatch
	if err := json.Unmarshal(value, &batch); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", what, err)
	}
	return &batch, nil
}
