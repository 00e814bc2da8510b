package registry

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"
)

// Fixed X25519 public keys (private scalars 0x01.., 0x02.., 0x03.. repeated),
// so that golden records do not change from run to run.
const (
	kakPEM1 = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEApOCSkrZRwni5dyxWn1+puxPZBrRqtoyd+dwrRAn4ogk=\n-----END PUBLIC KEY-----\n"
	kakPEM2 = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAzo060cy2M+x7cMF4FKXHbs0CloUFDTRHRboFhw5YfVk=\n-----END PUBLIC KEY-----\n"
	kakPEM3 = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAXf7dO2vUf2+ijuFdlp1bsOpTd01Ii9r53xxuASSz7yI=\n-----END PUBLIC KEY-----\n"
	// p256PEM is an ECDSA P-256 key, the kind of a member's signing key.
	p256PEM     = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEJu/OvQ7p40pmkYfhizqRIrL3M5Rb\nZJzJ+fkh6fna2BKQI4venMe7Mw0VDGdwTdJa5wVSBXRLbzG/QHB0WHLQ5g==\n-----END PUBLIC KEY-----\n"
	ed25519PEM  = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=\n-----END PUBLIC KEY-----\n"
	privatePEM  = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIAkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJ\n-----END PRIVATE KEY-----\n"
	lowOrderPEM = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n-----END PUBLIC KEY-----\n"
)

// keyIDOfPEM is the key id the contract gives the key in pemText.
func keyIDOfPEM(t *testing.T, pemText string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(pemText))
	sum := sha256.Sum256(block.Bytes)
	return hex.EncodeToString(sum[:])
}

// freshKAK is the PEM of a new random X25519 public key.
func freshKAK(t *testing.T) string {
	t.Helper()
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// registerKAK registers pemText as name's key and returns the key id.
func (w *world) registerKAK(name, pemText string) string {
	w.t.Helper()
	id, err := w.c.RegisterKeyAgreementKey(w.as(name), pemText)
	w.ok(err)
	return id
}

// A member registers keys for itself; each new one retires the one before,
// which stays in the history with the transaction that retired it.
func TestAMemberRegistersItsKeyAgreementKeysAndKeepsTheirHistory(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	first := w.registerKAK("f1", kakPEM1)
	if first != keyIDOfPEM(t, kakPEM1) {
		t.Fatalf("key id %s, want the SHA-256 of the SubjectPublicKeyInfo %s", first, keyIDOfPEM(t, kakPEM1))
	}
	var ev KeyAgreementKey
	if name := w.event(&ev); name != EventKeyAgreementKeyRegistered || ev.KeyID != first || ev.Number != 1 {
		t.Fatalf("event %s %+v", name, ev)
	}
	registeredIn := w.stub.TxID
	// A key given with CRLF line ends and surrounding blanks is stored in the canonical form.
	second := w.registerKAK("f1", "\r\n"+strings.ReplaceAll(kakPEM2, "\n", "\r\n")+"  \n")
	retiredIn := w.stub.TxID

	keys, err := w.c.GetKeyAgreementKeys(w.as("f3"), "f1")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("history %+v, want two keys", keys)
	}
	old, current := keys[0], keys[1]
	if old.KeyID != first || old.Number != 1 || old.TxID != registeredIn || old.RetiredTxID != retiredIn || old.RetiredAt == "" {
		t.Fatalf("the first key %+v: want it retired by transaction %s", old, retiredIn)
	}
	if current.KeyID != second || current.Number != 2 || current.RetiredTxID != "" || current.RetiredAt != "" || current.PublicKey != kakPEM2 || current.Algorithm != "X25519" || current.MemberID != "f1" {
		t.Fatalf("the current key %+v", current)
	}
	got, err := w.c.GetKeyAgreementKey(w.as("f2"), "f1")
	if err != nil || *got != current {
		t.Fatalf("GetKeyAgreementKey = %+v, %v; want %+v", got, err, current)
	}
	// Another member's history is its own.
	w.registerKAK("f2", kakPEM3)
	if keys, _ := w.c.GetKeyAgreementKeys(w.as("f1"), "f1"); len(keys) != 2 || keys[1].KeyID != second {
		t.Fatalf("f2's registration changed f1's history: %+v", keys)
	}
	if keys, _ := w.c.GetKeyAgreementKeys(w.as("f1"), "f2"); len(keys) != 1 || keys[0].MemberID != "f2" {
		t.Fatalf("f2's history %+v", keys)
	}
}

// Nobody registers a key for someone else: the transaction takes no member
// id, so the key is the caller's member's, and an identity bound to no
// member registers nothing.
func TestNobodyRegistersAKeyForSomeoneElse(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.registerKAK("f2", kakPEM1)
	if keys, _ := w.c.GetKeyAgreementKeys(w.as("f1"), "f1"); len(keys) != 0 {
		t.Fatalf("f2's call registered a key for f1: %+v", keys)
	}
	before := w.state()
	w.refused(before, fail(w.c.RegisterKeyAgreementKey(w.as(w.admin("Org1MSP")), kakPEM2)),
		`registering a key-agreement key: your identity "x509::CN=adm-Org1MSP,OU=admin::CN=ca.Org1MSP" of Org1MSP is not bound to any member`)
	w.id("stranger", "Org2MSP")
	w.refused(before, fail(w.c.RegisterKeyAgreementKey(w.as("stranger"), kakPEM2)), "is not bound to any member: enrol it with RequestEnrolment first")
	// Nor does a member take over another's key.
	w.refused(before, fail(w.c.RegisterKeyAgreementKey(w.as("f1"), kakPEM1)),
		"publicKeyPEM: key "+keyIDOfPEM(t, kakPEM1)+" is registered to another member: every member makes its own key pair")
}

