package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

// aliceRaw is the decoded client id of the test identity used throughout.
const aliceRaw = "x509::CN=alice,OU=client::CN=ca.Org1MSP"

func newFixture() (*Contract, *fabrictest.Stub, *fabrictest.Identity) {
	return NewContract(), fabrictest.NewStub(), fabrictest.NewIdentity("Org1MSP", "alice")
}

func TestNewContractName(t *testing.T) {
	if got := NewContract().GetName(); got != "registry" {
		t.Fatalf("contract name = %q, want %q", got, "registry")
	}
}

func TestRegisterMemberRecordsMember(t *testing.T) {
	c, stub, id := newFixture()
	if err := c.RegisterMember(fabrictest.NewContext(stub, id), "alice", "data-scientist", "Org1MSP"); err != nil {
		t.Fatalf("RegisterMember: %v", err)
	}

	const wantKey = "\x00member\x00alice\x00"
	const wantRecord = `{"id":"alice","mspId":"Org1MSP","identity":"x509::CN=alice,OU=client::CN=ca.Org1MSP",` +
		`"role":"data-scientist","organisation":"Org1MSP","status":"active","createdAt":"2025-03-01T09:30:00.123456789Z"}`
	if keys := stub.Keys(); len(keys) != 1 || keys[0] != wantKey {
		t.Fatalf("state keys = %q, want [%q]", keys, wantKey)
	}
	if got := string(stub.State[wantKey]); got != wantRecord {
		t.Fatalf("record =\n%s\nwant\n%s", got, wantRecord)
	}
	ev, ok := stub.LastEvent()
	if !ok || ev.Name != "MemberRegistered" || string(ev.Payload) != wantRecord {
		t.Fatalf("event = %q %s, want MemberRegistered with the record", ev.Name, ev.Payload)
	}
	if len(stub.Events) != 1 {
		t.Fatalf("%d events set, want 1", len(stub.Events))
	}
}

func TestRegisterMemberTakesTimeFromTransaction(t *testing.T) {
	c, stub, id := newFixture()
	ctx := fabrictest.NewContext(stub, id)
	if err := c.RegisterMember(ctx, "alice", "company", "Org1MSP"); err != nil {
		t.Fatal(err)
	}
	stub.NextTx()
	if err := c.RegisterMember(ctx, "alice-2", "company", "Org1MSP"); err != nil {
		t.Fatal(err)
	}
	m, err := c.GetMember(ctx, "alice-2")
	if err != nil {
		t.Fatal(err)
	}
	if m.CreatedAt != "2025-03-01T09:30:01.123456789Z" {
		t.Fatalf("CreatedAt = %q, want the second transaction's timestamp", m.CreatedAt)
	}
}

func TestRegisterMemberAcceptsEveryRole(t *testing.T) {
	c, stub, id := newFixture()
	ctx := fabrictest.NewContext(stub, id)
	for _, role := range []string{"company", "customer", "domain-expert", "data-scientist", "quality-auditor", "condition-monitor", "admin"} {
		if err := c.RegisterMember(ctx, "m-"+role, role, "Org1MSP"); err != nil {
			t.Errorf("role %q: %v", role, err)
			continue
		}
		m, err := c.GetMember(ctx, "m-"+role)
		if err != nil || m.Role != role {
			t.Errorf("role %q: stored %+v, %v", role, m, err)
		}
	}
	if len(stub.State) != 7 {
		t.Fatalf("%d members stored, want 7", len(stub.State))
	}
}

func TestRegisterMemberIDLengthBoundary(t *testing.T) {
	c, stub, id := newFixture()
	ctx := fabrictest.NewContext(stub, id)
	if err := c.RegisterMember(ctx, strings.Repeat("a", 64), "customer", "Org1MSP"); err != nil {
		t.Fatalf("64-character id refused: %v", err)
	}
	err := c.RegisterMember(ctx, strings.Repeat("b", 65), "customer", "Org1MSP")
	if err == nil || !strings.Contains(err.Error(), "is 65 characters long: use at most 64") {
		t.Fatalf("65-character id: err = %v", err)
	}
}

