package fabrictest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

func collect(t *testing.T, s *Stub, objectType string, keys ...string) []string {
	t.Helper()
	it, err := s.GetStateByPartialCompositeKey(objectType, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, kv.Key+"="+string(kv.Value))
	}
	return out
}

func TestPartialCompositeKeyQueryIsOrderedAndExact(t *testing.T) {
	s := NewStub()
	put := func(objectType string, attrs []string, v string) {
		k, _ := s.CreateCompositeKey(objectType, attrs)
		_ = s.PutState(k, []byte(v))
	}
	put("member", []string{"b"}, "2")
	put("member", []string{"a"}, "1")
	put("memberx", []string{"c"}, "3") // another object type sharing the prefix
	put("snapshot", []string{"ch", "1"}, "s1")
	put("snapshot", []string{"ch2", "1"}, "s2")
	if got, want := collect(t, s, "member"), []string{"\x00member\x00a\x00=1", "\x00member\x00b\x00=2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("member scan = %q, want %q", got, want)
	}
	if got := collect(t, s, "snapshot", "ch"); len(got) != 1 || got[0] != "\x00snapshot\x00ch\x001\x00=s1" {
		t.Fatalf("snapshot scan = %q", got)
	}
	objectType, attrs, err := s.SplitCompositeKey("\x00snapshot\x00ch\x001\x00")
	if err != nil || objectType != "snapshot" || !reflect.DeepEqual(attrs, []string{"ch", "1"}) {
		t.Fatalf("split = %q %q %v", objectType, attrs, err)
	}
	if _, _, err := s.SplitCompositeKey("plain"); err == nil {
		t.Fatal("a simple key was split")
	}
	s.RangeErr = errors.New("down")
	if _, err := s.GetStateByPartialCompositeKey("member", nil); err == nil {
		t.Fatal("RangeErr not returned")
	}
	s.RangeErr = nil
	s.IterErr = errors.New("broken")
	it, _ := s.GetStateByPartialCompositeKey("member", nil)
	if _, err := it.Next(); err == nil {
		t.Fatal("IterErr not returned")
	}
}

func TestIsolatedWritesAreHiddenUntilTheNextTransaction(t *testing.T) {
	s := NewStub()
	s.IsolateWrites = true
	_ = s.PutState("\x00member\x00old\x00", []byte("v0"))
	s.NextTx()
	_ = s.PutState("\x00member\x00new\x00", []byte("v1"))
	_ = s.PutState("\x00member\x00old\x00", []byte("v2"))
	_ = s.DelState("\x00member\x00old\x00")
	if v, _ := s.GetState("\x00member\x00new\x00"); v != nil {
		t.Fatalf("a write was visible to its own transaction: %q", v)
	}
	if v, _ := s.GetState("\x00member\x00old\x00"); string(v) != "v0" {
		t.Fatalf("old value read as %q, want v0", v)
	}
	if got := collect(t, s, "member"); !reflect.DeepEqual(got, []string{"\x00member\x00old\x00=v0"}) {
		t.Fatalf("scan within the transaction = %q", got)
	}
	s.NextTx()
	if got := collect(t, s, "member"); !reflect.DeepEqual(got, []string{"\x00member\x00new\x00=v1"}) {
		t.Fatalf("scan in the next transaction = %q", got)
	}
}

func TestInvokeChaincodeRecordsAndAnswers(t *testing.T) {
	s := NewStub()
	if r := s.InvokeChaincode("provenance", [][]byte{[]byte("f")}, "project-a"); r.Status != 500 {
		t.Fatalf("unconfigured invoke answered %d", r.Status)
	}
	s.Invoke = func(name string, args [][]byte, channel string) *peer.Response {
		return &peer.Response{Status: 200, Payload: []byte(name + "@" + channel + ":" + string(args[1]))}
	}
	r := s.InvokeChaincode("provenance", [][]byte{[]byte("provenance:GetTrustSnapshot"), []byte("7")}, "project-a")
	if r.Status != 200 || string(r.Payload) != "provenance@project-a:7" {
		t.Fatalf("answer %d %q", r.Status, r.Payload)
	}
	want := []Invocation{
		{ChaincodeName: "provenance", Args: []string{"f"}, Channel: "project-a"},
		{ChaincodeName: "provenance", Args: []string{"provenance:GetTrustSnapshot", "7"}, Channel: "project-a"},
	}
	if !reflect.DeepEqual(s.Invocations, want) {
		t.Fatalf("invocations %+v", s.Invocations)
	}
}
