package provenance

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// GetEvaluateTransactions marks the read-only transactions, so that the
// chaincode's metadata tells clients to evaluate rather than submit them.
func (c *Contract) GetEvaluateTransactions() []string {
	return []string{"GetArtifact", "GetLineage"}
}

// GetArtifact returns artifact artifactID, or an error saying it does not exist.
func (c *Contract) GetArtifact(ctx contractapi.TransactionContextInterface, artifactID string) (*Artifact, error) {
	if err := validateID("artifactID", artifactID); err != nil {
		return nil, err
	}
	return readArtifact(ctx, artifactID)
}

// GetLineage returns artifact artifactID followed by all its ancestors,
// breadth-first: parents in the order they were recorded, then their parents,
// each ancestor once, at its first (nearest) appearance. The order depends only
// on the ledger, so every peer returns the same list.
func (c *Contract) GetLineage(ctx contractapi.TransactionContextInterface, artifactID string) ([]*Artifact, error) {
	if err := validateID("artifactID", artifactID); err != nil {
		return nil, err
	}
	root, err := readArtifact(ctx, artifactID)
	if err != nil {
		return nil, err
	}
	lineage := []*Artifact{root}
	seen := map[string]bool{root.ID: true}
	queue := append([]string(nil), root.Parents...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		ancestor, err := readArtifact(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("lineage of artifact %q: %w", artifactID, err)
		}
		lineage = append(lineage, ancestor)
		queue = append(queue, ancestor.Parents...)
	}
	return lineage, nil
}

// readArtifact loads artifact id from state.
func readArtifact(ctx contractapi.TransactionContextInterface, id string) (*Artifact, error) {
	key, err := artifactKey(ctx, id)
	if err != nil {
		return nil, err
	}
	record, err := ctx.GetStub().GetState(key)
	if err != nil {
		return nil, fmt.Errorf("reading artifact %q: %w", id, err)
	}
	if record == nil {
		return nil, fmt.Errorf("artifact %q does not exist: record it with RecordArtifact first", id)
	}
	var artifact Artifact
	if err := json.Unmarshal(record, &artifact); err != nil {
		return nil, fmt.Errorf("decoding artifact %q: %w", id, err)
	}
	if artifact.Parents == nil {
		artifact.Parents = []string{}
	}
	return &artifact, nil
}
