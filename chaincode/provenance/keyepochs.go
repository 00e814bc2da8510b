package provenance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// The project's data-key epochs. Each epoch is one generation of the
// project data key, wrapped by a writer for every member listed at the time
// with the member's current key-agreement key (gateway/artifacts/keys.py,
// KeyEpoch.to_json). The chaincode never sees a data key; it checks that an
// epoch is addressed to exactly the listed members, each through the key the
// registry holds for it now, so no writer can leave a member out, slip in a
// stranger or wrap for a key the member no longer uses.

// MemberKeyScheme is the only wrapping scheme an epoch may use: keys.py's
// MEMBER_KEY_SCHEME (X25519 with the member's key-agreement key, HKDF-SHA256,
// AES-256-GCM). A test keeps the two equal.
const MemberKeyScheme = "x25519-hkdf-sha256-aes256gcm-v2"

// Sizes of a wrapped copy's fields once base64-decoded: a raw X25519 public
// key, an AES-GCM nonce, and a 32-byte data key with its 16-byte tag.
const (
	ephemeralKeyBytes = 32
	nonceBytes        = 12
	ciphertextBytes   = 32 + 16
)

// keyAgreementKeysFunction is the registry query that answers a member's
// key-agreement keys, oldest first, the last current ([]registry.KeyAgreementKey
// as JSON; [] when it has registered none).
const keyAgreementKeysFunction = "registry:GetKeyAgreementKeys"

// Composite-key object types of the epochs; keyEpochDigits pads epoch
// numbers so that a range scan reads them in order.
const (
	keyEpochObjectType   = "keyEpoch"
	latestKeyEpochConfig = "latestKeyEpoch"
	keyEpochDigits       = 10
)

var keyIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// KeyEpoch is one recorded generation of the project data key. Fields in a
// fixed order, as every record's (model.go).
type KeyEpoch struct {
	// Epoch is the epoch's number, 1, 2, ... in the order recorded.
	Epoch int64 `json:"epoch"`
	// Wrapped are the copies, one per member listed when it was recorded,
	// in the order given; never null.
	Wrapped []WrappedDataKey `json:"wrapped"`
	// Creator, CreatorMSP and CreatorMember are the writer who recorded
	// it; TxID and Timestamp its transaction.
	Creator       string `json:"creator"`
	CreatorMSP    string `json:"creatorMsp"`
	CreatorMember string `json:"creatorMember"`
	TxID          string `json:"txId"`
	Timestamp     string `json:"timestamp"`
}

// WrappedDataKey is one member's copy of an epoch's data key, exactly as
// keys.py's WrappedKey.to_json writes it.
type WrappedDataKey struct {
	Scheme             string `json:"scheme"`
	MemberID           string `json:"memberId"`
	Recipient          string `json:"recipient"`
	Epoch              int64  `json:"epoch"`
	EphemeralPublicKey string `json:"ephemeralPublicKey"`
	Nonce              string `json:"nonce"`
	Ciphertext         string `json:"ciphertext"`
}

// KeyEpochSummary is an epoch without its copies, as GetKeyEpochs lists it.
type KeyEpochSummary struct {
	Epoch int64 `json:"epoch"`
	// Members are the member ids the epoch is wrapped for, sorted.
	Members       []string `json:"members"`
	CreatorMember string   `json:"creatorMember"`
	TxID          string   `json:"txId"`
	Timestamp     string   `json:"timestamp"`
}

// keyEpochArgument is RecordKeyEpoch's epochJSON (KeyEpoch.to_json).
type keyEpochArgument struct {
	Epoch   int64            `json:"epoch"`
	Wrapped []WrappedDataKey `json:"wrapped"`
}

const keyEpochExample = `{"epoch":1,"wrapped":[{"scheme":"` + MemberKeyScheme + `","memberId":"m-7","recipient":"<key id, 64 hex>","epoch":1,"ephemeralPublicKey":"<32 bytes, base64>","nonce":"<12 bytes, base64>","ciphertext":"<48 bytes, base64>"}]}`

