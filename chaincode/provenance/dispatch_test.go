package provenance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

// dispatcher runs transactions through contractapi's real dispatch, which
// converts arguments and checks every return value against the schema it
// derives from the Go types, with real serialized X.509 identities.
type dispatcher struct {
	t     *testing.T
	cc    *contractapi.ContractChaincode
	stub  *fabrictest.Stub
	users map[string][]byte
}

func newDispatcher(t *testing.T) *dispatcher {
	t.Helper()
	cc, err := contractapi.NewChaincode(NewContract())
	if err != nil {
		t.Fatal(err)
	}
	d := &dispatcher{t: t, cc: cc, stub: fabrictest.NewStub(), users: map[string][]byte{}}
	d.stub.ChannelID = "project-a"
	for _, u := range []struct{ msp, name string }{{"Org1MSP", "alice"}, {"Org2MSP", "bob"}, {"Org3MSP", "carol"}} {
		creator, err := fabrictest.SerializedIdentity(u.msp, u.name)
		if err != nil {
			t.Fatal(err)
		}
		d.users[u.name] = creator
	}
	creator, err := fabrictest.SerializedAdminIdentity("Org1MSP", "admin1")
	if err != nil {
		t.Fatal(err)
	}
	d.users["admin1"] = creator
	installRegistry(d.stub, dispatchMembers)
	return d
}

// dispatchMembers are the dispatcher's users as the registry records them
// (self-signed certificates: issuer and subject agree).
var dispatchMembers = []memberArgument{
	{"alice", "x509::CN=alice,OU=client::CN=alice,OU=client", "company", "Org1MSP"},
	{"bob", "x509::CN=bob,OU=client::CN=bob,OU=client", "data-scientist", "Org2MSP"},
	{"carol", "x509::CN=carol,OU=client::CN=carol,OU=client", "condition-monitor", "Org3MSP"},
}

// dispatchParams lets alice's company, Org1MSP, write every phase, so that
// one user walks a certificate through dispatch; bob and carol approve.
var dispatchParams = strings.NewReplacer(
	`"roles":["data-scientist"],"organisations":["Org2MSP"]`, `"roles":["company"],"organisations":["Org1MSP"]`,
	`"roles":["condition-monitor"],"organisations":["Org3MSP"]`, `"roles":["company"],"organisations":["Org1MSP"]`,
).Replace(paramsWith(`["Org2MSP","Org1MSP","Org3MSP"]`, dispatchMembers))

// call invokes fn with args as user and returns the payload, failing on an error.
func (d *dispatcher) call(user string, args ...string) string {
	d.t.Helper()
	status, body := d.try(user, args...)
	if status != 200 {
		d.t.Fatalf("%s: %d %s", args[0], status, body)
	}
	return body
}

func (d *dispatcher) try(user string, args ...string) (int32, string) {
	d.t.Helper()
	d.stub.NextTx()
	d.stub.Creator = d.users[user]
	d.stub.Args = nil
	for _, a := range args {
		d.stub.Args = append(d.stub.Args, []byte(a))
	}
	resp := d.cc.Invoke(d.stub)
	if resp.Status != 200 {
		return resp.Status, resp.Message
	}
	return resp.Status, string(resp.Payload)
}

