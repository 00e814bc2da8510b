package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"bcmlp.local/chaincode/internal/fabrictest"
	"bcmlp.local/chaincode/registry"
)

// Published IPFS values, from fabrictest.
const (
	helloRawCID = fabrictest.HelloRawCID
	helloSHA256 = fabrictest.HelloSHA256
	docsCIDv1   = fabrictest.DocsCIDv1
	helloCIDv0  = fabrictest.HelloCIDv0
)

// Client ids of the members the tests use, as fabrictest.NewIdentity makes them.
const (
	aliceID = "x509::CN=alice,OU=client::CN=ca.Org1MSP"
	bobID   = "x509::CN=bob,OU=client::CN=ca.Org2MSP"
	carolID = "x509::CN=carol,OU=client::CN=ca.Org3MSP"
	daveID  = "x509::CN=dave,OU=client::CN=ca.Org2MSP"
)

// The tests' project: Org1MSP is the Manufacturer, Org2MSP the
// ModelTrainer, Org3MSP the ConditionMonitor. alice is Org1MSP's company
// member, bob and dave data scientists of Org2MSP, carol Org3MSP's condition
// monitor, erin a quality auditor of Org3MSP, frank a domain expert of
// Org2MSP, vera a viewer of Org1MSP; each member id is the name.
func alice() *fabrictest.Identity { return fabrictest.NewIdentity("Org1MSP", "alice") }
func bob() *fabrictest.Identity   { return fabrictest.NewIdentity("Org2MSP", "bob") }
func carol() *fabrictest.Identity { return fabrictest.NewIdentity("Org3MSP", "carol") }
func dave() *fabrictest.Identity  { return fabrictest.NewIdentity("Org2MSP", "dave") }
func erin() *fabrictest.Identity  { return fabrictest.NewIdentity("Org3MSP", "erin") }
func frank() *fabrictest.Identity { return fabrictest.NewIdentity("Org2MSP", "frank") }
func vera() *fabrictest.Identity  { return fabrictest.NewIdentity("Org1MSP", "vera") }

// testMembers are the tests' members as the registry records them.
var testMembers = []memberArgument{
	{"alice", aliceID, "company", "Org1MSP"},
	{"bob", bobID, "data-scientist", "Org2MSP"},
	{"carol", carolID, "condition-monitor", "Org3MSP"},
	{"dave", daveID, "data-scientist", "Org2MSP"},
	{"erin", "x509::CN=erin,OU=client::CN=ca.Org3MSP", "quality-auditor", "Org3MSP"},
	{"frank", "x509::CN=frank,OU=client::CN=ca.Org2MSP", "domain-expert", "Org2MSP"},
	{"vera", "x509::CN=vera,OU=client::CN=ca.Org1MSP", "viewer", "Org1MSP"},
}

// testPhaseWriters is DESIGN.md section 5's table for the tests' project.
const testPhaseWriters = `{` +
	`"requirements":{"roles":["company"],"organisations":["Org1MSP"]},` +
	`"data-collection":{"roles":["company","condition-monitor"],"organisations":["Org1MSP","Org3MSP"]},` +
	`"data-cleaning":{"roles":["data-scientist"],"organisations":["Org2MSP"]},` +
	`"data-labelling":{"roles":["data-scientist"],"organisations":["Org2MSP"]},` +
	`"feature-engineering":{"roles":["data-scientist"],"organisations":["Org2MSP"]},` +
	`"training":{"roles":["data-scientist"],"organisations":["Org2MSP"]},` +
	`"evaluation":{"roles":["data-scientist"],"organisations":["Org2MSP"]},` +
	`"deployment":{"roles":["company"],"organisations":["Org1MSP"]},` +
	`"monitoring":{"roles":["condition-monitor"],"organisations":["Org3MSP"]}}`

