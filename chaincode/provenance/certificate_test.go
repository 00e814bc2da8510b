package provenance

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Digests of the two model artifacts of the certificate fixture.
var (
	model1SHA = strings.Repeat("ab", 32)
	model2SHA = strings.Repeat("cd", 32)
)

// testArchitecture is a valid pipeline whose inference component names no model.
const testArchitecture = `[
 {"name":"camera","stage":"collection","owner":"Org1MSP","steps":["trigger","capture"],"software":[{"name":"pylon","version":"7.4.0"}],"inputs":["raw-data"],"outputs":["raw-data"]},
 {"name":"clean","stage":"preprocessing","owner":"Org1MSP","steps":["deblur","crop"],"software":[{"name":"opencv","version":"4.10.0"}],"inputs":["camera"],"outputs":["dataset"]},
 {"name":"label","stage":"preprocessing","owner":"Org2MSP","steps":["annotate"],"software":[{"name":"cvat","version":"2.1"}],"inputs":["dataset"],"outputs":["labels"]},
 {"name":"train","stage":"training","owner":"Org2MSP","steps":["fit","export"],"software":[{"name":"torch","version":"2.5.1"},{"name":"onnx","version":"1.17"}],"inputs":["dataset","labels"],"outputs":["model"]},
 {"name":"inspect","stage":"inference","owner":"Org1MSP","steps":["load","predict"],"software":[{"name":"onnxruntime","version":"1.20"}],"inputs":["model","camera"],"outputs":["inference-results"]},
 {"name":"summary","stage":"result","owner":"Org1MSP","steps":["summarise"],"software":[{"name":"bcmlp","version":"0.1.0"}],"inputs":["inference-results"],"outputs":["report"]},
 {"name":"watch","stage":"monitoring","owner":"Org3MSP","steps":["drift check"],"software":[{"name":"evidently","version":"0.4"}],"inputs":["inspect"],"outputs":[]}
]`

const testConfiguration = `{"camera":{"exposureUs":800},"train":{"seed":7}}`

// validPhases are valid AddPhase arguments for the nine phases, in order.
var validPhases = []struct{ phase, fields, artifacts string }{
	{"requirements", `{"goals":"detect scratches","decisions":"binary classifier"}`, `[]`},
	{"data-collection", `{"acquisition":"line camera","sensors":"Basler acA2440","environment":{"lux":"800"}}`, `["raw-1"]`},
	{"data-cleaning", `{"method":"drop blurred frames","software":"opencv 4.10.0"}`, `[]`},
	{"data-labelling", `{"method":"two annotators","instructions":"mark scratches","labeller":"Org2MSP inspectors","software":"cvat 2.1"}`, `["labels-1"]`},
	{"feature-engineering", `{"augmentation":"none"}`, `[]`},
	{"training", `{"hyperparameters":{"epochs":20,"learningRate":"0.001"},"software":"torch 2.5.1"}`, `["model-1","cfg-1"]`},
	{"evaluation", `{"metrics":{"accuracy":"0.973","f1":"0.95"}}`, `[]`},
	{"deployment", `{"pipelineRef":"pipe-1"}`, `[]`},
	{"monitoring", `{"alertThresholds":{"accuracy":"0.9"}}`, `[]`},
}

// certFixture records, on channel project-a, the artifacts the phases name
// (raw-1, labels-1, cfg-1, and the models model-1 and model-2), the pipeline
// certificate pipe-1 and opens model certificate cert-1 (the channel's two
// approvals), in tx-2 to tx-8: the models as bob, the rest as alice.
func certFixture(t *testing.T) (*Contract, *fabrictest.Stub) {
	t.Helper()
	c, stub, _ := newFixture()
	stub.ChannelID = "project-a"
	for _, a := range []struct {
		id, kind, sha string
		by            *fabrictest.Identity
	}{
		{"raw-1", "raw-data", helloSHA256, alice()}, {"labels-1", "labels", helloSHA256, alice()}, {"cfg-1", "configuration", helloSHA256, alice()},
		{"model-1", "model", model1SHA, bob()}, {"model-2", "model", model2SHA, bob()},
	} {
		args := artifactOf(a.id, "[]")
		args.kind, args.sha = a.kind, a.sha
		recordArgs(t, c, stub, a.by, args)
	}
	submit(t, stub, alice(), recordPipeline(c, "pipe-1", "1.0.0", testArchitecture, testConfiguration))
	submit(t, stub, alice(), openCert(c, "cert-1", "surface-inspector", "1.0.0"))
	return c, stub
}

