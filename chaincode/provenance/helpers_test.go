package provenance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
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

func alice() *fabrictest.Identity { return fabrictest.NewIdentity("Org1MSP", "alice") }
func bob() *fabrictest.Identity   { return fabrictest.NewIdentity("Org2MSP", "bob") }
func carol() *fabrictest.Identity { return fabrictest.NewIdentity("Org3MSP", "carol") }
func dave() *fabrictest.Identity  { return fabrictest.NewIdentity("Org2MSP", "dave") }

func newFixture() (*Contract, *fabrictest.Stub, *fabrictest.Identity) {
	return NewContract(), fabrictest.NewStub(), alice()
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
// periods from period 1, organisations Org1MSP to Org3MSP.
const projectParams = `{"periodSeconds":86400,"firstPeriod":1,"organisations":["Org2MSP","Org1MSP","Org3MSP"]}`

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