// fail keeps a call's error, dropping its result.
func fail[T any](_ T, err error) error { return err }

// Pending, active and suspended members register their keys; revoked ones never again.
func TestEveryMemberButARevokedOneRegistersAKey(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.enrol("pat", "pat", "Org1MSP", "company", `{"legalEntity":"Pat AG"}`)
	if m := w.member("pat"); m.Status != StatusPending {
		t.Fatalf("pat is %s", m.Status)
	}
	w.registerKAK("pat", freshKAK(t))
	w.viewer("vic", "vic", "Org2MSP")
	w.registerKAK("vic", freshKAK(t))
	w.staff("sue", "sue", "Org2MSP", "company")
	w.setStatus("sue", StatusSuspended, "audit")
	w.registerKAK("sue", freshKAK(t))
	w.setStatus("sue", StatusRevoked, "audit failed")
	before := w.state()
	w.refused(before, fail(w.c.RegisterKeyAgreementKey(w.as("sue"), freshKAK(t))),
		`member "sue" is revoked: revoked members can never register a key-agreement key`)
	// Its keys stay readable, so data keys once wrapped for it stay attributable.
	if keys, err := w.c.GetKeyAgreementKeys(w.as("f1"), "sue"); err != nil || len(keys) != 1 || keys[0].RetiredTxID != "" {
		t.Fatalf("sue's history %+v %v", keys, err)
	}
}

// TestRoleTableOfKeyAgreement: every role registers its own key.
func TestRoleTableOfKeyAgreement(t *testing.T) {
	w := roleWorld(t)
	for _, role := range Roles {
		w.registerKAK(role, freshKAK(t))
	}
}

// A key registered once is never registered again: neither the current one
// (a replay) nor a retired one, which would make one key id name two places
// in the history.
func TestARegisteredKeyIsRefusedAgain(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.registerKAK("f1", kakPEM1)
	before := w.state()
	w.refused(before, fail(w.c.RegisterKeyAgreementKey(w.as("f1"), kakPEM1)),
		"publicKeyPEM: key "+keyIDOfPEM(t, kakPEM1)+` is already key 1 of member "f1": a key is registered once`)
	w.registerKAK("f1", kakPEM2)
	before = w.state()
	w.refused(before, fail(w.c.RegisterKeyAgreementKey(w.as("f1"), kakPEM1)), `is already key 1 of member "f1"`)
}

// Every malformed key is refused, naming publicKeyPEM and the fix.
func TestAMalformedKeyIsRefusedNamingTheField(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	block, _ := pem.Decode([]byte(kakPEM1))
	truncated := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: block.Bytes[:30]}))
	cases := []struct{ pem, want string }{
		{"", "publicKeyPEM must not be empty"},
		{"MCowBQYDK2VuAyEApOCSkrZRwni5dyxWn1+puxPZBrRqtoyd+dwrRAn4ogk=", "publicKeyPEM is not PEM: give the public key as one PEM block"},
		{"-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n", "publicKeyPEM is not PEM"},
		{truncated, "publicKeyPEM: its PUBLIC KEY block is not a SubjectPublicKeyInfo"},
		{p256PEM, "publicKeyPEM holds an ECDSA P-256 key, the kind Fabric CA certifies for signing: register an X25519 key"},
		{ed25519PEM, "publicKeyPEM holds an Ed25519 key, a signing key"},
		{privatePEM, `publicKeyPEM holds a private key (PEM "PRIVATE KEY"): never send a private key anywhere`},
		{lowOrderPEM, "publicKeyPEM is a low-order X25519 point, which no private key matches"},
		{kakPEM1 + kakPEM2, "publicKeyPEM has more after its PUBLIC KEY block"},
		{strings.ReplaceAll(kakPEM1, "PUBLIC KEY", "CERTIFICATE"), `publicKeyPEM holds a PEM block of type "CERTIFICATE"`},
	}
	for _, c := range cases {
		before := w.state()
		w.refused(before, fail(w.c.RegisterKeyAgreementKey(w.as("f1"), c.pem)), c.want)
	}
}

// The queries name an unknown member, and a member without a key.
func TestKeyAgreementQueriesNameWhatIsMissing(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	if _, err := w.c.GetKeyAgreementKeys(w.as("f1"), "nobody"); err == nil || !strings.Contains(err.Error(), `member "nobody" does not exist`) {
		t.Fatalf("err = %v", err)
	}
	keys, err := w.c.GetKeyAgreementKeys(w.as("f1"), "f2")
	if err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("a member without keys: %#v %v, want []", keys, err)
	}
	if _, err := w.c.GetKeyAgreementKey(w.as("f1"), "f2"); err == nil || !strings.Contains(err.Error(), `member "f2" has registered no key-agreement key`) {
		t.Fatalf("err = %v", err)
	}
	// Member ids that share a prefix keep their histories apart.
	w.staff("f", "f", "Org1MSP", "company")
	w.registerKAK("f", kakPEM1)
	if keys, _ := w.c.GetKeyAgreementKeys(w.as("f1"), "f1"); len(keys) != 0 {
		t.Fatalf("f's key shows in f1's history: %+v", keys)
	}
}