func openCert(c *Contract, certID, name, version string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error {
		return c.OpenModelCertificate(ctx, certID, name, version)
	}
}

// writerOf is who writes phase in the tests, with its creator certificate
// (phaseWriter); bob for a name that is no phase.
func writerOf(phase string) (*fabrictest.Identity, string) {
	for i, spec := range phaseSpecs {
		if spec.name == phase {
			return phaseWriter(i)
		}
	}
	return bob(), "member-bob"
}

// phaseWriter is who writes phase i of cert-1 in the tests, with its
// creator certificate: alice (Org1MSP's company) the requirements and
// deployment, carol (Org3MSP's condition monitor) data collection and
// monitoring, each citing its organisation's company certificate; bob (an
// Org2MSP data scientist) the phases between, citing his own.
func phaseWriter(i int) (*fabrictest.Identity, string) {
	switch phaseSpecs[i].name {
	case PhaseRequirements, PhaseDeployment:
		return alice(), ownCertificate("alice", "company", "Org1MSP")
	case PhaseDataCollection, PhaseMonitoring:
		return carol(), ownCertificate("carol", "condition-monitor", "Org3MSP")
	}
	return bob(), ownCertificate("bob", "data-scientist", "Org2MSP")
}

func addPhase(c *Contract, certID, phase, fields, artifacts, creatorCert string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error {
		return c.AddPhase(ctx, certID, phase, fields, artifacts, creatorCert)
	}
}

func approve(c *Contract, certID string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error { return c.ApproveModelCertificate(ctx, certID) }
}

// addPhases records the first n valid phases of cert-1, each by its phaseWriter.
func addPhases(t *testing.T, c *Contract, stub *fabrictest.Stub, n int) {
	t.Helper()
	for i, p := range validPhases[:n] {
		who, creatorCert := phaseWriter(i)
		submit(t, stub, who, addPhase(c, "cert-1", p.phase, p.fields, p.artifacts, creatorCert))
	}
}

func getCert(t *testing.T, c *Contract, stub *fabrictest.Stub, certID string) (*ModelCertificate, string) {
	t.Helper()
	text, err := c.GetModelCertificate(fabrictest.NewContext(stub, carol()), certID)
	if err != nil {
		t.Fatal(err)
	}
	var cert ModelCertificate
	if err := json.Unmarshal([]byte(text), &cert); err != nil {
		t.Fatal(err)
	}
	return &cert, text
}

// checkGolden compares got, indented, with testdata/name; -update rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(got), "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if pretty.String() != string(want) {
		t.Fatalf("%s differs from %s:\n%s", name, path, pretty.String())
	}
}

func TestOpenModelCertificateRecordsAnOpenCertificate(t *testing.T) {
	c, stub := certFixture(t)
	const want = `{"id":"cert-1","modelName":"surface-inspector","version":"1.0.0",` +
		`"policy":{"approvals":2,"minOrganisations":2},"status":"open","modelArtifactId":"","modelSha256":"",` +
		`"phases":[],"approvals":[],"creator":"` + aliceID + `","creatorMsp":"Org1MSP","creatorMember":"alice",` +
		`"creatorTrust":{"trust":0,"level":"low trust/distrust"},"txId":"tx-8",` +
		`"timestamp":"2025-03-01T09:30:07.123456789Z","completedTxId":"","completedAt":"","certifiedTxId":"","certifiedAt":""}`
	if got := string(stub.State["\x00modelCertificate\x00cert-1\x00"]); got != want {
		t.Fatalf("record =\n%s\nwant\n%s", got, want)
	}
	if ev := lastEvent(t, stub); ev.Name != "ModelCertificateOpened" || string(ev.Payload) != want {
		t.Fatalf("event = %s %s", ev.Name, ev.Payload)
	}
	if _, text := getCert(t, c, stub, "cert-1"); text != want {
		t.Fatalf("GetModelCertificate = %s", text)
	}
}