func TestDispatchThroughContractAPI(t *testing.T) {
	d := newDispatcher(t)
	const aliceCert = "x509::CN=alice,OU=client::CN=alice,OU=client"
	const bobCert = "x509::CN=bob,OU=client::CN=bob,OU=client"
	pinned := `["Org1MSP","Org2MSP"]`
	bounds := `{"source":"camera-3","dataType":"uint8","min":"0","max":"255"}`
	if status, msg := d.try("alice", "provenance:RecordArtifact", "raw-1", "raw-data", helloRawCID, helloSHA256, "11", "image/png", "[]", pinned, "1", "true", bounds); status != 500 ||
		!strings.Contains(msg, "recording an artifact needs the channel's period clock, and this channel is not initialised") {
		t.Fatalf("recording before InitProject: %d %s", status, msg)
	}
	if body := d.call("bob", "provenance:GetPeriodClock"); body != `{"initialised":false,"periodSeconds":0,"firstPeriod":0,"organisations":[],`+
		`"initialisedBy":"","initialisedByMsp":"","initTxId":"","openPeriod":0,"openedAt":"","openedTxId":"","openedBy":"","certificateApprovals":0,"phaseWriters":[]}` {
		t.Fatalf("GetPeriodClock before InitProject = %s", body)
	}
	if body := d.call("bob", "provenance:GetMembers"); body != "[]" {
		t.Fatalf("GetMembers before InitProject = %s", body)
	}
	if status, msg := d.try("alice", "provenance:InitProject", dispatchParams); status != 500 || !strings.Contains(msg, `needs an admin identity (NodeOU "admin")`) {
		t.Fatalf("InitProject by a client identity: %d %s", status, msg)
	}
	d.call("admin1", "provenance:InitProject", dispatchParams)
	if body := d.call("bob", "provenance:GetProjectMember", "alice"); !strings.HasPrefix(body, `{"memberId":"alice","identity":"`+dispatchMembers[0].Identity+`","role":"company","organisation":"Org1MSP","status":"listed","changes":[{"action":"listed",`) {
		t.Fatalf("GetProjectMember = %s", body)
	}
	if status, msg := d.try("alice", "provenance:RecordArtifact", "raw-1", "raw-data", helloRawCID, helloSHA256, "11", "image/png", "[]", pinned, "1", "true", bounds); status != 500 ||
		!strings.Contains(msg, "wrappedKeyEpoch 1 is not a recorded key epoch of project channel project-a") {
		t.Fatalf("recording under an epoch not recorded: %d %s", status, msg)
	}
	if body := d.call("bob", "provenance:GetKeyEpochs"); body != "[]" {
		t.Fatalf("GetKeyEpochs before the first = %s", body)
	}
	d.call("alice", "provenance:RecordKeyEpoch", epochFor(d.stub, 1, "alice", "bob", "carol").text())
	d.call("bob", "provenance:RecordKeyEpoch", epochFor(d.stub, 2, "carol", "alice", "bob").text())
	if body := d.call("carol", "provenance:GetKeyEpochs"); !strings.HasPrefix(body, `[{"epoch":1,"members":["alice","bob","carol"],"creatorMember":"alice",`) ||
		!strings.Contains(body, `{"epoch":2,"members":["alice","bob","carol"],"creatorMember":"bob",`) {
		t.Fatalf("GetKeyEpochs = %s", body)
	}
	if body := d.call("carol", "provenance:GetKeyEpoch", "2"); !strings.HasPrefix(body, `{"epoch":2,"wrapped":[{"scheme":"`+MemberKeyScheme+`","memberId":"carol","recipient":"`+testKeyID("carol")+`","epoch":2,`) {
		t.Fatalf("GetKeyEpoch 2 = %s", body)
	}
	d.call("alice", "provenance:RecordArtifact", "raw-1", "raw-data", helloRawCID, helloSHA256, "11", "image/png", "[]", pinned, "1", "true", bounds)
	d.call("alice", "provenance:RecordArtifact", "model-1", "model", helloRawCID, model1SHA, "11", "application/octet-stream", `["raw-1"]`, pinned, "2", "false", "")

	// An artifact with and without the optional bounds passes the return schema.
	if body := d.call("bob", "provenance:GetArtifact", "raw-1"); !strings.Contains(body, `"bounds":{"source":"camera-3","dataType":"uint8","min":0,"max":255000000}`) {
		t.Fatalf("GetArtifact raw-1 = %s", body)
	}
	if body := d.call("bob", "provenance:GetArtifact", "model-1"); strings.Contains(body, "bounds") || !strings.Contains(body, `"wrappedKeyEpoch":2`) {
		t.Fatalf("GetArtifact model-1 = %s", body)
	}
	if body := d.call("bob", "provenance:GetLineage", "model-1"); !strings.HasPrefix(body, `[{"id":"model-1"`) {
		t.Fatalf("GetLineage = %s", body)
	}

	// Feedback and its queries.
	if body := d.call("bob", "provenance:ListAwaitingFeedback", ""); !strings.HasPrefix(body, `[{"id":"raw-1"`) {
		t.Fatalf("ListAwaitingFeedback for bob = %s", body)
	}
	if body := d.call("alice", "provenance:ListAwaitingFeedback", ""); body != "[]" {
		t.Fatalf("ListAwaitingFeedback for alice = %q, want []", body)
	}
	if body := d.call("bob", "provenance:GetFeedback", "raw-1"); body != "[]" {
		t.Fatalf("GetFeedback before = %q", body)
	}
	if status, msg := d.try("alice", "provenance:RateRecord", "raw-1", "1", "", "[]"); status != 500 || !strings.Contains(msg, "the creator cannot rate its own record") {
		t.Fatalf("self-rating: %d %s", status, msg)
	}
	d.call("bob", "provenance:RateRecord", "raw-1", "-0.5", "blurred", `[{"cid":"`+helloRawCID+`","sha256":"`+helloSHA256+`"}]`)
	var feedback []FeedbackRecord
	if err := json.Unmarshal([]byte(d.call("alice", "provenance:GetFeedback", "raw-1")), &feedback); err != nil ||
		len(feedback) != 1 || feedback[0].Score != -500_000 || feedback[0].Rater != bobCert || feedback[0].Ratee != aliceCert {
		t.Fatalf("GetFeedback = %+v, %v", feedback, err)
	}
	if body := d.call("bob", "provenance:GetPeriodClock"); !strings.HasPrefix(body, `{"initialised":true,"periodSeconds":86400,"firstPeriod":1,"organisations":["Org1MSP","Org2MSP","Org3MSP"],`) ||
		!strings.Contains(body, `"openPeriod":1,`) {
		t.Fatalf("GetPeriodClock = %s", body)
	}
	if status, msg := d.try("bob", "provenance:GetTrustSnapshot", "1"); status != 500 || !strings.HasPrefix(msg, "period 1 is still open") {
		t.Fatalf("GetTrustSnapshot of the open period: %d %s", status, msg)
	}
	d.stub.Timestamp = d.stub.Timestamp.Add(24 * time.Hour)
	d.call("admin1", "provenance:ClosePeriod")
	snapshot := d.call("bob", "provenance:GetTrustSnapshot", "1")
	if want := `{"channel":"project-a","period":1,"feedback":[{"rater":"` + bobCert + `","ratee":"` + aliceCert + `","score":-500000}]}`; snapshot != want {
		t.Fatalf("GetTrustSnapshot =\n%s\nwant\n%s", snapshot, want)
	}

	// Certificates.
	d.call("alice", "provenance:RecordPipelineCertificate", "pipe-1", "1.0.0",
		`[{"name":"cam","stage":"collection","owner":"Org1MSP","steps":["capture"],"software":[{"name":"pylon","version":"7"}],"inputs":["raw-data"],"outputs":["raw-data"]}]`, `{"a":1}`)
	if body := d.call("bob", "provenance:GetPipelineCertificate", "pipe-1"); !strings.Contains(body, `"configuration":"{\"a\":1}"`) {
		t.Fatalf("GetPipelineCertificate = %s", body)
	}
	d.call("alice", "provenance:OpenModelCertificate", "cert-1", "inspector", "1.0.0")
	for _, p := range validPhases {
		artifacts := "[]"
		if p.phase == "training" {
			artifacts = `["model-1"]`
		}
		d.call("alice", "provenance:AddPhase", "cert-1", p.phase, p.fields, artifacts, "company-Org1MSP")
	}
	if body := d.call("bob", "provenance:IsModelCertified", "cert-1", model1SHA); body != "false" {
		t.Fatalf("IsModelCertified before approval = %q", body)
	}
	if status, msg := d.try("alice", "provenance:ApproveModelCertificate", "cert-1"); status != 500 || !strings.HasPrefix(msg, "the author cannot approve its own certificate") {
		t.Fatalf("the author approving: %d %s", status, msg)
	}
	d.call("bob", "provenance:ApproveModelCertificate", "cert-1")
	d.call("carol", "provenance:ApproveModelCertificate", "cert-1")
	if body := d.call("bob", "provenance:IsModelCertified", "cert-1", model1SHA); body != "true" {
		t.Fatalf("IsModelCertified = %q", body)
	}
	if body := d.call("bob", "provenance:GetModelCertificate", "cert-1"); !strings.Contains(body, `"status":"certified"`) {
		t.Fatalf("GetModelCertificate = %s", body)
	}
	// String arguments let the contract, not contractapi, name what is wrong.
	if status, msg := d.try("admin1", "provenance:InitProject", dispatchParams); status != 500 || !strings.HasPrefix(msg, "this channel was already initialised") {
		t.Fatalf("InitProject again: %d %s", status, msg)
	}
	if status, msg := d.try("alice", "provenance:SetPeriodLength", "3600"); status != 500 || !strings.Contains(msg, "SetPeriodLength") {
		t.Fatalf("SetPeriodLength: %d %s", status, msg)
	}
	if status, msg := d.try("bob", "provenance:RateRecord", "raw-1", "2", "", "[]"); status != 500 || msg != `score "2" is outside [-1, 1]: give a decimal from -1 (very bad) to 1 (very good)` {
		t.Fatalf("RateRecord with score 2: %d %s", status, msg)
	}
}
