package registry

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// GetEvaluateTransactions marks the read-only transactions, so that the
// chaincode's metadata tells clients to evaluate rather than submit them.
func (c *Contract) GetEvaluateTransactions() []string {
	return []string{"GetMember"}
}

// GetMember returns member memberID, or an error saying it does not exist.
func (c *Contract) GetMember(ctx contractapi.TransactionContextInterface, memberID string) (*Member, error) {
	if err := validateID("memberID", memberID); err != nil {
		return nil, err
	}
	key, err := memberKey(ctx, memberID)
	if err != nil {
		return nil, err
	}
	record, err := ctx.GetStub().GetState(key)
	if err != nil {
		return nil, fmt.Errorf("reading member %q: %w", memberID, err)
	}
	if record == nil {
		return nil, fmt.Errorf("member %q does not exist: register it with RegisterMember first", memberID)
	}
	var member Member
	if err := json.Unmarshal(record, &member); err != nil {
		return nil, fmt.Errorf("decoding member %q: %w", memberID, err)
	}
	return &member, nil
}