func TestModelCertificateLifeCycle(t *testing.T) {
	c, stub := certFixture(t)
	for i, p := range validPhases {
		who, creatorCert := phaseWriter(i)
		submit(t, stub, who, addPhase(c, "cert-1", p.phase, p.fields, p.artifacts, creatorCert))
		cert, text := getCert(t, c, stub, "cert-1")
		ev := lastEvent(t, stub)
		wantEvent, wantStatus := "PhaseAdded", "open"
		if i == len(validPhases)-1 {
			wantEvent, wantStatus = "ModelCertificateCompleted", "complete"
		}
		if ev.Name != wantEvent || string(ev.Payload) != text || cert.Status != wantStatus || len(cert.Phases) != i+1 {
			t.Fatalf("after %s: event %s, status %s, %d phases", p.phase, ev.Name, cert.Status, len(cert.Phases))
		}
		entry := cert.Phases[i]
		if entry.Phase != p.phase || entry.TxID != stub.TxID || entry.CreatorCertificateID != creatorCert {
			t.Fatalf("entry %d = %+v", i, entry)
		}
	}
	cert, _ := getCert(t, c, stub, "cert-1")
	if cert.ModelArtifactID != "model-1" || cert.ModelSHA256 != model1SHA || cert.CompletedTxID != "tx-17" || cert.CertifiedTxID != "" {
		t.Fatalf("certificate = %+v", cert)
	}

	ctx := fabrictest.NewContext(stub, carol())
	if ok, err := c.IsModelCertified(ctx, "cert-1", model1SHA); err != nil || ok {
		t.Fatalf("complete but unapproved: IsModelCertified = %v, %v", ok, err)
	}
	// Each approval keeps its approver's trust as the registry answered it then.
	registryOf(stub)["dave"].Trust, registryOf(stub)["dave"].Level = 420000, "medium trust"
	submit(t, stub, dave(), approve(c, "cert-1"))
	registryOf(stub)["dave"].Trust, registryOf(stub)["dave"].Level = -10000, "low trust/distrust"
	if ev := lastEvent(t, stub); ev.Name != "ModelCertificateApproved" {
		t.Fatalf("first approval emitted %s", ev.Name)
	}
	// frank is of Org2MSP too: k approvals from one organisation do not certify.
	submit(t, stub, frank(), approve(c, "cert-1"))
	if ev := lastEvent(t, stub); ev.Name != "ModelCertificateApproved" {
		t.Fatalf("second approval, same organisation, emitted %s", ev.Name)
	}
	if ok, _ := c.IsModelCertified(ctx, "cert-1", model1SHA); ok {
		t.Fatal("certified by two approvals of one organisation")
	}
	submit(t, stub, erin(), approve(c, "cert-1"))
	if ev := lastEvent(t, stub); ev.Name != "ModelCertified" {
		t.Fatalf("third approval emitted %s", ev.Name)
	}
	if ok, err := c.IsModelCertified(ctx, "cert-1", model1SHA); err != nil || !ok {
		t.Fatalf("IsModelCertified = %v, %v", ok, err)
	}
	if ok, err := c.IsModelCertified(ctx, "cert-1", model2SHA); err != nil || ok {
		t.Fatalf("IsModelCertified for other bytes = %v, %v", ok, err)
	}
	cert, text := getCert(t, c, stub, "cert-1")
	if cert.Status != "certified" || cert.CertifiedTxID != "tx-20" || len(cert.Approvals) != 3 {
		t.Fatalf("certificate = %+v", cert)
	}
	want := []CertificateApproval{
		{Approver: daveID, ApproverMSP: "Org2MSP", ApproverMember: "dave", ApproverTrust: TrustAtWrite{420000, "medium trust"}, TxID: "tx-18", Timestamp: "2025-03-01T09:30:17.123456789Z"},
		{Approver: "x509::CN=frank,OU=client::CN=ca.Org2MSP", ApproverMSP: "Org2MSP", ApproverMember: "frank", ApproverTrust: TrustAtWrite{0, "low trust/distrust"}, TxID: "tx-19", Timestamp: "2025-03-01T09:30:18.123456789Z"},
		{Approver: "x509::CN=erin,OU=client::CN=ca.Org3MSP", ApproverMSP: "Org3MSP", ApproverMember: "erin", ApproverTrust: TrustAtWrite{0, "low trust/distrust"}, TxID: "tx-20", Timestamp: "2025-03-01T09:30:19.123456789Z"},
	}
	if !reflect.DeepEqual(cert.Approvals, want) {
		t.Fatalf("approvals = %+v", cert.Approvals)
	}
	checkGolden(t, "model_certificate.json", text)
}