// membersJSON is the members argument listing members.
func membersJSON(members []memberArgument) string {
	raw, err := json.Marshal(members)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// paramsWith is InitProject's paramsJSON for the tests' project with
// organisations and members replaced.
func paramsWith(organisations string, members []memberArgument) string {
	return `{"periodSeconds":86400,"firstPeriod":1,"organisations":` + organisations +
		`,"certificateApprovals":2,"phaseWriters":` + testPhaseWriters + `,"members":` + membersJSON(members) + `}`
}

// fakeRegistry answers registry:GetStanding for the members it holds, as
// the registry on mainchain would; tests change a member's status or trust
// in it.
type fakeRegistry map[string]*standing

// installRegistry makes stub's cross-channel queries reach a registry
// holding members, all active, of trust 0 with the floor at 0, and the
// certificates ownCertificate names for them: each organisation's company
// certificate and a global one about each member of a person's role.
func installRegistry(stub *fabrictest.Stub, members []memberArgument) fakeRegistry {
	r := fakeRegistry{}
	for _, m := range members {
		r[m.MemberID] = &standing{MemberID: m.MemberID, Identity: m.Identity, Role: m.Role, Organisation: m.Organisation,
			Status: "active", Trust: 0, Level: "low trust/distrust", TrustFloor: 0}
	}
	keys := map[string]string{}
	for _, m := range members {
		keys[m.MemberID] = testKeyID(m.MemberID)
	}
	certs := map[string]*registry.Certificate{}
	for _, m := range members {
		company := companyCertificate(m.Organisation)
		certs[company.ID] = company
		if isOneOf(m.Role, personCertificateKinds) {
			person := personCertificate(m.MemberID, m.Role)
			certs[person.ID] = person
		}
	}
	stub.Invoke = func(name string, args [][]byte, channel string) *peer.Response {
		if name != "registry" || channel != "mainchain" || len(args) != 2 {
			return &peer.Response{Status: 500, Message: "unexpected call"}
		}
		if string(args[0]) == "registry:GetCertificate" {
			c, ok := certs[string(args[1])]
			if !ok {
				return &peer.Response{Status: 500, Message: fmt.Sprintf("certificate %q does not exist: check the id, or issue it with IssueCertificate", args[1])}
			}
			payload, _ := json.Marshal(c)
			return &peer.Response{Status: 200, Payload: payload}
		}
		if string(args[0]) == "registry:GetKeyAgreementKeys" {
			if _, known := r[string(args[1])]; !known {
				return &peer.Response{Status: 500, Message: fmt.Sprintf("member %q does not exist", args[1])}
			}
			history := []map[string]any{}
			if keyID, ok := keys[string(args[1])]; ok {
				history = append(history, map[string]any{"memberId": string(args[1]), "number": 1, "keyId": keyID, "algorithm": "X25519"})
			}
			payload, _ := json.Marshal(history)
			return &peer.Response{Status: 200, Payload: payload}
		}
		if string(args[0]) != "registry:GetStanding" {
			return &peer.Response{Status: 500, Message: "unexpected call"}
		}
		s, ok := r[string(args[1])]
		if !ok {
			return &peer.Response{Status: 500, Message: fmt.Sprintf("member %q does not exist: check the id, or enrol it with RequestEnrolment", args[1])}
		}
		payload, _ := json.Marshal(s)
		return &peer.Response{Status: 200, Payload: payload}
	}
	registries[stub] = r
	registryKeys[stub] = keys
	registryCertificates[stub] = certs
	return r
}

// registryCertificates are, per stub, the certificates the fake registry
// holds by id; tests add, revoke or change one.
var registryCertificates = map[*fabrictest.Stub]map[string]*registry.Certificate{}

// companyCertificate is the fake registry's company certificate of
// organisation mspID, "company-<mspID>", issued local to mainchain as the
// consortium's company certificates are.
func companyCertificate(mspID string) *registry.Certificate {
	return &registry.Certificate{ID: "company-" + mspID, Kind: "company", Subject: mspID, Scope: "local", ProjectChannel: "mainchain",
		Attributes: map[string]string{"legalEntity": mspID + " GmbH"}, Evidence: []registry.Document{}, Issuer: "admin-" + mspID, IssuerMSP: mspID,
		Status: "valid", UpgradeApprovals: []registry.Approval{}, RevocationApprovals: []registry.Approval{}, IssuedAt: "2025-02-01T09:00:00Z", TxID: "main-tx-1"}
}

// personCertificate is the fake registry's certificate of kind about member
// memberID, "member-<memberID>", global.
func personCertificate(memberID, kind string) *registry.Certificate {
	c := companyCertificate("Org1MSP")
	c.ID, c.Kind, c.Subject, c.Scope, c.ProjectChannel = "member-"+memberID, kind, memberID, "global", ""
	c.Attributes = map[string]string{}
	return c
}

// ownCertificate is the certificate member memberID of role and
// organisation mspID cites for its phases in the tests: its own when the
// fake registry holds one about it (a person's kind), else its
// organisation's company certificate.
func ownCertificate(memberID, role, mspID string) string {
	if isOneOf(role, personCertificateKinds) {
		return "member-" + memberID
	}
	return "company-" + mspID
}

// registryKeys are, per stub, the fake registry's current key-agreement key
// id of each member; tests delete or change one.
var registryKeys = map[*fabrictest.Stub]map[string]string{}

// testKeyID is the key id the fake registry gives member id at first.
func testKeyID(memberID string) string {
	sum := sha256.Sum256([]byte("kak-" + memberID))
	return hex.EncodeToString(sum[:])
}

// epochFor is RecordKeyEpoch's epochJSON for epoch n, one well-formed copy
// per member id, wrapped for the key the fake registry of stub holds now.
func epochFor(stub *fabrictest.Stub, n int64, memberIDs ...string) keyEpochArgument {
	arg := keyEpochArgument{Epoch: n, Wrapped: []WrappedDataKey{}}
	for _, id := range memberIDs {
		arg.Wrapped = append(arg.Wrapped, WrappedDataKey{
			Scheme: MemberKeyScheme, MemberID: id, Recipient: registryKeys[stub][id], Epoch: n,
			EphemeralPublicKey: base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)),
			Nonce:              base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 12)),
			Ciphertext:         base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 48)),
		})
	}
	return arg
}

