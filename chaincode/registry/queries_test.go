package registry

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func TestGetMemberReturnsRecord(t *testing.T) {
	c, stub, id := newFixture()
	ctx := fabrictest.NewContext(stub, id)
	if err := c.RegisterMember(ctx, "alice", "quality-auditor", "Org1MSP"); err != nil {
		t.Fatal(err)
	}
	// Anyone may read a member, including another organisation's identity.
	other := fabrictest.NewContext(stub, fabrictest.NewIdentity("Org2MSP", "bob"))
	got, err := c.GetMember(other, "alice")
	if err != nil {
		t.Fatalf("GetMember: %v", err)
	}
	want := &Member{
		ID:           "alice",
		MSPID:        "Org1MSP",
		Identity:     aliceRaw,
		Role:         "quality-auditor",
		Organisation: "Org1MSP",
		Status:       "active",
		CreatedAt:    "2025-03-01T09:30:00.123456789Z",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetMember = %+v, want %+v", got, want)
	}
}

func TestGetMemberRefusals(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		setup func(*fabrictest.Stub)
		want  string
	}{
		{name: "missing", id: "carol", want: `member "carol" does not exist: register it with RegisterMember first`},
		{name: "empty id", id: "", want: "memberID must not be empty"},
		{name: "bad id", id: "a/b", want: `memberID "a/b" contains a character outside`},
		{name: "ledger read fails", id: "carol",
			setup: func(s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want:  `reading member "carol": disk`},
		{name: "corrupt record", id: "carol",
			setup: func(s *fabrictest.Stub) { s.State["\x00member\x00carol\x00"] = []byte("{") },
			want:  `decoding member "carol":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub, id := newFixture()
			if tt.setup != nil {
				tt.setup(stub)
			}
			m, err := c.GetMember(fabrictest.NewContext(stub, id), tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if m != nil {
				t.Fatalf("member = %+v alongside an error", m)
			}
		})
	}
}

func TestEvaluateTransactionsAreTheQueries(t *testing.T) {
	if got := NewContract().GetEvaluateTransactions(); !reflect.DeepEqual(got, []string{"GetMember"}) {
		t.Fatalf("GetEvaluateTransactions = %q", got)
	}
}