func TestAddPhaseStoresFieldsInPhaseOrder(t *testing.T) {
	c, stub := certFixture(t)
	addPhases(t, c, stub, 3)
	submit(t, stub, bob(), addPhase(c, "cert-1", "data-labelling",
		` { "software" : "cvat 2.1", "labeller":"Org2MSP inspectors",`+"\n"+`"instructions":"mark <all> scratches", "method":"two annotators" } `, `[ "labels-1" ]`, "member-bob"))
	cert, _ := getCert(t, c, stub, "cert-1")
	got := string(cert.Phases[3].Fields)
	want := `{"method":"two annotators","instructions":"mark \u003call\u003e scratches","labeller":"Org2MSP inspectors","software":"cvat 2.1"}`
	if got != want {
		t.Fatalf("fields = %s\nwant %s", got, want)
	}
	// Object values are kept as given, numbers untouched (never parsed as floats).
	addPhases2 := []struct{ phase, fields, artifacts string }{
		{"feature-engineering", `{"parameters":{"crop": 224, "scale":1.0e-3},"augmentation":"flips"}`, `[]`},
	}
	for _, p := range addPhases2 {
		submit(t, stub, dave(), addPhase(c, "cert-1", p.phase, p.fields, p.artifacts, "member-dave"))
	}
	cert, _ = getCert(t, c, stub, "cert-1")
	if got := string(cert.Phases[4].Fields); got != `{"augmentation":"flips","parameters":{"crop":224,"scale":1.0e-3}}` {
		t.Fatalf("fields = %s", got)
	}
	if cert.Phases[4].Artifacts == nil {
		t.Fatal("artifacts stored as null")
	}
}

func TestOpenModelCertificateRefusals(t *testing.T) {
	type args struct{ id, name, version string }
	valid := args{"cert-2", "surface-inspector", "2.0.0"}
	with := func(f func(*args)) args { a := valid; f(&a); return a }
	tests := []struct {
		name  string
		args  args
		setup func(*fabrictest.Stub)
		want  string
	}{
		{name: "bad id", args: with(func(a *args) { a.id = "cert 2" }), want: `certID "cert 2" contains a character outside`},
		{name: "empty name", args: with(func(a *args) { a.name = "" }), want: "modelName must not be empty: give the model's name"},
		{name: "long name", args: with(func(a *args) { a.name = strings.Repeat("n", 129) }), want: "modelName is 129 bytes long: give at most 128"},
		{name: "name control", args: with(func(a *args) { a.name = "a\x1bb" }), want: "modelName has the control character U+001B at byte 1"},
		{name: "empty version", args: with(func(a *args) { a.version = "" }), want: "version must not be empty: give a version such as 1.0.0"},
		{name: "bad version", args: with(func(a *args) { a.version = "v 1" }), want: `version "v 1" is not a version`},
		{name: "version leading dot", args: with(func(a *args) { a.version = ".1" }), want: `version ".1" is not a version`},
		{name: "exists", args: with(func(a *args) { a.id = "cert-1" }),
			want: `model certificate "cert-1" already exists: certificates are immutable, so open a new one under another certID`},
		{name: "read fails", args: valid, setup: func(s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: `reading the period clock: disk`},
		{name: "viewer", args: valid, setup: func(s *fabrictest.Stub) {}, want: `opening a model certificate needs a role other than viewer: member "vera" is a viewer`},
		{name: "timestamp fails", args: valid, setup: func(s *fabrictest.Stub) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := certFixture(t)
			if tt.setup != nil {
				tt.setup(stub)
			}
			a := tt.args
			who := bob()
			if tt.name == "viewer" {
				who = vera()
			}
			expectRefusal(t, stub, who, tt.want, openCert(c, a.id, a.name, a.version))
		})
	}
	for name, setup := range map[string]func(*fabrictest.Stub){
		`writing model certificate "cert-2": full`:                                func(s *fabrictest.Stub) { s.PutStateErr = errors.New("full") },
		`emitting ModelCertificateOpened for model certificate "cert-2": too big`: func(s *fabrictest.Stub) { s.EventErr = errors.New("too big") },
	} {
		c, stub := certFixture(t)
		setup(stub)
		stub.NextTx()
		if err := c.OpenModelCertificate(fabrictest.NewContext(stub, bob()), "cert-2", "m", "1"); err == nil || err.Error() != name {
			t.Errorf("err = %v, want %s", err, name)
		}
	}
}

