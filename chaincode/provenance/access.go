package provenance

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// errNoIdentity is returned when the proposal's creator could not be read as an
// X.509 identity; contractapi hands the contract a nil identity in that case.
var errNoIdentity = errors.New("the transaction carries no readable client identity: submit it signed by an X.509 identity enrolled with your organisation's CA")

// clientIdentity returns the caller's identity, refusing the nil ones that
// contractapi passes on when it cannot parse the creator.
func clientIdentity(ctx contractapi.TransactionContextInterface) (cid.ClientIdentity, error) {
	ci := ctx.GetClientIdentity()
	if ci == nil {
		return nil, errNoIdentity
	}
	if c, ok := ci.(*cid.ClientID); ok && c == nil {
		return nil, errNoIdentity
	}
	return ci, nil
}

// callerMSPID returns the MSP id of the identity that signed the proposal.
func callerMSPID(ctx contractapi.TransactionContextInterface) (string, error) {
	ci, err := clientIdentity(ctx)
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

// callerID returns the caller's client id in readable form,
// "x509::<subject DN>::<issuer DN>". The cid package hands it out
// base64-encoded; the decoded form is what people and the gateway compare.
func callerID(ctx contractapi.TransactionContextInterface) (string, error) {
	ci, err := clientIdentity(ctx)
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

// caller is the identity that signed the proposal.
type caller struct {
	// ID is the client id, "x509::<subject DN>::<issuer DN>".
	ID string
	// MSPID is its organisation's MSP id.
	MSPID string
}

// currentCaller reads the caller's MSP id and client id.
func currentCaller(ctx contractapi.TransactionContextInterface) (caller, error) {
	mspID, err := callerMSPID(ctx)
	if err != nil {
		return caller{}, err
	}
	id, err := callerID(ctx)
	if err != nil {
		return caller{}, err
	}
	return caller{ID: id, MSPID: mspID}, nil
}

// adminOU is the organisational unit that Fabric's NodeOUs give the
// certificates of an organisation's administrators (the default
// AdminOUIdentifier, which the network's MSPs use).
const adminOU = "admin"

// callerAdmin returns the caller, refusing one whose certificate is not an
// admin certificate of its organisation; action names what it tried. The
// peer has checked that the certificate was issued by the caller's MSP, so
// the OU tells the organisation's own administrators from its clients.
func callerAdmin(ctx contractapi.TransactionContextInterface, action string) (caller, error) {
	who, err := currentCaller(ctx)
	if err != nil {
		return caller{}, err
	}
	ci, err := clientIdentity(ctx)
	if err != nil {
		return caller{}, err
	}
	cert, err := ci.GetX509Certificate()
	if err != nil {
		return caller{}, fmt.Errorf("reading the caller's certificate: %w", err)
	}
	if cert != nil {
		for _, ou := range cert.Subject.OrganizationalUnit {
			if ou == adminOU {
				return who, nil
			}
		}
	}
	return caller{}, fmt.Errorf("%s needs an admin identity (NodeOU %q) of one of the project's organisations: your identity %q of %s is not one; submit with your organisation's admin certificate", action, adminOU, who.ID, who.MSPID)
}