// text is the epoch as RecordKeyEpoch's argument.
func (a keyEpochArgument) text() string {
	raw, err := json.Marshal(a)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// listedIDs are the ids of the members listed (not removed) on stub's channel.
func listedIDs(c *Contract, stub *fabrictest.Stub) []string {
	members, err := c.GetMembers(fabrictest.NewContext(stub, alice()))
	if err != nil {
		panic(err)
	}
	var ids []string
	for _, m := range members {
		if m.Status == MemberListed {
			ids = append(ids, m.MemberID)
		}
	}
	return ids
}

// recordKeyEpochs records key epochs 1 to n for the listed members, signed
// by alice, within the stub's current transaction (so that later
// transaction numbers stay as they were), and clears the events.
func recordKeyEpochs(c *Contract, stub *fabrictest.Stub, n int64) {
	for e := int64(1); e <= n; e++ {
		if err := c.RecordKeyEpoch(fabrictest.NewContext(stub, alice()), epochFor(stub, e, listedIDs(c, stub)...).text()); err != nil {
			panic(fmt.Sprintf("RecordKeyEpoch(%d): %v", e, err))
		}
	}
	stub.Events = nil
}

// registries are the fake registries of the tests' stubs.
var registries = map[*fabrictest.Stub]fakeRegistry{}

// registryOf returns the fake registry stub's queries reach.
func registryOf(stub *fabrictest.Stub) fakeRegistry { return registries[stub] }

// bareFixture is a contract and a stub on channel project-a whose registry
// knows testMembers, before InitProject.
func bareFixture() (*Contract, *fabrictest.Stub) {
	stub := fabrictest.NewStub()
	stub.ChannelID = "project-a"
	installRegistry(stub, testMembers)
	return NewContract(), stub
}

// fixtureEpochs are the key epochs newFixture records: the tests record
// artifacts under epochs 1 to 3.
const fixtureEpochs = 3

// newFixture is bareFixture after InitProject with projectParams, run by
// admin1 in the stub's first transaction (tx-1, which the other helpers
// skip), and key epochs 1 to fixtureEpochs recorded by alice in the same
// transaction, the events cleared.
func newFixture() (*Contract, *fabrictest.Stub, *fabrictest.Identity) {
	c, stub := bareFixture()
	if err := c.InitProject(fabrictest.NewContext(stub, admin1()), projectParams); err != nil {
		panic("InitProject: " + err.Error())
	}
	recordKeyEpochs(c, stub, fixtureEpochs)
	stub.Invocations = nil
	return c, stub, alice()
}

// artifactArgs are RecordArtifact's arguments after the context.
type artifactArgs struct {
	id, kind, cid, sha, size, mediaType, parents, pinnedOn, epoch, feedback, bounds string
}

// artifactOf returns valid arguments for artifact id with the given parents.
func artifactOf(id, parents string) artifactArgs {
	return artifactArgs{
		id: id, kind: "dataset", cid: helloRawCID, sha: helloSHA256, size: "11", mediaType: "text/plain",
		parents: parents, pinnedOn: `["Org1MSP","Org2MSP"]`, epoch: "1", feedback: "false", bounds: "",
	}
}

func (a artifactArgs) record(c *Contract, ctx contractapi.TransactionContextInterface) error {
	return c.RecordArtifact(ctx, a.id, a.kind, a.cid, a.sha, a.size, a.mediaType, a.parents, a.pinnedOn, a.epoch, a.feedback, a.bounds)
}

// record calls RecordArtifact with valid content fields in a transaction of its own.
func record(t *testing.T, c *Contract, stub *fabrictest.Stub, id *fabrictest.Identity, artifactID, parents string) {
	t.Helper()
	recordArgs(t, c, stub, id, artifactOf(artifactID, parents))
}

// recordArgs calls RecordArtifact with a in a transaction of its own.
func recordArgs(t *testing.T, c *Contract, stub *fabrictest.Stub, id *fabrictest.Identity, a artifactArgs) {
	t.Helper()
	stub.NextTx()
	if err := a.record(c, fabrictest.NewContext(stub, id)); err != nil {
		t.Fatalf("RecordArtifact(%q, %s): %v", a.id, a.parents, err)
	}
}

// submit runs fn as the next transaction, signed by who.
func submit(t *testing.T, stub *fabrictest.Stub, who *fabrictest.Identity, fn func(contractapi.TransactionContextInterface) error) {
	t.Helper()
	stub.NextTx()
	if err := fn(fabrictest.NewContext(stub, who)); err != nil {
		t.Fatalf("%s: %v", stub.TxID, err)
	}
}

// expectRefusal runs fn as the next transaction, signed by who, and checks
// that it fails with an error containing want and writes nothing.
func expectRefusal(t *testing.T, stub *fabrictest.Stub, who *fabrictest.Identity, want string, fn func(contractapi.TransactionContextInterface) error) {
	t.Helper()
	stub.NextTx()
	before := fmt.Sprint(stub.State)
	err := fn(fabrictest.NewContext(stub, who))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to contain %q", err, want)
	}
	if fmt.Sprint(stub.State) != before || len(stub.Events) != 0 {
		t.Fatalf("refused call changed state or set %d events", len(stub.Events))
	}
}

