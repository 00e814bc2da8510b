package registry

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
)

// ContractName is the name clients prefix transactions with, as in
// "registry:RegisterMember".
const ContractName = "registry"

// EventMemberRegistered is emitted by RegisterMember with the new Member as JSON.
const EventMemberRegistered = "MemberRegistered"

// Contract is the registry of consortium members.
type Contract struct {
	contractapi.Contract
}

// NewContract returns the registry contract under its fixed name.
func NewContract() *Contract {
	c := new(Contract)
	c.Name = ContractName
	c.Info = metadata.InfoMetadata{
		Title:       "bcmlp registry",
		Description: "Consortium members on the main chain",
		Version:     "0.1.0",
	}
	return c
}

// RegisterMember records the caller's organisation's new member memberID with
// the given role. organisation must be the caller's own MSP id: an organisation
// registers only its own members. The member is recorded as active, bound to the
// caller's X.509 identity, and announced by a MemberRegistered event.
func (c *Contract) RegisterMember(ctx contractapi.TransactionContextInterface, memberID string, role string, organisation string) error {
	if err := validateID("memberID", memberID); err != nil {
		return err
	}
	if err := validateRole(role); err != nil {
		return err
	}
	mspID, err := callerMSPID(ctx)
	if err != nil {
		return err
	}
	if organisation != mspID {
		return fmt.Errorf("organisation %q is not your MSP id %q: members are registered by their own organisation, so give %q", organisation, mspID, mspID)
	}
	identity, err := callerID(ctx)
	if err != nil {
		return err
	}

	key, err := memberKey(ctx, memberID)
	if err != nil {
		return err
	}
	existing, err := ctx.GetStub().GetState(key)
	if err != nil {
		return fmt.Errorf("reading member %q: %w", memberID, err)
	}
	if existing != nil {
		return fmt.Errorf("member %q already exists: choose another memberID", memberID)
	}

	createdAt, err := txTime(ctx)
	if err != nil {
		return err
	}
	member := Member{
		ID:           memberID,
		MSPID:        mspID,
		Identity:     identity,
		Role:         role,
		Organisation: organisation,
		Status:       StatusActive,
		CreatedAt:    createdAt,
	}
	record, err := json.Marshal(member)
	if err != nil {
		return fmt.Errorf("encoding member %q: %w", memberID, err)
	}
	if err := ctx.GetStub().PutState(key, record); err != nil {
		return fmt.Errorf("writing member %q: %w", memberID, err)
	}
	if err := ctx.GetStub().SetEvent(EventMemberRegistered, record); err != nil {
		return fmt.Errorf("emitting %s for %q: %w", EventMemberRegistered, memberID, err)
	}
	return nil
}

// memberKey is the state key of member id.
func memberKey(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	key, err := ctx.GetStub().CreateCompositeKey(memberObjectType, []string{id})
	if err != nil {
		return "", fmt.Errorf("building the key of member %q: %w", id, err)
	}
	return key, nil
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
