package fabrictest

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// Invocation is one InvokeChaincode call as the contract made it.
type Invocation struct {
	ChaincodeName string
	Args          []string
	Channel       string
}

// priorValue is a key's value when the transaction began.
type priorValue struct {
	value   []byte
	present bool
}

// remember notes key's value before the transaction's first write to it.
func (s *Stub) remember(key string) {
	if !s.IsolateWrites {
		return
	}
	if s.before == nil {
		s.before = map[string]priorValue{}
	}
	if _, done := s.before[key]; done {
		return
	}
	v, ok := s.State[key]
	s.before[key] = priorValue{value: v, present: ok}
}

// read returns key's value as the current transaction sees it.
func (s *Stub) read(key string) ([]byte, bool) {
	if p, ok := s.before[key]; ok {
		return p.value, p.present
	}
	v, ok := s.State[key]
	return v, ok
}

// GetStateByPartialCompositeKey returns, in key order as a peer does, every
// key that starts with the composite key built from objectType and keys.
func (s *Stub) GetStateByPartialCompositeKey(objectType string, keys []string) (shim.StateQueryIteratorInterface, error) {
	if s.RangeErr != nil {
		return nil, s.RangeErr
	}
	prefix, err := shim.CreateCompositeKey(objectType, keys)
	if err != nil {
		return nil, err
	}
	candidates := map[string]bool{}
	for k := range s.State {
		candidates[k] = true
	}
	for k := range s.before {
		candidates[k] = true
	}
	var kvs []*queryresult.KV
	for k := range candidates {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if v, ok := s.read(k); ok {
			kvs = append(kvs, &queryresult.KV{Key: k, Value: append([]byte(nil), v...)})
		}
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].Key < kvs[j].Key })
	return &Iterator{kvs: kvs, NextErr: s.IterErr}, nil
}

// SplitCompositeKey splits a composite key as the real shim does.
func (s *Stub) SplitCompositeKey(compositeKey string) (string, []string, error) {
	if !strings.HasPrefix(compositeKey, "\x00") || !strings.HasSuffix(compositeKey, "\x00") || len(compositeKey) < 2 {
		return "", nil, fmt.Errorf("%q is not a composite key", compositeKey)
	}
	parts := strings.Split(compositeKey[1:len(compositeKey)-1], "\x00")
	return parts[0], parts[1:], nil
}

// InvokeChaincode records the call and answers it with Invoke.
func (s *Stub) InvokeChaincode(chaincodeName string, args [][]byte, channel string) *peer.Response {
	call := Invocation{ChaincodeName: chaincodeName, Channel: channel}
	for _, a := range args {
		call.Args = append(call.Args, string(a))
	}
	s.Invocations = append(s.Invocations, call)
	if s.Invoke == nil {
		return &peer.Response{Status: shim.ERROR, Message: "fabrictest: no chaincode answers InvokeChaincode; set Stub.Invoke"}
	}
	return s.Invoke(chaincodeName, args, channel)
}

// Iterator is a StateQueryIteratorInterface over a fixed list. NextErr, when
// set, is returned by Next (Stub.IterErr sets it).
type Iterator struct {
	kvs     []*queryresult.KV
	NextErr error
	closed  bool
}

// HasNext reports whether Next has more to return.
func (it *Iterator) HasNext() bool { return !it.closed && len(it.kvs) > 0 }

// Next returns the next key and value.
func (it *Iterator) Next() (*queryresult.KV, error) {
	if it.NextErr != nil {
		return nil, it.NextErr
	}
	if it.closed || len(it.kvs) == 0 {
		return nil, errors.New("fabrictest: Next called after the last result")
	}
	kv := it.kvs[0]
	it.kvs = it.kvs[1:]
	return kv, nil
}

// Close ends the iteration.
func (it *Iterator) Close() error {
	it.closed = true
	return nil
}