// lastEvent returns the transaction's event, failing unless there is exactly one.
func lastEvent(t *testing.T, stub *fabrictest.Stub) fabrictest.Event {
	t.Helper()
	if len(stub.Events) != 1 {
		t.Fatalf("events = %+v, want exactly one", stub.Events)
	}
	return stub.Events[0]
}

// Admin identities (NodeOU "admin") of the project's organisations.
func admin1() *fabrictest.Identity { return fabrictest.NewAdminIdentity("Org1MSP", "admin1") }
func admin2() *fabrictest.Identity { return fabrictest.NewAdminIdentity("Org2MSP", "admin2") }

const admin1ID = "x509::CN=admin1,OU=admin::CN=ca.Org1MSP"

// projectParams is InitProject's paramsJSON for the tests' project: a day's
// periods from period 1, organisations Org1MSP to Org3MSP, two approvals per
// model certificate, testPhaseWriters and testMembers.
var projectParams = paramsWith(`["Org2MSP","Org1MSP","Org3MSP"]`, testMembers)

// initProject runs InitProject with projectParams, signed by admin1, in the
// stub's current transaction (tx-1 on a new stub, which the other helpers
// skip), and clears its event.
func initProject(t *testing.T, c *Contract, stub *fabrictest.Stub) {
	t.Helper()
	if err := c.InitProject(fabrictest.NewContext(stub, admin1()), projectParams); err != nil {
		t.Fatalf("InitProject: %v", err)
	}
	stub.Events = nil
}

// closePeriod lets a day pass and closes the open period, signed by admin2.
func closePeriod(t *testing.T, c *Contract, stub *fabrictest.Stub) {
	t.Helper()
	stub.Timestamp = stub.Timestamp.Add(24 * time.Hour)
	submit(t, stub, admin2(), c.ClosePeriod)
}

// recordKeys are stub's state keys but the channel's settings, member list
// and key epochs, which every fixture writes: the records the tests look at.
func recordKeys(stub *fabrictest.Stub) []string {
	var keys []string
	for _, k := range stub.Keys() {
		if !strings.HasPrefix(k, "\x00config\x00") && !strings.HasPrefix(k, "\x00projectMember") && !strings.HasPrefix(k, "\x00keyEpoch\x00") {
			keys = append(keys, k)
		}
	}
	return keys
}

// enlist makes who, of its organisation, a registry member memberID of role
// (active, trust 0, with the certificates ownCertificate names) and lists it on the channel by an admin of its
// organisation, within the stub's current transaction so that later
// transaction numbers stay as they were; the event is cleared.
func enlist(t *testing.T, c *Contract, stub *fabrictest.Stub, who *fabrictest.Identity, memberID, role string) {
	t.Helper()
	m := memberArgument{MemberID: memberID, Identity: who.RawID, Role: role, Organisation: who.MSPID}
	registryOf(stub)[memberID] = &standing{MemberID: memberID, Identity: who.RawID, Role: role, Organisation: who.MSPID, Status: "active", Level: "low trust/distrust"}
	if isOneOf(role, personCertificateKinds) {
		registryCertificates[stub]["member-"+memberID] = personCertificate(memberID, role)
	}
	if _, ok := registryCertificates[stub]["company-"+who.MSPID]; !ok {
		registryCertificates[stub]["company-"+who.MSPID] = companyCertificate(who.MSPID)
	}
	raw, _ := json.Marshal(m)
	admin := fabrictest.NewAdminIdentity(who.MSPID, "admin-"+who.MSPID)
	if err := c.AddMember(fabrictest.NewContext(stub, admin), string(raw)); err != nil {
		t.Fatalf("AddMember(%s): %v", raw, err)
	}
	stub.Events = nil
}