// registryKey is the part of the registry's KeyAgreementKey that an epoch
// is checked against.
type registryKey struct {
	MemberID string `json:"memberId"`
	KeyID    string `json:"keyId"`
}

// RecordKeyEpoch records the channel's next data-key epoch. epochJSON is
// KeyEpoch.to_json of gateway/artifacts/keys.py:
//
//	{"epoch":n,"wrapped":[{"scheme","memberId","recipient","epoch","ephemeralPublicKey","nonce","ciphertext"},...]}
//
// n is the latest recorded epoch plus one (1 for the first); every copy is
// of epoch n, in scheme MemberKeyScheme, with base64 fields of 32, 12 and 48
// bytes; there is exactly one copy per member listed now that has a
// key-agreement key (removed members and members that have registered no key
// get none), each wrapped for the member's current key as the registry on
// mainchain records it (GetKeyAgreementKeys, by cross-channel query). The
// caller is a writer (requireWriter). Epochs are immutable. A
// KeyEpochRecorded event carries the record.
func (c *Contract) RecordKeyEpoch(ctx contractapi.TransactionContextInterface, epochJSON string) error {
	var arg keyEpochArgument
	if err := decodeStrict("epochJSON", epochJSON, keyEpochExample, &arg); err != nil {
		return err
	}
	if arg.Wrapped == nil {
		return fmt.Errorf("epochJSON.wrapped is missing: give one copy of the data key per listed member, e.g. %s", keyEpochExample)
	}
	if err := validateCopies(arg); err != nil {
		return err
	}
	who, _, err := requireWriter(ctx, "recording a key epoch")
	if err != nil {
		return err
	}
	latest, err := latestKeyEpoch(ctx)
	if err != nil {
		return err
	}
	if arg.Epoch != latest+1 {
		if latest == 0 {
			return fmt.Errorf("epochJSON.epoch is %d, but no epoch is recorded yet: the first epoch is 1", arg.Epoch)
		}
		return fmt.Errorf("epochJSON.epoch is %d, but the latest recorded epoch is %d: epochs are immutable, so make epoch %d (read GetKeyEpochs again if another writer recorded one meanwhile)", arg.Epoch, latest, latest+1)
	}
	if err := checkRecipients(c, ctx, arg); err != nil {
		return err
	}
	st := who.stamp
	record := KeyEpoch{Epoch: arg.Epoch, Wrapped: arg.Wrapped, Creator: st.ID, CreatorMSP: st.MSPID, CreatorMember: who.Member.MemberID, TxID: st.TxID, Timestamp: st.Timestamp}
	what := fmt.Sprintf("key epoch %d", arg.Epoch)
	key, err := keyEpochKey(ctx, arg.Epoch)
	if err != nil {
		return err
	}
	value, err := writeRecord(ctx, what, key, record)
	if err != nil {
		return err
	}
	latestKey, err := compositeKey(ctx, "the latest key epoch", configObjectType, latestKeyEpochConfig)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(latestKey, []byte(strconv.FormatInt(arg.Epoch, 10))); err != nil {
		return fmt.Errorf("writing the latest key epoch: %w", err)
	}
	return emit(ctx, EventKeyEpochRecorded, what, value)
}

