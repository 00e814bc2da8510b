// Package identity reads the client identity that signed a transaction, for
// both contracts: one place for what Fabric's cid package hands a contract
// and how bcmlp reads it (the readable client id, the admin NodeOU).
package identity

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// ErrNone is returned when the proposal's creator could not be read as an
// X.509 identity; contractapi hands the contract a nil identity in that case.
var ErrNone = errors.New("the transaction carries no readable client identity: submit it signed by an X.509 identity enrolled with your organisation's CA")

// AdminOU is the organisational unit that Fabric's NodeOUs give the
// certificates of an organisation's administrators (the default
// AdminOUIdentifier, which the network's MSPs use).
const AdminOU = "admin"

// Client returns the caller's identity, refusing the nil ones that
// contractapi passes on when it cannot parse the creator.
func Client(ctx contractapi.TransactionContextInterface) (cid.ClientIdentity, error) {
	ci := ctx.GetClientIdentity()
	if ci == nil {
		return nil, ErrNone
	}
	if c, ok := ci.(*cid.ClientID); ok && c == nil {
		return nil, ErrNone
	}
	return ci, nil
}

// MSPID returns the MSP id of the identity that signed the proposal.
func MSPID(ctx contractapi.TransactionContextInterface) (string, error) {
	ci, err := Client(ctx)
	if err != nil {
		return "", err
	}
	mspID, err := ci.GetMSPID()
	if err != nil {
		return "", fmt.Errorf("reading the caller's MSP id: %w", err)
	}
	if mspID == "" {
		return "", errors.New("the caller's identity names no MSP: submit with an identity issued by your organisation's CA")
	}
	return mspID, nil
}

// ID returns the caller's client id in readable form,
// "x509::<subject DN>::<issuer DN>". The cid package hands it out
// base64-encoded; the decoded form is what people and the gateway compare.
func ID(ctx contractapi.TransactionContextInterface) (string, error) {
	ci, err := Client(ctx)
	if err != nil {
		return "", err
	}
	encoded, err := ci.GetID()
	if err != nil {
		return "", fmt.Errorf("reading the caller's client id: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("the caller's client id %q is not base64: %w", encoded, err)
	}
	if len(raw) == 0 {
		return "", errors.New("the caller's client id is empty: submit with an X.509 identity issued by your organisation's CA")
	}
	return string(raw), nil
}

// IsAdmin reports whether the caller's certificate is an admin certificate of
// its organisation. The peer has checked that the certificate was issued by
// the caller's MSP, so the OU tells the organisation's own administrators
// from its clients.
func IsAdmin(ctx contractapi.TransactionContextInterface) (bool, error) {
	ci, err := Client(ctx)
	if err != nil {
		return false, err
	}
	cert, err := ci.GetX509Certificate()
	if err != nil {
		return false, fmt.Errorf("reading the caller's certificate: %w", err)
	}
	if cert == nil {
		return false, nil
	}
	for _, ou := range cert.Subject.OrganizationalUnit {
		if ou == AdminOU {
			return true, nil
		}
	}
	return false, nil
}
