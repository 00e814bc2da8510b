package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

func recordPipeline(c *Contract, certID, version, architecture, configuration string) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error {
		return c.RecordPipelineCertificate(ctx, certID, version, architecture, configuration)
	}
}

// components decodes testArchitecture for tests to change.
func components(t *testing.T) []map[string]any {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal([]byte(testArchitecture), &list); err != nil {
		t.Fatal(err)
	}
	return list
}

func encode(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// certifyCert1 records all phases of cert-1 and has bob and dave approve it.
func certifyCert1(t *testing.T, c *Contract, stub *fabrictest.Stub) {
	t.Helper()
	addPhases(t, c, stub, 9)
	submit(t, stub, dave(), approve(c, "cert-1"))
	submit(t, stub, erin(), approve(c, "cert-1"))
}

func getPipeline(t *testing.T, c *Contract, stub *fabrictest.Stub, certID string) (*PipelineCertificate, string) {
	t.Helper()
	text, err := c.GetPipelineCertificate(fabrictest.NewContext(stub, carol()), certID)
	if err != nil {
		t.Fatal(err)
	}
	var cert PipelineCertificate
	if err := json.Unmarshal([]byte(text), &cert); err != nil {
		t.Fatal(err)
	}
	return &cert, text
}

func TestRecordPipelineCertificateStoresArchitectureAndConfigurationDigest(t *testing.T) {
	c, stub := certFixture(t) // pipe-1 was recorded by alice in tx-7
	cert, text := getPipeline(t, c, stub, "pipe-1")
	digest := sha256.Sum256([]byte(testConfiguration))
	if cert.Configuration != testConfiguration || cert.ConfigurationSHA256 != hex.EncodeToString(digest[:]) {
		t.Fatalf("configuration %q with digest %s", cert.Configuration, cert.ConfigurationSHA256)
	}
	if len(cert.Components) != 7 || cert.Components[3].Software[1] != (SoftwareVersion{Name: "onnx", Version: "1.17"}) ||
		cert.Components[6].Outputs == nil || cert.TxID != "tx-7" || cert.Creator != aliceID {
		t.Fatalf("certificate = %+v", cert)
	}
	if string(stub.State["\x00pipelineCertificate\x00pipe-1\x00"]) != text {
		t.Fatal("GetPipelineCertificate does not return the stored bytes")
	}
	checkGolden(t, "pipeline_certificate.json", text)
}

func TestRecordPipelineCertificateKeepsConfigurationBytes(t *testing.T) {
	c, stub := certFixture(t)
	// Whitespace, key order and HTML characters all survive, so the digest
	// can be checked against the record's configuration text.
	config := "{ \"b\": 1,\n  \"a\": \"<x> & y\", \"n\": 1.50 }"
	submit(t, stub, bob(), recordPipeline(c, "pipe-2", "1.0.1", testArchitecture, config))
	if ev := lastEvent(t, stub); ev.Name != "PipelineCertificateRecorded" || string(ev.Payload) != string(stub.State["\x00pipelineCertificate\x00pipe-2\x00"]) {
		t.Fatalf("event = %s %s", ev.Name, ev.Payload)
	}
	cert, _ := getPipeline(t, c, stub, "pipe-2")
	digest := sha256.Sum256([]byte(config))
	if cert.Configuration != config || cert.ConfigurationSHA256 != hex.EncodeToString(digest[:]) || cert.Version != "1.0.1" {
		t.Fatalf("certificate = %+v", cert)
	}
}

func TestRecordPipelineCertificateWithCertifiedModel(t *testing.T) {
	c, stub := certFixture(t)
	certifyCert1(t, c, stub)
	list := components(t)
	list[3]["model"] = "cert-1" // training may name its certificate
	list[4]["model"] = "cert-1" // inference must name a certified one
	list[6]["model"] = "cert-1" // so may monitoring
	submit(t, stub, alice(), recordPipeline(c, "pipe-2", "2.0.0", encode(t, list), "{}"))
	cert, text := getPipeline(t, c, stub, "pipe-2")
	for _, i := range []int{3, 4, 6} {
		if cert.Components[i].Model != "cert-1" || cert.Components[i].ModelSHA256 != model1SHA {
			t.Fatalf("component %d = %+v", i, cert.Components[i])
		}
	}
	if cert.Components[0].Model != "" || strings.Count(text, `"model":`) != 3 || strings.Count(text, `"modelSha256":"`+model1SHA+`"`) != 3 {
		t.Fatalf("model fields are omitted where unused: %s", text)
	}
}

func TestRecordPipelineCertificateAcceptsMinimalOrders(t *testing.T) {
	c, stub := certFixture(t)
	for i, arch := range []string{
		// A collection component may read nothing, and leave inputs out.
		`[{"name":"gen","stage":"collection","owner":"Org1MSP","steps":["synthesise"],"software":[{"name":"s","version":"1"}],"outputs":["dataset"]}]`,
		// Stages may repeat, and an input may be a kind produced two components earlier.
		`[{"name":"a","stage":"collection","owner":"Org1MSP","steps":["x"],"software":[{"name":"s","version":"1"}],"inputs":["raw-data"],"outputs":["raw-data","document"]},
		  {"name":"b","stage":"collection","owner":"Org2MSP","steps":["x"],"software":[{"name":"s","version":"1"}],"inputs":["a"],"outputs":["labels"]},
		  {"name":"c","stage":"training","owner":"Org2MSP","steps":["x"],"software":[{"name":"s","version":"1"}],"inputs":["document","labels"],"outputs":["model"]}]`,
		// No model named yet: the training component's certificate is still open.
		`[{"name":"a","stage":"collection","owner":"Org1MSP","steps":["x"],"software":[{"name":"s","version":"1"}],"inputs":["raw-data"],"outputs":["dataset"]},
		  {"name":"t","stage":"training","owner":"Org1MSP","steps":["x"],"software":[{"name":"s","version":"1"}],"inputs":["dataset"],"outputs":["model"],"model":"cert-1"}]`,
	} {
		submit(t, stub, bob(), recordPipeline(c, fmt.Sprintf("p-%d", i), "1", arch, "{}"))
	}
	cert, text := getPipeline(t, c, stub, "p-2")
	if cert.Components[1].Model != "cert-1" || strings.Contains(text, "modelSha256") {
		t.Fatalf("open certificate: %s", text)
	}
	if _, text := getPipeline(t, c, stub, "p-0"); !strings.Contains(text, `"inputs":[],"outputs":["dataset"]`) {
		t.Fatalf("left-out inputs stored as %s", text)
	}
}

func TestRecordPipelineCertificateRefusals(t *testing.T) {
	change := func(f func([]map[string]any) any) func(*testing.T) string {
		return func(t *testing.T) string { list := components(t); return encode(t, f(list)) }
	}
	set := func(i int, key string, value any) func(*testing.T) string {
		return change(func(l []map[string]any) any { l[i][key] = value; return l })
	}
	swap := func(i, j int) func(*testing.T) string {
		return change(func(l []map[string]any) any { l[i], l[j] = l[j], l[i]; return l })
	}
	fixed := func(s string) func(*testing.T) string { return func(*testing.T) string { return s } }
	many := func(n int, item string) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = item
		}
		return out
	}
	tests := []struct {
		name          string
		certID        string
		version       string
		architecture  func(*testing.T) string
		configuration string
		setup         func(*testing.T, *Contract, *fabrictest.Stub)
		want          string
	}{
		{name: "bad id", certID: "p 2", want: `certID "p 2" contains a character outside`},
		{name: "bad version", version: "", want: "version must not be empty: give a version such as 1.0.0"},
		{name: "architecture empty", architecture: fixed(""), want: "architecture is not valid: it is empty: give e.g. [{"},
		{name: "architecture null", architecture: fixed("null"), want: "architecture lists no components: give the components in execution order, e.g. [{"},
		{name: "architecture no components", architecture: fixed("[]"), want: "architecture lists no components"},
		{name: "architecture object", architecture: fixed("{}"), want: "architecture is not valid: the value is a JSON object where a list belongs"},
		{name: "architecture too big", architecture: fixed("[" + strings.Repeat(" ", 256*1024) + "]"), want: "architecture is 262146 bytes long: give at most 262144"},
		{name: "too many components", architecture: change(func(l []map[string]any) any {
			out := make([]map[string]any, 65)
			for i := range out {
				out[i] = l[0]
			}
			return out
		}), want: "architecture lists 65 components: give at most 64"},
		{name: "unknown field", architecture: set(1, "modelSha256", "ab"), want: `architecture is not valid: unknown field "modelSha256"`},
		{name: "field case", architecture: fixed(strings.Replace(testArchitecture, `"stage":"preprocessing"`, `"Stage":"preprocessing"`, 1)),
			want: `unknown field "Stage" in [1]: field names are case-sensitive, write "stage"`},
		{name: "nested field case", architecture: fixed(strings.Replace(testArchitecture, `{"name":"opencv"`, `{"Name":"opencv"`, 1)),
			want: `unknown field "Name" in [1].software[0]: field names are case-sensitive, write "name"`},
		{name: "wrong type", architecture: set(2, "steps", "annotate"), want: "architecture is not valid: steps is a JSON string where a list belongs"},
		{name: "name empty", architecture: set(0, "name", ""), want: "architecture[0].name must not be empty"},
		{name: "name is a kind", architecture: set(1, "name", "dataset"),
			want: `architecture[1].name "dataset" is an artifact kind: inputs could not tell the two apart, so name the component differently`},
		{name: "name twice", architecture: set(2, "name", "clean"),
			want: `architecture[2].name "clean" is already the name of architecture[1]: give each component its own name`},
		{name: "stage unknown", architecture: set(1, "stage", "cleaning"),
			want: `architecture[1] "clean".stage "cleaning" is not a pipeline stage: give one of collection, preprocessing, training, inference, result, monitoring`},
		{name: "owner bad", architecture: set(1, "owner", "Org 1"), want: `architecture[1] "clean".owner "Org 1" is not an MSP id`},
		{name: "steps empty", architecture: set(1, "steps", []any{}),
			want: `architecture[1] "clean".steps is empty: list the component's processing steps in order`},
		{name: "step empty", architecture: set(1, "steps", []any{"deblur", ""}),
			want: `architecture[1] "clean".steps[1] must not be empty: give the step's description`},
		{name: "too many steps", architecture: set(1, "steps", many(65, "s")), want: `architecture[1] "clean".steps lists 65 steps: give at most 64`},
		{name: "software empty", architecture: set(1, "software", []any{}),
			want: `architecture[1] "clean".software is empty: list the software the component runs with versions`},
		{name: "software too many", architecture: set(1, "software", many(65, "x")), want: "software is a JSON string where an object belongs"},
		{name: "software no version", architecture: set(1, "software", []any{map[string]any{"name": "opencv"}}),
			want: `architecture[1] "clean".software[0].version must not be empty: give the version in use, e.g. 2.5.1`},
		{name: "software no name", architecture: set(1, "software", []any{map[string]any{"version": "1"}}),
			want: `architecture[1] "clean".software[0].name must not be empty: give the software's name`},
		{name: "too many inputs", architecture: set(1, "inputs", many(33, "camera")),
			want: `architecture[1] "clean" lists 33 inputs and 1 outputs: give at most 32 of each`},
		{name: "input empty", architecture: set(1, "inputs", []any{""}),
			want: `architecture[1] "clean".inputs[0] is empty: give an artifact kind or an earlier component's name`},
		{name: "input twice", architecture: set(3, "inputs", []any{"dataset", "dataset"}),
			want: `architecture[3] "train".inputs[1] repeats "dataset": list each input once`},
		{name: "output not a kind", architecture: set(1, "outputs", []any{"frames"}),
			want: `architecture[1] "clean".outputs[0] "frames" is not an artifact kind`},
		{name: "output twice", architecture: set(1, "outputs", []any{"dataset", "dataset"}),
			want: `architecture[1] "clean".outputs[1] repeats "dataset": list each output once`},
		{name: "model on collection", architecture: set(0, "model", "cert-1"),
			want: `architecture[0] "camera".model: a collection component uses no model: remove "model", or give it to the training, inference, monitoring component that does`},
		{name: "model bad id", architecture: set(4, "model", "cert 1"), want: `architecture[4] "inspect".model "cert 1" contains a character outside`},
		{name: "inference before training", architecture: swap(3, 4),
			want: `architecture[4] "train" has stage training after stage inference (architecture[3] "inspect"): stages must follow the order collection, preprocessing, training, inference, result, monitoring, so reorder the components`},
		{name: "monitoring before result", architecture: swap(5, 6), want: `architecture[6] "summary" has stage result after stage monitoring`},
		{name: "preprocessing without inputs", architecture: set(1, "inputs", []any{}),
			want: `architecture[1] "clean".inputs is empty: a preprocessing component needs data, so list the artifact kinds or earlier components it reads`},
		{name: "input not produced", architecture: set(2, "inputs", []any{"labels"}),
			want: `architecture[2] "label" input "labels" is produced by no earlier component: put a component that outputs labels before it`},
		{name: "input produced later", architecture: set(1, "inputs", []any{"dataset"}),
			want: `architecture[1] "clean" input "dataset" is produced by no earlier component`},
		{name: "raw data into a later component", architecture: change(func(l []map[string]any) any {
			l[0]["outputs"] = []any{"document"}
			l[1]["inputs"] = []any{"camera", "raw-data"}
			return l
		}), want: `architecture[1] "clean" input "raw-data" is produced by no earlier component: raw data may enter from outside only into the first component, which must be a collection component`},
		{name: "raw data into a first non-collection component", architecture: change(func(l []map[string]any) any {
			l[0]["stage"] = "preprocessing"
			return l
		}), want: `architecture[0] "camera" input "raw-data" is produced by no earlier component: raw data may enter from outside only into the first component, which must be a collection component`},
		{name: "raw data into a second collection component", architecture: change(func(l []map[string]any) any {
			extra := map[string]any{"name": "camera2", "stage": "collection", "owner": "Org2MSP", "steps": []any{"x"},
				"software": []any{map[string]any{"name": "s", "version": "1"}}, "inputs": []any{"raw-data"}, "outputs": []any{"document"}}
			first := map[string]any{"name": "gen", "stage": "collection", "owner": "Org2MSP", "steps": []any{"x"},
				"software": []any{map[string]any{"name": "s", "version": "1"}}, "inputs": []any{}, "outputs": []any{"document"}}
			return append([]map[string]any{first, extra}, l[1:]...)
		}), want: `architecture[1] "camera2" input "raw-data" is produced by no earlier component: raw data may enter from outside only into the first component`},
		{name: "input unknown", architecture: set(1, "inputs", []any{"webcam"}),
			want: `architecture[1] "clean" input "webcam" is neither an artifact kind (raw-data, dataset, labels, code, configuration, model, inference-results, report, document) nor the name of a component: fix inputs[0]`},
		{name: "input itself", architecture: set(1, "inputs", []any{"camera", "clean"}),
			want: `architecture[1] "clean" input "clean" is the component itself: a component cannot read its own output, so remove inputs[1]`},
		{name: "input later component", architecture: set(1, "inputs", []any{"label"}),
			want: `architecture[1] "clean" input "label" is a later component (architecture[2]): data flows only forward, so reorder the components`},
		{name: "model missing", architecture: set(3, "model", "cert-9"),
			want: `architecture[3] "train".model: model certificate "cert-9" does not exist: open it with OpenModelCertificate first`},
		{name: "inference with an open certificate", architecture: set(4, "model", "cert-1"),
			want: `architecture[4] "inspect": model used without a complete certificate: model certificate "cert-1" is open, 0 of 9 phases, 0 of 2 approvals (from at least 2 organisations); certify it (all nine phases and the policy's approvals) before recording a pipeline that runs it`},
		{name: "inference with a complete certificate", architecture: set(4, "model", "cert-1"),
			setup: func(t *testing.T, c *Contract, s *fabrictest.Stub) {
				addPhases(t, c, s, 9)
				submit(t, s, dave(), approve(c, "cert-1"))
			},
			want: `model used without a complete certificate: model certificate "cert-1" is complete, 9 of 9 phases, 1 of 2 approvals`},
		{name: "configuration empty", configuration: "-", want: "configuration is not a JSON object: give the pipeline's configuration"},
		{name: "configuration list", configuration: "[1]", want: "configuration is not a JSON object"},
		{name: "configuration trailing", configuration: "{} {}", want: "configuration is not a JSON object"},
		{name: "configuration too big", configuration: `{"a":"` + strings.Repeat("x", 256*1024) + `"}`,
			want: "configuration is 262152 bytes long: give at most 262144; store a larger one as an artifact of kind configuration"},
		{name: "exists", certID: "pipe-1",
			want: `pipeline certificate "pipe-1" already exists: certificates are immutable, so record the changed pipeline under another certID`},
		{name: "read fails", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.GetStateErr = errors.New("disk") },
			want: `reading the period clock: disk`},
		{name: "no identity", setup: func(_ *testing.T, _ *Contract, s *fabrictest.Stub) { s.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := certFixture(t)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			certID, version, arch, config := "pipe-2", "2.0.0", testArchitecture, "{}"
			if tt.certID != "" {
				certID = tt.certID
			}
			if tt.name == "bad version" {
				version = tt.version
			}
			if tt.architecture != nil {
				arch = tt.architecture(t)
			}
			if tt.configuration == "-" {
				config = ""
			} else if tt.configuration != "" {
				config = tt.configuration
			}
			expectRefusal(t, stub, bob(), tt.want, recordPipeline(c, certID, version, arch, config))
		})
	}
	for want, setup := range map[string]func(*fabrictest.Stub){
		`writing pipeline certificate "pipe-2": full`:                                     func(s *fabrictest.Stub) { s.PutStateErr = errors.New("full") },
		`emitting PipelineCertificateRecorded for pipeline certificate "pipe-2": too big`: func(s *fabrictest.Stub) { s.EventErr = errors.New("too big") },
	} {
		c, stub := certFixture(t)
		setup(stub)
		stub.NextTx()
		if err := c.RecordPipelineCertificate(fabrictest.NewContext(stub, bob()), "pipe-2", "1", testArchitecture, "{}"); err == nil || err.Error() != want {
			t.Errorf("err = %v, want %s", err, want)
		}
	}
}

func TestGetPipelineCertificateRefusals(t *testing.T) {
	c, stub := certFixture(t)
	ctx := fabrictest.NewContext(stub, bob())
	stub.State["\x00pipelineCertificate\x00broken\x00"] = []byte("{")
	for id, want := range map[string]string{
		"":       "certID must not be empty",
		"pipe-9": `pipeline certificate "pipe-9" does not exist: record it with RecordPipelineCertificate first`,
		"broken": `decoding pipeline certificate "broken": unexpected end of JSON input`,
	} {
		if got, err := c.GetPipelineCertificate(ctx, id); err == nil || !strings.Contains(err.Error(), want) || got != "" {
			t.Errorf("GetPipelineCertificate(%q) = %q, %v; want an error containing %q", id, got, err, want)
		}
	}
	stub.GetStateErr = errors.New("disk")
	if _, err := c.GetPipelineCertificate(ctx, "pipe-1"); err == nil || err.Error() != `reading pipeline certificate "pipe-1": disk` {
		t.Fatalf("err = %v", err)
	}
}