// validateCopies checks the shape of every copy, before anything is read.
func validateCopies(arg keyEpochArgument) error {
	if arg.Epoch < 1 {
		return fmt.Errorf("epochJSON.epoch is %d: epochs are numbered from 1", arg.Epoch)
	}
	if len(arg.Wrapped) == 0 {
		return fmt.Errorf("epochJSON.wrapped is empty: give one copy of the data key per listed member")
	}
	if len(arg.Wrapped) > maxMembers {
		return fmt.Errorf("epochJSON.wrapped has %d copies: a channel lists at most %d members", len(arg.Wrapped), maxMembers)
	}
	seen := map[string]int{}
	for i, w := range arg.Wrapped {
		field := fmt.Sprintf("epochJSON.wrapped[%d]", i)
		if w.Scheme != MemberKeyScheme {
			return fmt.Errorf("%s.scheme %q is not %q: wrap the data key for the member's key-agreement key (gateway.artifacts.wrap_for_member)", field, w.Scheme, MemberKeyScheme)
		}
		if err := validateID(field+".memberId", w.MemberID); err != nil {
			return err
		}
		if j, dup := seen[w.MemberID]; dup {
			return fmt.Errorf("%s.memberId %q repeats epochJSON.wrapped[%d]: give each member exactly one copy", field, w.MemberID, j)
		}
		seen[w.MemberID] = i
		if !keyIDPattern.MatchString(w.Recipient) {
			return fmt.Errorf("%s.recipient %.80q is not a key id: give the member's key-agreement key id, 64 lowercase hex digits, as the registry records it", field, w.Recipient)
		}
		if w.Epoch != arg.Epoch {
			return fmt.Errorf("%s.epoch is %d, not the epoch's %d: every copy is wrapped for the epoch it belongs to", field, w.Epoch, arg.Epoch)
		}
		for _, f := range []struct {
			name  string
			value string
			size  int
		}{{"ephemeralPublicKey", w.EphemeralPublicKey, ephemeralKeyBytes}, {"nonce", w.Nonce, nonceBytes}, {"ciphertext", w.Ciphertext, ciphertextBytes}} {
			if err := checkBase64(field+"."+f.name, f.value, f.size); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkBase64 checks that value is standard padded base64 of exactly size bytes.
func checkBase64(field, value string, size int) error {
	decoded, err := base64.StdEncoding.Strict().DecodeString(value)
	if err != nil {
		return fmt.Errorf("%s %.80q is not standard base64 (with padding): send it as Python's base64.b64encode writes it", field, value)
	}
	if len(decoded) != size {
		return fmt.Errorf("%s holds %d bytes, not %d", field, len(decoded), size)
	}
	return nil
}

// checkRecipients checks that the copies are exactly those of the listed
// members that have a key-agreement key, each naming the member's current
// key as the registry records it. A listed member that has registered no key
// yet gets no copy (it could not open one); the next epoch after it
// registers must include it.
func checkRecipients(c *Contract, ctx contractapi.TransactionContextInterface, arg keyEpochArgument) error {
	channel := ctx.GetStub().GetChannelID()
	members, err := c.GetMembers(ctx)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	current := map[string]string{} // member id -> current key id
	var keyless []string
	for _, m := range members {
		if m.Status != MemberListed {
			continue
		}
		listed[m.MemberID] = true
		keyID, err := currentKeyAgreementKey(ctx, m.MemberID)
		if err != nil {
			return fmt.Errorf("recording a key epoch: %w", err)
		}
		if keyID == "" {
			keyless = append(keyless, m.MemberID)
			continue
		}
		current[m.MemberID] = keyID
	}
	given := map[string]bool{}
	for i, w := range arg.Wrapped {
		field := fmt.Sprintf("epochJSON.wrapped[%d]", i)
		given[w.MemberID] = true
		if !listed[w.MemberID] {
			return fmt.Errorf("%s.memberId %q is not a listed member of project channel %s: wrap only for the members listed now (GetMembers, not removed)", field, w.MemberID, channel)
		}
		keyID, ok := current[w.MemberID]
		if !ok {
			return fmt.Errorf("%s.memberId %q has registered no key-agreement key in the registry, so no copy can be wrapped for it: leave it out (it gets one in the first epoch after it registers a key)", field, w.MemberID)
		}
		if keyID != w.Recipient {
			return fmt.Errorf("%s.recipient %s is not member %q's current key-agreement key %s: wrap for the key the registry records now (registry GetKeyAgreementKey)", field, w.Recipient, w.MemberID, keyID)
		}
	}
	var missing []string
	for id := range current {
		if !given[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("epochJSON.wrapped has no copy for listed members %q: wrap the data key for every member listed on project channel %s that has a key-agreement key (those without one: %q), or have an admin remove the member first", missing, channel, keyless)
	}
	return nil
}

// currentKeyAgreementKey asks the registry on mainchain for member
// memberID's key history (GetKeyAgreementKeys, [] when it has registered
// none) and returns its current key's id, "" for none.
func currentKeyAgreementKey(ctx contractapi.TransactionContextInterface, memberID string) (string, error) {
	resp := ctx.GetStub().InvokeChaincode(registryChaincode, [][]byte{[]byte(keyAgreementKeysFunction), []byte(memberID)}, registryChannel)
	if resp == nil || resp.Status != shim.OK {
		status, message := int32(0), "no response"
		if resp != nil {
			status, message = resp.Status, resp.Message
		}
		return "", fmt.Errorf("reading member %q's key-agreement keys from the registry on %s failed (status %d: %s): the endorsing peer must have joined %s, where %s answers %s", memberID, registryChannel, status, message, registryChannel, registryChaincode, keyAgreementKeysFunction)
	}
	var keys []registryKey
	if err := json.Unmarshal(resp.Payload, &keys); err != nil {
		return "", fmt.Errorf("reading member %q's key-agreement keys: %s returned %q, not a list of keys", memberID, keyAgreementKeysFunction, resp.Payload)
	}
	if len(keys) == 0 {
		return "", nil
	}
	last := keys[len(keys)-1]
	if last.MemberID != memberID || !keyIDPattern.MatchString(last.KeyID) {
		return "", fmt.Errorf("reading member %q's key-agreement keys: %s returned %q, not that member's keys", memberID, keyAgreementKeysFunction, resp.Payload)
	}
	return last.KeyID, nil
}

// keyEpochKey is the state key of epoch n.
func keyEpochKey(ctx contractapi.TransactionContextInterface, n int64) (string, error) {
	return compositeKey(ctx, fmt.Sprintf("key epoch %d", n), keyEpochObjectType, fmt.Sprintf("%0*d", keyEpochDigits, n))
}

// latestKeyEpoch returns the latest recorded epoch, 0 before the first.
func latestKeyEpoch(ctx contractapi.TransactionContextInterface) (int64, error) {
	key, err := compositeKey(ctx, "the latest key epoch", configObjectType, latestKeyEpochConfig)
	if err != nil {
		return 0, err
	}
	value, err := readState(ctx, "the latest key epoch", key)
	if err != nil || value == nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(value), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("decoding the latest key epoch %q: %w", value, err)
	}
	return n, nil
}

// readKeyEpoch loads epoch n, nil when it is not recorded.
func readKeyEpoch(ctx contractapi.TransactionContextInterface, n int64) (*KeyEpoch, error) {
	key, err := keyEpochKey(ctx, n)
	if err != nil {
		return nil, err
	}
	value, err := readState(ctx, fmt.Sprintf("key epoch %d", n), key)
	if err != nil || value == nil {
		return nil, err
	}
	return decodeKeyEpoch(value)
}

func decodeKeyEpoch(value []byte) (*KeyEpoch, error) {
	var e KeyEpoch
	if err := json.Unmarshal(value, &e); err != nil {
		return nil, fmt.Errorf("decoding a key epoch: %w", err)
	}
	if e.Wrapped == nil {
		e.Wrapped = []WrappedDataKey{}
	}
	return &e, nil
}

// requireKeyEpoch refuses an artifact's wrappedKeyEpoch that is not recorded.
func requireKeyEpoch(ctx contractapi.TransactionContextInterface, n int64) error {
	key, err := keyEpochKey(ctx, n)
	if err != nil {
		return err
	}
	value, err := readState(ctx, fmt.Sprintf("key epoch %d", n), key)
	if err != nil {
		return err
	}
	if value == nil {
		return fmt.Errorf("wrappedKeyEpoch %d is not a recorded key epoch of project channel %s: encrypt under a recorded epoch (GetKeyEpochs), or record epoch %d with RecordKeyEpoch first", n, ctx.GetStub().GetChannelID(), n)
	}
	return nil
}
