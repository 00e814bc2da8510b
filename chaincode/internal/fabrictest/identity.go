package fabrictest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// Identity is a cid.ClientIdentity with fixed answers. RawID is the decoded form
// ("x509::<subject>::<issuer>"); GetID returns it base64-encoded as the real
// cid package does.
type Identity struct {
	RawID string
	MSPID string
	Attrs map[string]string

	// EncodedID, when set, is returned by GetID as it is, so that tests can
	// hand the chaincode an id that is not valid base64.
	EncodedID string

	// Cert is returned by GetX509Certificate: a certificate carrying only
	// the subject (common name and organisational units, which is what
	// Fabric's NodeOUs classify identities by), or nil.
	Cert *x509.Certificate

	// IDErr and MSPIDErr, when set, are returned by GetID and GetMSPID;
	// CertErr by GetX509Certificate.
	IDErr    error
	MSPIDErr error
	CertErr  error
}

var _ cid.ClientIdentity = (*Identity)(nil)

// NewIdentity returns a client identity (NodeOU "client") whose id is
// derived from commonName and the organisation's CA, in the form Fabric's
// cid package produces.
func NewIdentity(mspID, commonName string) *Identity {
	return newIdentity(mspID, commonName, "client")
}

// NewAdminIdentity returns an admin identity of the organisation (NodeOU
// "admin"), as its CA enrols the organisation's administrators.
func NewAdminIdentity(mspID, commonName string) *Identity {
	return newIdentity(mspID, commonName, "admin")
}

func newIdentity(mspID, commonName, ou string) *Identity {
	subject := pkix.Name{CommonName: commonName, OrganizationalUnit: []string{ou}}
	return &Identity{
		RawID: fmt.Sprintf("x509::CN=%s,OU=%s::CN=ca.%s", commonName, ou, mspID),
		MSPID: mspID,
		Cert:  &x509.Certificate{Subject: subject},
	}
}

// GetID returns the base64-encoded id.
func (i *Identity) GetID() (string, error) {
	if i.IDErr != nil {
		return "", i.IDErr
	}
	if i.EncodedID != "" {
		return i.EncodedID, nil
	}
	return base64.StdEncoding.EncodeToString([]byte(i.RawID)), nil
}

// GetMSPID returns the MSP id.
func (i *Identity) GetMSPID() (string, error) {
	if i.MSPIDErr != nil {
		return "", i.MSPIDErr
	}
	return i.MSPID, nil
}

// GetAttributeValue looks the attribute up in Attrs.
func (i *Identity) GetAttributeValue(name string) (string, bool, error) {
	v, ok := i.Attrs[name]
	return v, ok, nil
}

// AssertAttributeValue fails unless the attribute has exactly value.
func (i *Identity) AssertAttributeValue(name, value string) error {
	v, ok := i.Attrs[name]
	if !ok || v != value {
		return fmt.Errorf("attribute %q is not %q", name, value)
	}
	return nil
}

// GetX509Certificate returns Cert.
func (i *Identity) GetX509Certificate() (*x509.Certificate, error) {
	if i.CertErr != nil {
		return nil, i.CertErr
	}
	return i.Cert, nil
}

// NewContext returns the real contractapi transaction context wired to the fakes.
// A nil identity models cid.New failing, which contractapi ignores silently.
func NewContext(stub *Stub, id cid.ClientIdentity) *contractapi.TransactionContext {
	ctx := new(contractapi.TransactionContext)
	ctx.SetStub(stub)
	if id != nil {
		ctx.SetClientIdentity(id)
	}
	return ctx
}

// SerializedIdentity returns the bytes a peer would hand the chaincode as the
// creator of a proposal: an msp.SerializedIdentity holding a fresh self-signed
// X.509 client certificate (NodeOU "client") with the given common name.
func SerializedIdentity(mspID, commonName string) ([]byte, error) {
	return serializedIdentity(mspID, commonName, "client")
}

// SerializedAdminIdentity is SerializedIdentity for an admin of the
// organisation (NodeOU "admin").
func SerializedAdminIdentity(mspID, commonName string) ([]byte, error) {
	return serializedIdentity(mspID, commonName, "admin")
}

func serializedIdentity(mspID, commonName, ou string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	name := pkix.Name{CommonName: commonName, OrganizationalUnit: []string{ou}}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      name,
		Issuer:       name,
		NotBefore:    time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, time.January, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
}