func TestAddPhaseRefusals(t *testing.T) {
	type args struct{ cert, phase, fields, artifacts, creatorCert string }
	// Each case starts from a certificate holding the phases before the one it adds.
	tests := []struct {
		name  string
		done  int // phases recorded before
		args  args
		setup func(*testing.T, *Contract, *fabrictest.Stub)
		want  string
	}{
		{name: "bad cert id", args: args{cert: "", phase: "requirements"}, want: "certID must not be empty"},
		{name: "unknown phase", args: args{phase: "testing"},
			want: `phase "testing" is not a model life-cycle phase: give one of requirements, data-collection, data-cleaning, data-labelling, feature-engineering, training, evaluation, deployment, monitoring`},
		{name: "phase case", args: args{phase: "Training"}, want: `phase "Training" is not a model life-cycle phase`},
		{name: "fields not object", args: args{phase: "requirements", fields: `["goals"]`},
			want: `fields is not a JSON object: give the requirements phase's fields, e.g. {"goals":"detect scratches on steel sheets","decisions":"binary classifier on 224x224 crops"}`},
		{name: "fields not json", args: args{phase: "requirements", fields: `{"goals":`}, want: "fields is not a JSON object"},
		{name: "fields trailing", args: args{phase: "requirements", fields: `{"goals":"g","decisions":"d"}{}`}, want: "fields is not a JSON object"},
		{name: "fields too big", args: args{phase: "requirements", fields: `{"goals":"` + strings.Repeat("g", 65536) + `"}`},
			want: "fields is 65548 bytes long: give at most 65536; store large content as an artifact and list it in artifacts"},
		{name: "unknown field", args: args{phase: "requirements", fields: `{"goals":"g","decisions":"d","budget":"1"}`},
			want: "fields.budget is not a field of phase requirements: give only goals, decisions"},
		{name: "unknown field lists optional", args: args{phase: "data-collection", fields: `{"acquisition":"a","sensors":"s","sensor":"x"}`},
			want: "fields.sensor is not a field of phase data-collection: give only acquisition, sensors, environment (optional)"},
		{name: "field twice", args: args{phase: "requirements", fields: `{"goals":"g","goals":"h","decisions":"d"}`},
			want: "fields.goals is given twice: give each field once"},
		{name: "field missing", args: args{phase: "requirements", fields: `{"goals":"g"}`},
			want: `phase requirements needs fields.decisions (the decisions made to reach the goal): add it, e.g. {"goals":`},
		{name: "text not string", args: args{phase: "requirements", fields: `{"goals":1,"decisions":"d"}`},
			want: "fields.goals must be a JSON string: give the model's goal"},
		{name: "text empty", args: args{phase: "requirements", fields: `{"goals":"","decisions":"d"}`},
			want: "fields.goals must not be empty: give the model's goal"},
		{name: "text too long", args: args{phase: "requirements", fields: `{"goals":"` + strings.Repeat("g", 4097) + `","decisions":"d"}`},
			want: "fields.goals is 4097 bytes long: give at most 4096"},
		{name: "optional object not object", done: 1, args: args{phase: "data-collection", fields: `{"acquisition":"a","sensors":"s","environment":"warm"}`, artifacts: "[]"},
			want: "fields.environment must be a JSON object: give the environment parameters as a JSON object"},
		{name: "object key twice", done: 1, args: args{phase: "data-collection", fields: `{"acquisition":"a","sensors":"s","environment":{"lux":1,"lux":2}}`, artifacts: "[]"},
			want: "fields.environment.lux is given twice: give each key once"},
		{name: "hyperparameters empty", done: 5, args: args{phase: "training", fields: `{"hyperparameters":{},"software":"torch"}`, artifacts: `["model-1"]`},
			want: "fields.hyperparameters must not be empty: give the hyperparameters as a JSON object"},
		{name: "hyperparameters list", done: 5, args: args{phase: "training", fields: `{"hyperparameters":[1],"software":"torch"}`, artifacts: `["model-1"]`},
			want: "fields.hyperparameters must be a JSON object"},
		{name: "metrics number", done: 6, args: args{phase: "evaluation", fields: `{"metrics":{"accuracy":0.97}}`},
			want: `fields.metrics.accuracy must be a decimal string such as "0.97": numbers are sent as strings so that no peer parses a float`},
		{name: "metrics bad decimal", done: 6, args: args{phase: "evaluation", fields: `{"metrics":{"accuracy":"97%"}}`},
			want: `fields.metrics.accuracy "97%" is not a decimal number`},
		{name: "metrics too precise", done: 6, args: args{phase: "evaluation", fields: `{"metrics":{"accuracy":"0.9731234"}}`},
			want: `fields.metrics.accuracy "0.9731234" has 7 decimals: give at most 6`},
		{name: "metrics bad name", done: 6, args: args{phase: "evaluation", fields: `{"metrics":{"top 1":"0.9"}}`},
			want: `fields.metrics key "top 1" contains a character outside`},
		{name: "metrics empty", done: 6, args: args{phase: "evaluation", fields: `{"metrics":{}}`},
			want: "fields.metrics must not be empty: give the metrics as a JSON object of name to decimal string"},
		{name: "pipelineRef not string", done: 7, args: args{phase: "deployment", fields: `{"pipelineRef":["pipe-1"]}`},
			want: "fields.pipelineRef must be a JSON string: give the ID of the pipeline certificate the model is deployed in"},
		{name: "pipelineRef bad id", done: 7, args: args{phase: "deployment", fields: `{"pipelineRef":"pipe 1"}`},
			want: `fields.pipelineRef "pipe 1" contains a character outside`},
		{name: "pipelineRef missing", done: 7, args: args{phase: "deployment", fields: `{"pipelineRef":"pipe-9"}`},
			want: `fields.pipelineRef: pipeline certificate "pipe-9" does not exist: record it with RecordPipelineCertificate first`},
		{name: "artifacts not list", args: args{phase: "requirements", artifacts: `"raw-1"`},
			want: `artifacts "\"raw-1\"" is not a JSON array of artifact IDs: give [] for none or e.g. ["model-7","train-config-2"]`},
		{name: "artifacts null", args: args{phase: "requirements", artifacts: `null`}, want: `artifacts "null" is not a JSON array of artifact IDs`},
		{name: "artifacts twice", args: args{phase: "requirements", artifacts: `["raw-1","raw-1"]`},
			want: `artifacts[1] repeats "raw-1": list each artifact once`},
		{name: "artifacts too many", args: args{phase: "requirements", artifacts: "[" + strings.Repeat(`"a",`, 64) + `"a"]`},
			want: "artifacts lists 65 entries: give at most 64"},
		{name: "artifact missing", args: args{phase: "requirements", artifacts: `["raw-1","raw-9"]`},
			want: `artifacts[1]: artifact "raw-9" does not exist: record it with RecordArtifact first`},
		{name: "creator certificate empty", args: args{phase: "requirements", creatorCert: ""}, want: "creatorCertificateID must not be empty"},
		{name: "certificate missing", args: args{cert: "cert-9", phase: "requirements"},
			want: `model certificate "cert-9" does not exist: open it with OpenModelCertificate first`},
		{name: "not first", args: args{phase: "data-collection", fields: validPhases[1].fields, artifacts: "[]"},
			want: "phase data-collection cannot come first: next is requirements"},
		{name: "skipping", done: 4, args: args{phase: "training", fields: validPhases[5].fields, artifacts: validPhases[5].artifacts},
			want: "phase training cannot follow data-labelling: next is feature-engineering"},
		{name: "repeating", done: 2, args: args{phase: "data-collection", fields: validPhases[1].fields, artifacts: "[]"},
			want: "phase data-collection cannot follow data-collection: next is data-cleaning"},
		{name: "complete", done: 9, args: args{phase: "monitoring", fields: validPhases[8].fields},
			want: `model certificate "cert-1" is complete: all nine phases are recorded, so no phase can be added; open a new certificate for a new model version`},
		{name: "training without model", done: 5, args: args{phase: "training", fields: validPhases[5].fields, artifacts: `["cfg-1"]`},
			want: "phase training must name the trained model: list exactly one artifact of kind model in artifacts, found none"},
		{name: "training with two models", done: 5, args: args{phase: "training", fields: validPhases[5].fields, artifacts: `["model-2","cfg-1","model-1"]`},
			want: "phase training must name the trained model: list exactly one artifact of kind model in artifacts, found 2 (model-2, model-1)"},
		{name: "read fails", args: args{phase: "requirements"}, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: `reading the period clock: disk`},
		{name: "corrupt certificate", args: args{phase: "requirements"}, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
			s.State["\x00modelCertificate\x00cert-1\x00"] = []byte("{")
		}, want: `decoding model certificate "cert-1": unexpected end of JSON input`},
		{name: "certificate with too many phases", args: args{phase: "requirements"}, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) {
			s.State["\x00modelCertificate\x00cert-1\x00"] = []byte(`{"status":"open","phases":[{},{},{},{},{},{},{},{},{},{}]}`)
		}, want: `decoding model certificate "cert-1": it holds 10 phases, more than the 9 there are`},
		{name: "no identity", args: args{phase: "requirements"}, setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := certFixture(t)
			addPhases(t, c, stub, tt.done)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			a := tt.args
			if a.cert == "" && tt.name != "bad cert id" {
				a.cert = "cert-1"
			}
			if a.fields == "" {
				a.fields = validPhases[0].fields
			}
			if a.artifacts == "" {
				a.artifacts = "[]"
			}
			who, own := writerOf(a.phase)
			if a.creatorCert == "" && tt.name != "creator certificate empty" {
				a.creatorCert = own
			}
			expectRefusal(t, stub, who, tt.want, addPhase(c, a.cert, a.phase, a.fields, a.artifacts, a.creatorCert))
		})
	}
	for name, setup := range map[string]func(*fabrictest.Stub){
		`writing model certificate "cert-1": full`:                                   func(s *fabrictest.Stub) { s.PutStateErr = errors.New("full") },
		`emitting PhaseAdded for model certificate "cert-1": too big`:                func(s *fabrictest.Stub) { s.EventErr = errors.New("too big") },
		`reading pipeline certificate "pipe-1": injected`:                            nil,
		`artifacts[0]: reading artifact "model-1": injected`:                         nil,
		`emitting ModelCertificateCompleted for model certificate "cert-1": too big`: nil,
	} {
		t.Run(name, func(t *testing.T) {
			c, stub := certFixture(t)
			n, p := 0, validPhases[0]
			ctx := fabrictest.NewContext(stub, alice())
			switch {
			case strings.HasPrefix(name, "reading pipeline"):
				n, p = 7, validPhases[7]
				ctx.SetStub(&failOnKeyStub{Stub: stub, key: "\x00pipelineCertificate\x00pipe-1\x00"})
			case strings.HasPrefix(name, "artifacts[0]"):
				n, p = 5, validPhases[5]
				ctx.SetStub(&failOnKeyStub{Stub: stub, key: "\x00artifact\x00model-1\x00"})
			case strings.Contains(name, "Completed"):
				n, p = 8, validPhases[8]
				stub.EventErr = errors.New("too big")
			default:
				setup(stub)
			}
			addPhasesWith(t, c, stub, n)
			who, own := writerOf(p.phase)
			ctx.SetClientIdentity(who)
			stub.NextTx()
			if err := c.AddPhase(ctx, "cert-1", p.phase, p.fields, p.artifacts, own); err == nil || err.Error() != name {
				t.Fatalf("err = %v, want %s", err, name)
			}
		})
	}
}

