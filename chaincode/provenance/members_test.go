package provenance

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func addMember(c *Contract, member string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error { return c.AddMember(ctx, member) }
}

func removeMember(c *Contract, memberID, reason string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error { return c.RemoveMember(ctx, memberID, reason) }
}

// gina is a data scientist of Org2MSP the registry knows and the channel does not list.
const ginaJSON = `{"memberId":"gina","identity":"x509::CN=gina,OU=client::CN=ca.Org2MSP","role":"data-scientist","organisation":"Org2MSP"}`

func membersFixture(t *testing.T) (*Contract, *fabrictest.Stub) {
	t.Helper()
	c, stub, _ := newFixture()
	registryOf(stub)["gina"] = &standing{MemberID: "gina", Identity: "x509::CN=gina,OU=client::CN=ca.Org2MSP", Role: "data-scientist",
		Organisation: "Org2MSP", Status: "active", Level: "low trust/distrust"}
	return c, stub
}

func TestAddRemoveAndAddAgainKeepsHistory(t *testing.T) {
	c, stub := membersFixture(t)
	gina := fabrictest.NewIdentity("Org2MSP", "gina")
	write := func(ctx contractapi.TransactionContextInterface) error { return artifactOf("g-1", "[]").record(c, ctx) }
	expectRefusal(t, stub, gina, "not a member of project channel project-a", write)
	submit(t, stub, admin2(), addMember(c, ginaJSON))
	const admin2ID = "x509::CN=admin2,OU=admin::CN=ca.Org2MSP"
	want := ProjectMember{MemberID: "gina", Identity: "x509::CN=gina,OU=client::CN=ca.Org2MSP", Role: "data-scientist", Organisation: "Org2MSP", Status: MemberListed,
		Changes: []MembershipChange{{Action: MemberListed, By: admin2ID, ByMSP: "Org2MSP", TxID: "tx-3", Timestamp: "2025-03-01T09:30:02.123456789Z"}}}
	raw, _ := json.Marshal(want)
	if ev := lastEvent(t, stub); ev.Name != "MemberAdded" || string(ev.Payload) != string(raw) {
		t.Fatalf("event = %s %s", ev.Name, ev.Payload)
	}
	submit(t, stub, gina, write)
	submit(t, stub, admin2(), removeMember(c, "gina", "contract ended"))
	if ev := lastEvent(t, stub); ev.Name != "MemberRemoved" {
		t.Fatalf("event = %s", ev.Name)
	}
	expectRefusal(t, stub, gina, `not a member of project channel project-a: member "gina" was removed in transaction tx-5 (contract ended)`,
		func(ctx contractapi.TransactionContextInterface) error { return artifactOf("g-2", "[]").record(c, ctx) })
	// Her record still resolves to her.
	if a, err := c.GetArtifact(fabrictest.NewContext(stub, bob()), "g-1"); err != nil || a.Creator != want.Identity {
		t.Fatalf("g-1 = %+v, %v", a, err)
	}
	submit(t, stub, admin2(), addMember(c, ginaJSON))
	got, err := c.GetProjectMember(fabrictest.NewContext(stub, bob()), "gina")
	if err != nil || got.Status != MemberListed || len(got.Changes) != 3 ||
		got.Changes[1] != (MembershipChange{Action: MemberRemoved, By: admin2ID, ByMSP: "Org2MSP", Reason: "contract ended", TxID: "tx-5", Timestamp: "2025-03-01T09:30:04.123456789Z"}) {
		t.Fatalf("GetProjectMember = %+v, %v", got, err)
	}
	submit(t, stub, gina, func(ctx contractapi.TransactionContextInterface) error { return artifactOf("g-2", "[]").record(c, ctx) })
	members, err := c.GetMembers(fabrictest.NewContext(stub, bob()))
	if err != nil || len(members) != len(testMembers)+1 {
		t.Fatalf("GetMembers = %d, %v", len(members), err)
	}
}

