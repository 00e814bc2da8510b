package registry

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/trust"
)

// Reading and writing records. A peer shows a transaction's writes only to
// later transactions, so every transaction here reads all it needs before its
// first write.

// recordKey is the state key of the record objectType/attrs.
func recordKey(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) (string, error) {
	key, err := ctx.GetStub().CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", fmt.Errorf("building the key of %s %q: %w", objectType, strings.Join(attrs, "/"), err)
	}
	return key, nil
}

// getRecord reads record objectType/attrs into v and reports whether it
// exists; what names the record in errors, e.g. `member "alice"`.
func getRecord(ctx contractapi.TransactionContextInterface, what string, v any, objectType string, attrs ...string) (bool, error) {
	key, err := recordKey(ctx, objectType, attrs...)
	if err != nil {
		return false, err
	}
	raw, err := ctx.GetStub().GetState(key)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", what, err)
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decoding %s: %w", what, err)
	}
	return true, nil
}

// putRecord writes v as record objectType/attrs and returns its encoding.
func putRecord(ctx contractapi.TransactionContextInterface, what string, v any, objectType string, attrs ...string) ([]byte, error) {
	key, err := recordKey(ctx, objectType, attrs...)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", what, err)
	}
	if err := ctx.GetStub().PutState(key, raw); err != nil {
		return nil, fmt.Errorf("writing %s: %w", what, err)
	}
	return raw, nil
}

// delRecord removes record objectType/attrs.
func delRecord(ctx contractapi.TransactionContextInterface, what string, objectType string, attrs ...string) error {
	key, err := recordKey(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().DelState(key); err != nil {
		return fmt.Errorf("removing %s: %w", what, err)
	}
	return nil
}

// scanRecords calls each with every record of objectType, in key order.
func scanRecords(ctx contractapi.TransactionContextInterface, objectType, what string, each func(raw []byte) error) error {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(objectType, []string{})
	if err != nil {
		return fmt.Errorf("reading the %s: %w", what, err)
	}
	defer it.Close()
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return fmt.Errorf("reading the %s: %w", what, err)
		}
		if err := each(kv.Value); err != nil {
			return fmt.Errorf("decoding the %s at key %q: %w", what, kv.Key, err)
		}
	}
	return nil
}

// emit sets the transaction's one chaincode event; what names its subject.
func emit(ctx contractapi.TransactionContextInterface, name string, payload any, what string) error {
	raw, ok := payload.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(payload); err != nil {
			return fmt.Errorf("encoding %s for %s: %w", name, what, err)
		}
	}
	if err := ctx.GetStub().SetEvent(name, raw); err != nil {
		return fmt.Errorf("emitting %s for %s: %w", name, what, err)
	}
	return nil
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

// txTimes returns the transaction's timestamp as txTime does and as a time.
func txTimes(ctx contractapi.TransactionContextInterface) (string, time.Time, error) {
	now, err := txTime(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	at, _ := time.Parse(time.RFC3339Nano, now) // txTime wrote it
	return now, at, nil
}

// identityBinding is the index from an X.509 identity to its member: one
// identity, one member.
type identityBinding struct {
	MemberID string `json:"memberId"`
}

// readMember returns member id, refusing one that does not exist.
func readMember(ctx contractapi.TransactionContextInterface, id string) (*Member, error) {
	var m Member
	found, err := getRecord(ctx, fmt.Sprintf("member %q", id), &m, memberObjectType, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("member %q does not exist: check the id, or enrol it with RequestEnrolment", id)
	}
	return &m, nil
}

// boundMember returns the id of the member bound to identity of mspID, or "".
func boundMember(ctx contractapi.TransactionContextInterface, mspID, identity string) (string, error) {
	var b identityBinding
	found, err := getRecord(ctx, fmt.Sprintf("the binding of identity %q", identity), &b, identityObjectType, mspID, identity)
	if err != nil || !found {
		return "", err
	}
	return b.MemberID, nil
}

// errNotInitialised is returned by every transaction that needs the consortium's parameters before InitConsortium ran.
var errNotInitialised = fmt.Errorf("the consortium is not initialised: an admin of a founding organisation proposes it with InitConsortium, and the others confirm it with ConfirmConsortium")

// readParameters returns the parameters in force.
func readParameters(ctx contractapi.TransactionContextInterface) (*Parameters, error) {
	var p Parameters
	found, err := getRecord(ctx, "the consortium parameters", &p, parametersObjectType)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errNotInitialised
	}
	return &p, nil
}

// readTrustClock returns the trust table's clock.
func readTrustClock(ctx contractapi.TransactionContextInterface) (*TrustClock, error) {
	var c TrustClock
	found, err := getRecord(ctx, "the trust clock", &c, trustClockObjectType)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errNotInitialised
	}
	return &c, nil
}

// readTrustRecord returns member id's trust record and whether it has one;
// members get one when they become active.
func readTrustRecord(ctx contractapi.TransactionContextInterface, id string) (*TrustRecord, bool, error) {
	var r TrustRecord
	found, err := getRecord(ctx, fmt.Sprintf("the trust of member %q", id), &r, trustObjectType, id)
	if err != nil || !found {
		return nil, false, err
	}
	return &r, true, nil
}

// table is the whole trust table with the members it rates, loaded at once
// for the committee and for trust snapshots.
type table struct {
	members map[string]*Member
	records map[string]*TrustRecord
	// ids are the ids of records, sorted, so that every walk over the table
	// has the same order on every peer.
	ids []string
}

// loadTable reads every member and trust record.
func loadTable(ctx contractapi.TransactionContextInterface) (*table, error) {
	t := &table{members: map[string]*Member{}, records: map[string]*TrustRecord{}}
	err := scanRecords(ctx, memberObjectType, "members", func(raw []byte) error {
		var m Member
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		t.members[m.ID] = &m
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scanRecords(ctx, trustObjectType, "trust table", func(raw []byte) error {
		var r TrustRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		t.records[r.MemberID] = &r
		t.ids = append(t.ids, r.MemberID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(t.ids)
	return t, nil
}

// row is member id's trust under p.
func (t *table) row(id string, p ConsortiumParams) TrustRow {
	return trustRow(t.records[id], p)
}

// trustRow computes a record's trust under p.
func trustRow(r *TrustRecord, p ConsortiumParams) TrustRow {
	v := r.Evidence.Trust(p.Trust)
	return TrustRow{MemberID: r.MemberID, Trust: v, Level: trust.LevelOf(v), Evidence: r.Evidence}
}
