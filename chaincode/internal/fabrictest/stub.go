// Package fabrictest holds in-memory stand-ins for the peer-side environment of a
// chaincode (stub, client identity, transaction context) so that contracts can be
// unit-tested without a peer. Real peers are exercised by the integration tests.
package fabrictest

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Event is one chaincode event as set by a transaction.
type Event struct {
	Name    string
	Payload []byte
}

// Stub is an in-memory shim.ChaincodeStubInterface. Methods a test did not need
// are left to the embedded nil interface, so calling one panics and shows that
// the chaincode reached for something this fake does not model.
//
// Writes are applied at once; a real peer would only show them to later
// transactions. Tests that must prove a contract never reads its own writes
// set IsolateWrites, which makes reads within a transaction see the state as
// it was when the transaction began.
type Stub struct {
	shim.ChaincodeStubInterface

	State map[string][]byte
	// ValidationParameters holds each key's key-level endorsement policy
	// (state-based endorsement), as SetStateValidationParameter set it.
	ValidationParameters map[string][]byte
	TxID                 string
	Timestamp            time.Time
	ChannelID            string
	Creator              []byte
	Args                 [][]byte

	// Events holds every SetEvent call in order; a peer keeps only the last
	// one of a transaction, which LastEvent returns.
	Events []Event

	// GetStateErr and PutStateErr, when set, are returned by GetState and
	// PutState so that tests can reach the ledger-failure paths.
	GetStateErr error
	PutStateErr error
	// TimestampErr, when set, is returned by GetTxTimestamp.
	TimestampErr error
	// EventErr, when set, is returned by SetEvent.
	EventErr error
	// RangeErr, when set, is returned by GetStateByPartialCompositeKey;
	// IterErr, when set, by the Next of the iterators it returns.
	RangeErr error
	IterErr  error

	// IsolateWrites, when true, hides a transaction's writes from its own
	// reads, as a peer does (see query.go).
	IsolateWrites bool

	// Invoke answers InvokeChaincode; when nil, every call is answered with
	// status 500. Invocations records every call in order.
	Invoke      func(chaincodeName string, args [][]byte, channel string) *peer.Response
	Invocations []Invocation

	txCounter int
	// before holds, for each key written in the current transaction, the value
	// it had when the transaction began; used only with IsolateWrites.
	// vpBefore does the same for validation parameters.
	before   map[string]priorValue
	vpBefore map[string]priorValue
}

// NewStub returns an empty ledger whose first transaction is "tx-1" at a fixed time.
func NewStub() *Stub {
	s := &Stub{
		State:                map[string][]byte{},
		ValidationParameters: map[string][]byte{},
		ChannelID:            "mainchain",
		Timestamp:            time.Date(2025, time.March, 1, 9, 30, 0, 123456789, time.UTC),
	}
	s.NextTx()
	return s
}

// NextTx starts a new transaction: a new transaction id, a clock one second
// later, and no events yet.
func (s *Stub) NextTx() {
	s.txCounter++
	s.TxID = fmt.Sprintf("tx-%d", s.txCounter)
	if s.txCounter > 1 {
		s.Timestamp = s.Timestamp.Add(time.Second)
	}
	s.Events = nil
	s.before = nil
	s.vpBefore = nil
}

// LastEvent returns the event a peer would emit for the transaction, if any.
func (s *Stub) LastEvent() (Event, bool) {
	if len(s.Events) == 0 {
		return Event{}, false
	}
	return s.Events[len(s.Events)-1], true
}

// Keys returns the state keys in sorted order.
func (s *Stub) Keys() []string {
	keys := make([]string, 0, len(s.State))
	for k := range s.State {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// GetState returns a copy of the value at key, or nil when there is none.
func (s *Stub) GetState(key string) ([]byte, error) {
	if s.GetStateErr != nil {
		return nil, s.GetStateErr
	}
	v, ok := s.read(key)
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// PutState stores a copy of value at key.
func (s *Stub) PutState(key string, value []byte) error {
	if s.PutStateErr != nil {
		return s.PutStateErr
	}
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	s.remember(key)
	s.State[key] = append([]byte(nil), value...)
	return nil
}

// DelState removes key.
func (s *Stub) DelState(key string) error {
	s.remember(key)
	delete(s.State, key)
	return nil
}

// SetStateValidationParameter sets key's key-level endorsement policy (a
// serialized SignaturePolicyEnvelope). As on a peer, the key need not exist
// yet in the transaction's reads; nil or empty removes the policy.
func (s *Stub) SetStateValidationParameter(key string, ep []byte) error {
	if s.PutStateErr != nil {
		return s.PutStateErr
	}
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	if s.IsolateWrites {
		if s.vpBefore == nil {
			s.vpBefore = map[string]priorValue{}
		}
		if _, done := s.vpBefore[key]; !done {
			v, ok := s.ValidationParameters[key]
			s.vpBefore[key] = priorValue{value: v, present: ok}
		}
	}
	if len(ep) == 0 {
		delete(s.ValidationParameters, key)
		return nil
	}
	s.ValidationParameters[key] = append([]byte(nil), ep...)
	return nil
}

// GetStateValidationParameter returns a copy of key's key-level endorsement
// policy, or nil when it has none.
func (s *Stub) GetStateValidationParameter(key string) ([]byte, error) {
	if s.GetStateErr != nil {
		return nil, s.GetStateErr
	}
	v, ok := s.ValidationParameters[key]
	if p, changed := s.vpBefore[key]; changed {
		v, ok = p.value, p.present
	}
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// CreateCompositeKey builds keys exactly as the real shim does.
func (s *Stub) CreateCompositeKey(objectType string, attributes []string) (string, error) {
	return shim.CreateCompositeKey(objectType, attributes)
}

// GetTxID returns the current transaction id.
func (s *Stub) GetTxID() string { return s.TxID }

// GetChannelID returns the channel name.
func (s *Stub) GetChannelID() string { return s.ChannelID }

// GetTxTimestamp returns the current transaction's timestamp.
func (s *Stub) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	if s.TimestampErr != nil {
		return nil, s.TimestampErr
	}
	return timestamppb.New(s.Timestamp), nil
}

// SetEvent records an event.
func (s *Stub) SetEvent(name string, payload []byte) error {
	if s.EventErr != nil {
		return s.EventErr
	}
	if name == "" {
		return errors.New("event name can not be empty string")
	}
	s.Events = append(s.Events, Event{Name: name, Payload: append([]byte(nil), payload...)})
	return nil
}

// GetCreator returns the serialized identity set by the test.
func (s *Stub) GetCreator() ([]byte, error) { return s.Creator, nil }

// GetArgs returns the invocation arguments set by the test.
func (s *Stub) GetArgs() [][]byte { return s.Args }

// GetStringArgs returns the invocation arguments as strings.
func (s *Stub) GetStringArgs() []string {
	out := make([]string, len(s.Args))
	for i, a := range s.Args {
		out[i] = string(a)
	}
	return out
}

// GetFunctionAndParameters splits the arguments as the real shim does.
func (s *Stub) GetFunctionAndParameters() (string, []string) {
	args := s.GetStringArgs()
	if len(args) == 0 {
		return "", []string{}
	}
	return args[0], args[1:]
}