func TestRegisterMemberRefusals(t *testing.T) {
	tests := []struct {
		name         string
		memberID     string
		role         string
		organisation string
		setup        func(*fabrictest.Stub, *fabrictest.Identity)
		want         string
	}{
		{name: "empty id", memberID: "", role: "company", organisation: "Org1MSP",
			want: "memberID must not be empty: give a name of 1 to 64 characters"},
		{name: "id with space", memberID: "al ice", role: "company", organisation: "Org1MSP",
			want: `memberID "al ice" contains a character outside A-Z, a-z, 0-9, '.', '_' and '-'`},
		{name: "id with NUL", memberID: "al\x00ice", role: "company", organisation: "Org1MSP",
			want: `memberID "al\x00ice" contains a character outside`},
		{name: "id with colon", memberID: "org1:alice", role: "company", organisation: "Org1MSP",
			want: `memberID "org1:alice" contains a character outside`},
		{name: "unknown role", memberID: "alice", role: "owner", organisation: "Org1MSP",
			want: `role "owner" is not a member role: use one of company, customer, domain-expert, data-scientist, quality-auditor, condition-monitor, admin`},
		{name: "role in wrong case", memberID: "alice", role: "Admin", organisation: "Org1MSP",
			want: `role "Admin" is not a member role`},
		{name: "other organisation", memberID: "alice", role: "company", organisation: "Org2MSP",
			want: `organisation "Org2MSP" is not your MSP id "Org1MSP": members are registered by their own organisation, so give "Org1MSP"`},
		{name: "empty organisation", memberID: "alice", role: "company", organisation: "",
			want: `organisation "" is not your MSP id "Org1MSP"`},
		{name: "duplicate", memberID: "alice", role: "company", organisation: "Org1MSP",
			setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) {
				s.State["\x00member\x00alice\x00"] = []byte(`{"id":"alice"}`)
			},
			want: `member "alice" already exists: choose another memberID`},
		{name: "msp id unreadable", memberID: "alice", role: "company", organisation: "Org1MSP",
			setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.MSPIDErr = errors.New("boom") },
			want:  "reading the caller's MSP id: boom"},
		{name: "msp id empty", memberID: "alice", role: "company", organisation: "",
			setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.MSPID = "" },
			want:  "the caller's identity names no MSP"},
		{name: "client id unreadable", memberID: "alice", role: "company", organisation: "Org1MSP",
			setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.IDErr = errors.New("no cert") },
			want:  "reading the caller's client id: no cert"},
		{name: "client id empty", memberID: "alice", role: "company", organisation: "Org1MSP",
			setup: func(_ *fabrictest.Stub, i *fabrictest.Identity) { i.RawID = "" },
			want:  "the caller's client id is empty"},
		{name: "ledger read fails", memberID: "alice", role: "company", organisation: "Org1MSP",
			setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.GetStateErr = errors.New("disk") },
			want:  `reading member "alice": disk`},
		{name: "timestamp fails", memberID: "alice", role: "company", organisation: "Org1MSP",
			setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.TimestampErr = errors.New("no header") },
			want:  "reading the transaction timestamp: no header"},
		{name: "ledger write fails", memberID: "alice", role: "company", organisation: "Org1MSP",
			setup: func(s *fabrictest.Stub, _ *fabrictest.Identity) { s.PutStateErr = errors.New("full") },
			want:  `writing member "alice": full`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub, id := newFixture()
			if tt.setup != nil {
				tt.setup(stub, id)
			}
			before := len(stub.State)
			err := c.RegisterMember(fabrictest.NewContext(stub, id), tt.memberID, tt.role, tt.organisation)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if len(stub.State) != before || len(stub.Events) != 0 {
				t.Fatalf("refused call changed state (%d -> %d keys) or set %d events", before, len(stub.State), len(stub.Events))
			}
		})
	}
}

func TestRegisterMemberEventFailureIsReported(t *testing.T) {
	c, stub, id := newFixture()
	stub.EventErr = errors.New("too big")
	err := c.RegisterMember(fabrictest.NewContext(stub, id), "alice", "company", "Org1MSP")
	if err == nil || err.Error() != `emitting MemberRegistered for "alice": too big` {
		t.Fatalf("err = %v", err)
	}
}

func TestRegisterMemberWithoutIdentity(t *testing.T) {
	for name, ctxFor := range map[string]func(*fabrictest.Stub) *contractapi.TransactionContext{
		"no identity": func(s *fabrictest.Stub) *contractapi.TransactionContext {
			return fabrictest.NewContext(s, nil)
		},
		// contractapi passes on cid.New's nil result when the creator cannot be parsed.
		"typed nil identity": func(s *fabrictest.Stub) *contractapi.TransactionContext {
			ctx := fabrictest.NewContext(s, nil)
			ctx.SetClientIdentity((*cid.ClientID)(nil))
			return ctx
		},
	} {
		t.Run(name, func(t *testing.T) {
			stub := fabrictest.NewStub()
			err := NewContract().RegisterMember(ctxFor(stub), "alice", "company", "Org1MSP")
			if !errors.Is(err, errNoIdentity) {
				t.Fatalf("err = %v, want %v", err, errNoIdentity)
			}
			if len(stub.State) != 0 {
				t.Fatal("state written without an identity")
			}
		})
	}
}

func TestRegisterMemberRefusesUndecodableClientID(t *testing.T) {
	stub := fabrictest.NewStub()
	id := fabrictest.NewIdentity("Org1MSP", "alice")
	id.EncodedID = "not*base64"
	err := NewContract().RegisterMember(fabrictest.NewContext(stub, id), "alice", "company", "Org1MSP")
	if err == nil || !strings.Contains(err.Error(), `the caller's client id "not*base64" is not base64`) {
		t.Fatalf("err = %v", err)
	}
}
