package provenance

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
)

// ContractName is the name clients prefix transactions with, as in
// "provenance:RecordArtifact".
const ContractName = "provenance"

// EventArtifactRecorded is emitted by RecordArtifact with the new Artifact as JSON.
const EventArtifactRecorded = "ArtifactRecorded"

// Contract records artifacts and their lineage for one project channel.
type Contract struct {
	contractapi.Contract
}

// NewContract returns the provenance contract under its fixed name.
func NewContract() *Contract {
	c := new(Contract)
	c.Name = ContractName
	c.Info = metadata.InfoMetadata{
		Title:       "bcmlp provenance",
		Description: "Artifacts on IPFS and their lineage, per project channel",
		Version:     "0.1.0",
	}
	return c
}

// RecordArtifact records artifact artifactID: the IPFS content identifier cid,
// the lowercase hex SHA-256 sha256 and the byte count size (decimal digits) of
// the stored bytes, its mediaType (type/subtype), and parents, a JSON array of
// the IDs of already recorded artifacts it was derived from ("[]" for none).
// The caller is recorded as the creator, and an ArtifactRecorded event
// announces the record.
func (c *Contract) RecordArtifact(ctx contractapi.TransactionContextInterface, artifactID string, cid string, sha256 string, size string, mediaType string, parents string) error {
	if err := validateID("artifactID", artifactID); err != nil {
		return err
	}
	if err := validateCID(cid); err != nil {
		return err
	}
	if err := validateSHA256(sha256); err != nil {
		return err
	}
	byteCount, err := parseSize(size)
	if err != nil {
		return err
	}
	if err := validateMediaType(mediaType); err != nil {
		return err
	}
	parentIDs, err := parseParents(artifactID, parents)
	if err != nil {
		return err
	}

	key, err := artifactKey(ctx, artifactID)
	if err != nil {
		return err
	}
	existing, err := ctx.GetStub().GetState(key)
	if err != nil {
		return fmt.Errorf("reading artifact %q: %w", artifactID, err)
	}
	if existing != nil {
		return fmt.Errorf("artifact %q already exists: records are immutable, so record the new content under another artifactID", artifactID)
	}
	for i, parentID := range parentIDs {
		found, err := artifactExists(ctx, parentID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("parents[%d]: artifact %q does not exist: record it with RecordArtifact first", i, parentID)
		}
	}

	creatorMSP, err := callerMSPID(ctx)
	if err != nil {
		return err
	}
	creator, err := callerID(ctx)
	if err != nil {
		return err
	}
	timestamp, err := txTime(ctx)
	if err != nil {
		return err
	}
	artifact := Artifact{
		ID:         artifactID,
		CID:        cid,
		SHA256:     sha256,
		Size:       byteCount,
		MediaType:  mediaType,
		Parents:    parentIDs,
		Creator:    creator,
		CreatorMSP: creatorMSP,
		TxID:       ctx.GetStub().GetTxID(),
		Timestamp:  timestamp,
	}
	record, err := json.Marshal(artifact)
	if err != nil {
		return fmt.Errorf("encoding artifact %q: %w", artifactID, err)
	}
	if err := ctx.GetStub().PutState(key, record); err != nil {
		return fmt.Errorf("writing artifact %q: %w", artifactID, err)
	}
	if err := ctx.GetStub().SetEvent(EventArtifactRecorded, record); err != nil {
		return fmt.Errorf("emitting %s for %q: %w", EventArtifactRecorded, artifactID, err)
	}
	return nil
}

// artifactKey is the state key of artifact id.
func artifactKey(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	key, err := ctx.GetStub().CreateCompositeKey(artifactObjectType, []string{id})
	if err != nil {
		return "", fmt.Errorf("building the key of artifact %q: %w", id, err)
	}
	return key, nil
}

// artifactExists reports whether artifact id is recorded.
func artifactExists(ctx contractapi.TransactionContextInterface, id string) (bool, error) {
	key, err := artifactKey(ctx, id)
	if err != nil {
		return false, err
	}
	record, err := ctx.GetStub().GetState(key)
	if err != nil {
		return false, fmt.Errorf("reading artifact %q: %w", id, err)
	}
	return record != nil, nil
}

// txTime returns the transaction's timestamp as RFC 3339 in UTC. The proposal's
// timestamp is the same on every endorsing peer, whereas each peer's clock is
// not, so records never read the local clock.
func txTime(ctx contractapi.TransactionContextInterface) (string, error) {
	ts, err := ctx.GetStub().GetTxTimestamp()
	if err != nil {
		return "", fmt.Errorf("reading the transaction timestamp: %w", err)
	}
	if err := ts.CheckValid(); err != nil {
		return "", fmt.Errorf("the transaction timestamp is invalid: %w", err)
	}
	return ts.AsTime().UTC().Format(time.RFC3339Nano), nil
}
