package registry

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// EventKeyAgreementKeyRegistered carries the KeyAgreementKey just registered.
const EventKeyAgreementKeyRegistered = "KeyAgreementKeyRegistered"

// keyNumberDigits pads key numbers in state keys, so that a member's keys
// are read in the order they were registered.
const keyNumberDigits = 10

// lowOrderProbe is a fixed X25519 private key: a public key whose product
// with it is the identity is of low order, matches no private key, and
// would make every key wrapped for it readable by anyone. The scalar is
// clamped, a multiple of the cofactor, so every low-order point gives zero,
// and being fixed every peer decides alike.
var lowOrderProbe = func() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		panic(err)
	}
	return k
}()

const pemAdvice = "give the public key as one PEM block \"-----BEGIN PUBLIC KEY-----\" (SubjectPublicKeyInfo), as `openssl pkey -pubout` or Python cryptography's public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo) write it"

// parseKeyAgreementKey reads publicKeyPEM: exactly one PEM PUBLIC KEY block
// holding an X25519 key that is not of low order. It returns the key's
// canonical DER encoding, from which its id and stored PEM are made.
func parseKeyAgreementKey(publicKeyPEM string) ([]byte, error) {
	const field = "publicKeyPEM"
	if strings.TrimSpace(publicKeyPEM) == "" {
		return nil, fmt.Errorf("%s must not be empty: %s", field, pemAdvice)
	}
	block, rest := pem.Decode([]byte(publicKeyPEM))
	if block == nil {
		return nil, fmt.Errorf("%s is not PEM: %s", field, pemAdvice)
	}
	if strings.Contains(block.Type, "PRIVATE") {
		return nil, fmt.Errorf("%s holds a private key (PEM %q): never send a private key anywhere; register its public key", field, block.Type)
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("%s holds a PEM block of type %q: %s", field, block.Type, pemAdvice)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%s has more after its PUBLIC KEY block: register one key per transaction", field)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: its PUBLIC KEY block is not a SubjectPublicKeyInfo Go can read (%v): %s", field, err, pemAdvice)
	}
	var x25519 *ecdh.PublicKey
	switch k := key.(type) {
	case *ecdh.PublicKey:
		if k.Curve() == ecdh.X25519() {
			x25519 = k
		}
	case *ecdsa.PublicKey:
		return nil, fmt.Errorf("%s holds an ECDSA %s key, the kind Fabric CA certifies for signing: register an X25519 key made for key agreement, never a signing key", field, k.Curve.Params().Name)
	case ed25519.PublicKey:
		return nil, fmt.Errorf("%s holds an Ed25519 key, a signing key: register an X25519 key made for key agreement", field)
	case *rsa.PublicKey:
		return nil, fmt.Errorf("%s holds an RSA key: register an X25519 key made for key agreement", field)
	}
	if x25519 == nil {
		return nil, fmt.Errorf("%s holds a %T key: register an X25519 key made for key agreement", field, key)
	}
	if _, err := lowOrderProbe.ECDH(x25519); err != nil {
		return nil, fmt.Errorf("%s is a low-order X25519 point, which no private key matches: make a key pair with a key generator and register its public key", field)
	}
	der, err := x509.MarshalPKIXPublicKey(x25519)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", field, err)
	}
	return der, nil
}

// keyIDOf is a key's id: the lowercase hex SHA-256 of its SubjectPublicKeyInfo.
func keyIDOf(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// keyNumber is number as it appears in a state key.
func keyNumber(number int64) string {
	return fmt.Sprintf("%0*d", keyNumberDigits, number)
}

// readKeyAgreementKeys returns member id's key history, oldest first.
func readKeyAgreementKeys(ctx contractapi.TransactionContextInterface, id string) ([]KeyAgreementKey, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(keyAgreementObjectType, []string{id})
	if err != nil {
		return nil, fmt.Errorf("reading the key-agreement keys of member %q: %w", id, err)
	}
	defer it.Close()
	keys := []KeyAgreementKey{}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("reading the key-agreement keys of member %q: %w", id, err)
		}
		var k KeyAgreementKey
		if err := json.Unmarshal(kv.Value, &k); err != nil {
			return nil, fmt.Errorf("decoding the key-agreement key at %q: %w", kv.Key, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// RegisterKeyAgreementKey registers publicKeyPEM, an X25519 public key in a
// PEM "PUBLIC KEY" block, as the calling member's current key-agreement
// key: project data keys are wrapped for it, never for the member's signing
// key. The caller registers for itself alone — the member its identity is
// bound to — and may be pending, active or suspended, but not revoked; no
// trust is needed, since a key grants nothing by itself and replacing a
// compromised one must not wait. The member's previous key is retired (it
// stays in the history, so that data keys wrapped for it stay readable by
// its holder). A key already registered, by this member or any other, is
// refused: key ids name one key of one member. Returns the key id, the
// hex SHA-256 of the key's SubjectPublicKeyInfo.
func (c *Contract) RegisterKeyAgreementKey(ctx contractapi.TransactionContextInterface, publicKeyPEM string) (string, error) {
	der, err := parseKeyAgreementKey(publicKeyPEM)
	if err != nil {
		return "", err
	}
	m, err := callerMember(ctx)
	if err != nil {
		return "", fmt.Errorf("registering a key-agreement key: %w", err)
	}
	if m.Status == StatusRevoked {
		return "", fmt.Errorf("member %q is revoked: revoked members can never register a key-agreement key; enrol a new member with a new identity", m.ID)
	}
	keyID := keyIDOf(der)
	var owner keyAgreementOwner
	found, err := getRecord(ctx, fmt.Sprintf("the owner of key %s", keyID), &owner, keyOwnerObjectType, keyID)
	if err != nil {
		return "", err
	}
	if found && owner.MemberID == m.ID {
		return "", fmt.Errorf("publicKeyPEM: key %s is already key %d of member %q: a key is registered once; to replace it make a new key pair and register that", keyID, owner.Number, m.ID)
	}
	if found {
		return "", fmt.Errorf("publicKeyPEM: key %s is registered to another member: every member makes its own key pair", keyID)
	}
	history, err := readKeyAgreementKeys(ctx, m.ID)
	if err != nil {
		return "", err
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	txID := ctx.GetStub().GetTxID()
	if n := len(history); n > 0 {
		previous := history[n-1]
		previous.RetiredAt, previous.RetiredTxID = now, txID
		if _, err := putRecord(ctx, fmt.Sprintf("key %d of member %q", previous.Number, m.ID), previous, keyAgreementObjectType, m.ID, keyNumber(previous.Number)); err != nil {
			return "", err
		}
	}
	key := KeyAgreementKey{
		MemberID:     m.ID,
		Number:       int64(len(history)) + 1,
		KeyID:        keyID,
		Algorithm:    KeyAgreementX25519,
		PublicKey:    string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		RegisteredAt: now,
		TxID:         txID,
	}
	what := fmt.Sprintf("key %d of member %q", key.Number, m.ID)
	raw, err := putRecord(ctx, what, key, keyAgreementObjectType, m.ID, keyNumber(key.Number))
	if err != nil {
		return "", err
	}
	if _, err := putRecord(ctx, fmt.Sprintf("the owner of key %s", keyID), keyAgreementOwner{MemberID: m.ID, Number: key.Number}, keyOwnerObjectType, keyID); err != nil {
		return "", err
	}
	return keyID, emit(ctx, EventKeyAgreementKeyRegistered, raw, what)
}
