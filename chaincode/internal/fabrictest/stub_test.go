package fabrictest

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
)

func TestStubBehavesLikeAPeerForTheCallsModelled(t *testing.T) {
	s := NewStub()
	key, err := s.CreateCompositeKey("member", []string{"alice"})
	if err != nil || key != "\x00member\x00alice\x00" {
		t.Fatalf("composite key = %q, %v", key, err)
	}
	if v, err := s.GetState(key); v != nil || err != nil {
		t.Fatalf("absent key read as %q, %v; a peer returns nil, nil", v, err)
	}
	if err := s.PutState(key, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	v, _ := s.GetState(key)
	v[0] = 'X' // callers own what they read
	if got, _ := s.GetState(key); string(got) != "v1" {
		t.Fatalf("stored value changed through a read: %q", got)
	}
	if err := s.PutState("", nil); err == nil {
		t.Fatal("empty key accepted")
	}
	if err := s.SetEvent("", nil); err == nil {
		t.Fatal("empty event name accepted")
	}
	_ = s.SetEvent("A", []byte("1"))
	_ = s.SetEvent("B", []byte("2"))
	if ev, ok := s.LastEvent(); !ok || ev.Name != "B" {
		t.Fatalf("last event = %+v; a peer keeps only the last one", ev)
	}
	first, _ := s.GetTxTimestamp()
	s.NextTx()
	second, _ := s.GetTxTimestamp()
	if s.GetTxID() != "tx-2" || second.AsTime().Sub(first.AsTime()).Seconds() != 1 || len(s.Events) != 0 {
		t.Fatalf("NextTx: id %q, step %v, %d events", s.GetTxID(), second.AsTime().Sub(first.AsTime()), len(s.Events))
	}
	s.Args = [][]byte{[]byte("registry:GetMember"), []byte("alice")}
	if fn, params := s.GetFunctionAndParameters(); fn != "registry:GetMember" || len(params) != 1 || params[0] != "alice" {
		t.Fatalf("GetFunctionAndParameters = %q %q", fn, params)
	}
}

func TestIdentityEncodesIDLikeCid(t *testing.T) {
	id := NewIdentity("Org1MSP", "alice")
	enc, err := id.GetID()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(enc)
	if string(raw) != "x509::CN=alice,OU=client::CN=ca.Org1MSP" {
		t.Fatalf("decoded id = %q", raw)
	}
}

func TestSerializedIdentityIsReadByCid(t *testing.T) {
	creator, err := SerializedIdentity("Org2MSP", "bob")
	if err != nil {
		t.Fatal(err)
	}
	s := NewStub()
	s.Creator = creator
	ci, err := cid.New(s)
	if err != nil {
		t.Fatalf("cid.New: %v", err)
	}
	msp, _ := ci.GetMSPID()
	enc, _ := ci.GetID()
	raw, _ := base64.StdEncoding.DecodeString(enc)
	if msp != "Org2MSP" || string(raw) != "x509::CN=bob,OU=client::CN=bob,OU=client" {
		t.Fatalf("cid read %q / %q", msp, raw)
	}
}

func TestAdminIdentitiesCarryTheAdminOU(t *testing.T) {
	admin, client := NewAdminIdentity("Org1MSP", "root"), NewIdentity("Org1MSP", "alice")
	if admin.RawID != "x509::CN=root,OU=admin::CN=ca.Org1MSP" {
		t.Fatalf("admin id %q", admin.RawID)
	}
	a, _ := admin.GetX509Certificate()
	c, _ := client.GetX509Certificate()
	if a.Subject.OrganizationalUnit[0] != "admin" || c.Subject.OrganizationalUnit[0] != "client" {
		t.Fatalf("OUs %v / %v", a.Subject.OrganizationalUnit, c.Subject.OrganizationalUnit)
	}
	creator, err := SerializedAdminIdentity("Org2MSP", "root")
	if err != nil {
		t.Fatal(err)
	}
	s := NewStub()
	s.Creator = creator
	ci, err := cid.New(s)
	if err != nil {
		t.Fatalf("cid.New: %v", err)
	}
	cert, _ := ci.GetX509Certificate()
	if len(cert.Subject.OrganizationalUnit) != 1 || cert.Subject.OrganizationalUnit[0] != "admin" {
		t.Fatalf("cid read OUs %v", cert.Subject.OrganizationalUnit)
	}
}

func TestValidationParametersAreKeptPerKey(t *testing.T) {
	s := NewStub()
	s.IsolateWrites = true
	if err := s.SetStateValidationParameter("k", []byte("policy")); err != nil {
		t.Fatal(err)
	}
	// A transaction reads the committed parameter, as on a peer.
	if got, _ := s.GetStateValidationParameter("k"); got != nil {
		t.Fatalf("own write visible: %q", got)
	}
	s.NextTx()
	if got, _ := s.GetStateValidationParameter("k"); string(got) != "policy" {
		t.Fatalf("parameter %q", got)
	}
	if err := s.SetStateValidationParameter("k", nil); err != nil {
		t.Fatal(err)
	}
	s.NextTx()
	if got, _ := s.GetStateValidationParameter("k"); got != nil || len(s.ValidationParameters) != 0 {
		t.Fatalf("removed parameter %q", got)
	}
	s.PutStateErr = errors.New("full")
	if err := s.SetStateValidationParameter("k", []byte("p")); err == nil {
		t.Fatal("no write error")
	}
	if err := NewStub().SetStateValidationParameter("", []byte("p")); err == nil {
		t.Fatal("empty key accepted")
	}
}