// addPhasesWith records the first n phases with errors injected into the stub
// switched off for the while.
func addPhasesWith(t *testing.T, c *Contract, stub *fabrictest.Stub, n int) {
	t.Helper()
	put, event := stub.PutStateErr, stub.EventErr
	stub.PutStateErr, stub.EventErr = nil, nil
	addPhases(t, c, stub, n)
	stub.PutStateErr, stub.EventErr = put, event
}

func TestApproveModelCertificateRefusals(t *testing.T) {
	tests := []struct {
		name  string
		cert  string
		done  int
		who   *fabrictest.Identity
		setup func(*testing.T, *Contract, *fabrictest.Stub)
		want  string
	}{
		{name: "bad id", cert: "", done: 9, who: dave(), want: "certID must not be empty"},
		{name: "missing", cert: "cert-9", done: 9, who: dave(), want: `model certificate "cert-9" does not exist: open it with OpenModelCertificate first`},
		{name: "the author", cert: "cert-1", done: 9, who: alice(),
			want: `the author cannot approve its own certificate: you (member "alice") opened model certificate "cert-1"`},
		{name: "a phase writer", cert: "cert-1", done: 9, who: carol(),
			want: `a phase writer cannot approve its own certificate: you (member "carol") wrote phase data-collection of model certificate "cert-1" (transaction tx-10)`},
		{name: "the trainer", cert: "cert-1", done: 9, who: bob(),
			want: `a phase writer cannot approve its own certificate: you (member "bob") wrote phase data-cleaning of model certificate "cert-1"`},
		{name: "a viewer", cert: "cert-1", done: 9, who: vera(),
			want: `approving a model certificate needs a role other than viewer: member "vera" is a viewer, and viewers only read`},
		{name: "not complete", cert: "cert-1", done: 5, who: dave(),
			want: `model certificate "cert-1" is not complete (5 of 9 phases, next is training): approve it once all nine phases are recorded`},
		{name: "not started", cert: "cert-1", done: 0, who: dave(),
			want: `model certificate "cert-1" is not complete (0 of 9 phases, next is requirements)`},
		{name: "twice", cert: "cert-1", done: 9, who: dave(),
			setup: func(t *testing.T, c *Contract, s *fabrictest.Stub) { submit(t, s, dave(), approve(c, "cert-1")) },
			want:  `you already approved model certificate "cert-1" (transaction tx-18): each member approves once`},
		{name: "twice after certified", cert: "cert-1", done: 9, who: dave(),
			setup: func(t *testing.T, c *Contract, s *fabrictest.Stub) {
				submit(t, s, dave(), approve(c, "cert-1"))
				submit(t, s, erin(), approve(c, "cert-1"))
			},
			want: `you already approved model certificate "cert-1" (transaction tx-18)`},
		{name: "no identity", cert: "cert-1", done: 9, who: func() *fabrictest.Identity { i := bob(); i.IDErr = errors.New("y"); return i }(),
			want: "reading the caller's client id: y"},
		{name: "read fails", cert: "cert-1", done: 9, who: dave(),
			setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want:  `reading the period clock: disk`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := certFixture(t)
			addPhases(t, c, stub, tt.done)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			expectRefusal(t, stub, tt.who, tt.want, approve(c, tt.cert))
		})
	}
	for want, setup := range map[string]func(*fabrictest.Stub){
		`writing model certificate "cert-1": full`:                                  func(s *fabrictest.Stub) { s.PutStateErr = errors.New("full") },
		`emitting ModelCertificateApproved for model certificate "cert-1": too big`: func(s *fabrictest.Stub) { s.EventErr = errors.New("too big") },
	} {
		c, stub := certFixture(t)
		addPhases(t, c, stub, 9)
		setup(stub)
		stub.NextTx()
		if err := c.ApproveModelCertificate(fabrictest.NewContext(stub, dave()), "cert-1"); err == nil || err.Error() != want {
			t.Errorf("err = %v, want %s", err, want)
		}
	}
}

