package provenance

import (
	"bcmlp.local/chaincode/internal/identity"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// caller is the identity that signed the proposal.
type caller struct {
	// ID is the client id, "x509::<subject DN>::<issuer DN>".
	ID string
	// MSPID is its organisation's MSP id.
	MSPID string
}

// currentCaller reads the caller's MSP id and client id.
func currentCaller(ctx contractapi.TransactionContextInterface) (caller, error) {
	mspID, err := identity.MSPID(ctx)
	if err != nil {
		return caller{}, err
	}
	id, err := identity.ID(ctx)
	if err != nil {
		return caller{}, err
	}
	return caller{ID: id, MSPID: mspID}, nil
}

// callerAdmin returns the caller, refusing one whose certificate is not an
// admin certificate of its organisation; action names what it tried. The
// peer has checked that the certificate was issued by the caller's MSP, so
// the OU tells the organisation's own administrators from its clients.
func callerAdmin(ctx contractapi.TransactionContextInterface, action string) (caller, error) {
	who, err := currentCaller(ctx)
	if err != nil {
		return caller{}, err
	}
	if admin, err := identity.IsAdmin(ctx); err != nil {
		return caller{}, err
	} else if admin {
		return who, nil
	}
	return caller{}, fmt.Errorf("%s needs an admin identity (NodeOU %q) of one of the project's organisations: your identity %q of %s is not one; submit with your organisation's admin certificate", action, identity.AdminOU, who.ID, who.MSPID)
}