func TestAddMemberRefusals(t *testing.T) {
	withField := func(field, value string) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(ginaJSON), &m)
		m[field] = value
		raw, _ := json.Marshal(m)
		return string(raw)
	}
	tests := []struct {
		name, member string
		who          *fabrictest.Identity
		setup        func(*testing.T, *Contract, *fabrictest.Stub)
		want         string
	}{
		{name: "client identity", member: ginaJSON, who: dave(), want: `AddMember needs an admin identity (NodeOU "admin")`},
		{name: "admin of another organisation", member: ginaJSON, who: admin1(),
			want: "AddMember needs an admin of the member's own organisation Org2MSP: you are an admin of Org1MSP"},
		{name: "not json", member: "gina", who: admin2(), want: "memberJSON is not valid: it is not valid JSON"},
		{name: "unknown field", member: `{"memberId":"gina","status":"active"}`, who: admin2(), want: `memberJSON is not valid: unknown field "status"`},
		{name: "field case", member: `{"memberID":"gina"}`, who: admin2(), want: `unknown field "memberID" in the top-level object: field names are case-sensitive, write "memberId"`},
		{name: "bad id", member: withField("memberId", ""), who: admin2(), want: "memberJSON.memberId must not be empty"},
		{name: "bad identity", member: withField("identity", "CN=gina"), who: admin2(), want: `memberJSON.identity "CN=gina" is not a client id`},
		{name: "bad role", member: withField("role", "boss"), who: admin2(), want: `memberJSON.role "boss" is not a registry role`},
		{name: "outside organisation", member: withField("organisation", "Org4MSP"), who: fabrictest.NewAdminIdentity("Org4MSP", "admin4"),
			want: `memberJSON.organisation "Org4MSP" is not one of the project's organisations [Org1MSP Org2MSP Org3MSP]`},
		{name: "already listed", member: `{"memberId":"dave","identity":"` + daveID + `","role":"data-scientist","organisation":"Org2MSP"}`, who: admin2(),
			want: `member "dave" is already listed on project channel project-a (since transaction tx-1): remove it first to change its entry`},
		{name: "another member's identity", member: withField("identity", daveID), who: admin2(),
			want: `identity "` + daveID + `" is already member "dave"'s on project channel project-a: one identity, one member`},
		{name: "registry disagrees", member: withField("role", "domain-expert"), who: admin2(),
			want: `member "gina" of project channel project-a has the role data-scientist in the registry, not domain-expert`},
		{name: "unknown to the registry", member: withField("memberId", "gino"), who: admin2(), want: `checking member "gino" in the registry on mainchain failed`},
		{name: "not initialised", member: ginaJSON, who: admin2(),
			setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { delete(s.State, "\x00config\x00periodClock\x00") },
			want:  "adding a member needs the channel's period clock, and this channel is not initialised"},
		{name: "read fails", member: ginaJSON, who: admin2(), setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: "reading the period clock: disk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := membersFixture(t)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			expectRefusal(t, stub, tt.who, tt.want, addMember(c, tt.member))
		})
	}
}

func TestRemoveMemberRefusals(t *testing.T) {
	tests := []struct {
		name, memberID, reason string
		who                    *fabrictest.Identity
		setup                  func(*testing.T, *Contract, *fabrictest.Stub)
		want                   string
	}{
		{name: "bad id", memberID: "a b", reason: "r", who: admin2(), want: `memberID "a b" contains a character outside`},
		{name: "no reason", memberID: "dave", reason: "", who: admin2(), want: "reason must not be empty: give why the member is removed"},
		{name: "long reason", memberID: "dave", reason: string(make([]byte, 257)), who: admin2(), want: "reason is 257 bytes long: give at most 256"},
		{name: "unknown", memberID: "gina", reason: "r", who: admin2(), want: `member "gina" is not on the member list of project channel project-a`},
		{name: "client identity", memberID: "dave", reason: "r", who: bob(), want: `RemoveMember needs an admin identity (NodeOU "admin")`},
		{name: "admin of another organisation", memberID: "dave", reason: "r", who: admin1(),
			want: "RemoveMember needs an admin of the member's own organisation Org2MSP: you are an admin of Org1MSP"},
		{name: "twice", memberID: "dave", reason: "r", who: admin2(),
			setup: func(t *testing.T, c *Contract, s *fabrictest.Stub) {
				submit(t, s, admin2(), removeMember(c, "dave", "left"))
			},
			want: `member "dave" was already removed in transaction tx-2: nothing to do`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := membersFixture(t)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			expectRefusal(t, stub, tt.who, tt.want, removeMember(c, tt.memberID, tt.reason))
		})
	}
}

func TestMemberQueries(t *testing.T) {
	c, stub := membersFixture(t)
	ctx := fabrictest.NewContext(stub, vera())
	if _, err := c.GetProjectMember(ctx, ""); err == nil || err.Error()[:24] != "memberID must not be emp" {
		t.Fatalf("bad id: %v", err)
	}
	got, err := c.GetProjectMember(ctx, "vera")
	if err != nil || !reflect.DeepEqual(got.Changes[0].TxID, "tx-1") || got.Role != "viewer" {
		t.Fatalf("GetProjectMember = %+v, %v", got, err)
	}
	stub.State["\x00projectMember\x00bad\x00"] = []byte(`{"memberId":"bad"}`)
	if _, err := c.GetMembers(ctx); err == nil || err.Error() != `decoding member "bad": it records no change` {
		t.Fatalf("corrupt member: %v", err)
	}
}