func TestModelCertificateQueriesRefusals(t *testing.T) {
	c, stub := certFixture(t)
	ctx := fabrictest.NewContext(stub, bob())
	for _, tt := range []struct {
		name string
		call func() error
		want string
	}{
		{"get bad id", func() error { _, err := c.GetModelCertificate(ctx, "a b"); return err }, `certID "a b" contains a character outside`},
		{"get missing", func() error { _, err := c.GetModelCertificate(ctx, "cert-9"); return err },
			`model certificate "cert-9" does not exist: open it with OpenModelCertificate first`},
		{"certified bad id", func() error { _, err := c.IsModelCertified(ctx, "", model1SHA); return err }, "certID must not be empty"},
		{"certified bad digest", func() error { _, err := c.IsModelCertified(ctx, "cert-1", "AB"); return err },
			`modelSha256 "AB" has 2 characters: give the 64 lowercase hex characters`},
		{"certified missing", func() error { _, err := c.IsModelCertified(ctx, "cert-9", model1SHA); return err },
			`model certificate "cert-9" does not exist`},
	} {
		if err := tt.call(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	if ok, err := c.IsModelCertified(ctx, "cert-1", model1SHA); ok || err != nil {
		t.Fatalf("open certificate: IsModelCertified = %v, %v", ok, err)
	}
	// A certificate stored without its lists still reads them back as [].
	stub.State["\x00modelCertificate\x00old\x00"] = []byte(`{"id":"old","status":"open"}`)
	cert, text := getCert(t, c, stub, "old")
	if cert.Phases == nil || cert.Approvals == nil || !strings.Contains(text, `"phases":[],"approvals":[]`) {
		t.Fatalf("old certificate = %s", text)
	}
}
