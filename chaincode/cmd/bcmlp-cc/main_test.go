package main

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"bcmlp.local/chaincode/internal/fabrictest"
	"bcmlp.local/chaincode/provenance"
	"bcmlp.local/chaincode/registry"
)

// invoke runs one transaction through the real contractapi dispatch, with a
// real serialized X.509 identity as the creator.
func invoke(t *testing.T, stub *fabrictest.Stub, args ...string) (int32, string) {
	t.Helper()
	cc, err := newChaincode()
	if err != nil {
		t.Fatalf("newChaincode: %v", err)
	}
	stub.NextTx()
	stub.Args = nil
	for _, a := range args {
		stub.Args = append(stub.Args, []byte(a))
	}
	resp := cc.Invoke(stub)
	if resp.Status != 200 {
		return resp.Status, resp.Message
	}
	return resp.Status, string(resp.Payload)
}

func newInvokeStub(t *testing.T) *fabrictest.Stub {
	t.Helper()
	creator, err := fabrictest.SerializedIdentity("Org1MSP", "alice")
	if err != nil {
		t.Fatal(err)
	}
	stub := fabrictest.NewStub()
	stub.Creator = creator
	return stub
}

// aliceID is the client id Fabric's cid package derives from the test
// certificate of newInvokeStub (self-signed, so subject and issuer agree).
const aliceID = "x509::CN=alice,OU=client::CN=alice,OU=client"

// foundConsortium founds the consortium on stub with alice (Org1MSP, the
// stub's creator) and bob (Org2MSP) as founders, confirmed by both
// organisations' admins; the creator is alice again afterwards.
func foundConsortium(t *testing.T, stub *fabrictest.Stub) {
	t.Helper()
	founders := `[{"memberId":"alice","role":"admin","mspId":"Org1MSP","identity":"` + aliceID + `","prior":0},` +
		`{"memberId":"bob","role":"admin","mspId":"Org2MSP","identity":"x509::CN=bob,OU=client::CN=ca.Org2MSP"}]`
	// Each founding organisation's admin certificate (NodeOU "admin") consents.
	alice := stub.Creator
	var proposal string
	for _, msp := range []string{"Org1MSP", "Org2MSP"} {
		admin, err := fabrictest.SerializedAdminIdentity(msp, "admin")
		if err != nil {
			t.Fatal(err)
		}
		stub.Creator = admin
		call := []string{"registry:InitConsortium", "{}", founders}
		if proposal != "" {
			call = []string{"registry:ConfirmConsortium", proposal}
		}
		status, body := invoke(t, stub, call...)
		if status != 200 {
			t.Fatalf("%s: %d %s", call[0], status, body)
		}
		if proposal == "" {
			proposal = body
		}
	}
	stub.Creator = alice
}

func TestChaincodeServesRegistry(t *testing.T) {
	stub := newInvokeStub(t)
	foundConsortium(t, stub)
	status, body := invoke(t, stub, "registry:GetMember", "alice")
	if status != 200 {
		t.Fatalf("GetMember: %d %s", status, body)
	}
	var m struct {
		Identity   string            `json:"identity"`
		MSPID      string            `json:"mspId"`
		Role       string            `json:"role"`
		Attributes map[string]string `json:"attributes"`
		Documents  []any             `json:"documents"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("GetMember payload %q: %v", body, err)
	}
	// The identity bound at genesis is the one the caller's real certificate yields.
	if m.Identity != aliceID || m.MSPID != "Org1MSP" || m.Role != "admin" || m.Attributes == nil || m.Documents == nil {
		t.Fatalf("GetMember = %+v", m)
	}
	// Calls without a contract prefix go to registry, the default contract.
	if status, _ := invoke(t, stub, "GetMember", "alice"); status != 200 {
		t.Fatalf("unprefixed GetMember: status %d", status)
	}
	// Records with arrays, maps, levels and booleans pass the return schemas.
	const doc = `[{"cid":"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e","sha256":"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9","name":"register extract"}]`
	if status, msg := invoke(t, stub, "registry:IssueCertificate", "cert-org1", "company", "Org1MSP", "local:mainchain", `{"legalEntity":"Org One GmbH"}`, doc); status != 200 {
		t.Fatalf("IssueCertificate: %d %s", status, msg)
	}
	for _, call := range [][]string{
		{"registry:GetTrust", "alice"}, {"registry:GetTrustTable"}, {"registry:GetCommittee"}, {"registry:GetParameters"},
		{"registry:GetCertificate", "cert-org1"}, {"registry:IsCertificateValid", "cert-org1"},
		{"registry:GetOrganisationEnrolment", "Org1MSP"}, {"registry:GetTrustClock"},
	} {
		if status, body := invoke(t, stub, call...); status != 200 {
			t.Errorf("%v: %d %s", call, status, body)
		}
	}
	if _, body := invoke(t, stub, "registry:GetTrust", "alice"); !strings.Contains(body, `"trust":869565,"level":"very high trust"`) {
		t.Errorf("GetTrust = %s", body)
	}
	if _, body := invoke(t, stub, "registry:IsCertificateValid", "cert-org1"); body != "true" {
		t.Errorf("IsCertificateValid = %s", body)
	}
}

// projectStub is a project channel's stub whose cross-channel queries reach
// the registry, served by the same chaincode, on mainchain's stub: a
// consortium founded with alice (Org1MSP) and bob (Org2MSP) as founders.
// alice, an admin member, is on the channel's member list.
func projectStub(t *testing.T) *fabrictest.Stub {
	t.Helper()
	mainchain := newInvokeStub(t)
	foundConsortium(t, mainchain)
	stub := newInvokeStub(t)
	stub.ChannelID = "project-a"
	stub.Invoke = func(name string, args [][]byte, channel string) *peer.Response {
		cc, err := newChaincode()
		if name != "registry" || channel != "mainchain" || err != nil {
			return &peer.Response{Status: 500, Message: "unexpected call"}
		}
		mainchain.Args, mainchain.Creator = args, stub.Creator
		return cc.Invoke(mainchain)
	}
	alice := stub.Creator
	admin, err := fabrictest.SerializedAdminIdentity("Org1MSP", "admin")
	if err != nil {
		t.Fatal(err)
	}
	writers := []string{}
	for _, phase := range []string{"requirements", "data-collection", "data-cleaning", "data-labelling", "feature-engineering", "training", "evaluation", "deployment", "monitoring"} {
		writers = append(writers, `"`+phase+`":{"roles":["admin"],"organisations":["Org1MSP"]}`)
	}
	params := `{"periodSeconds":86400,"firstPeriod":1,"organisations":["Org1MSP","Org2MSP"],"certificateApprovals":2,` +
		`"phaseWriters":{` + strings.Join(writers, ",") + `},` +
		`"members":[{"memberId":"alice","identity":"` + aliceID + `","role":"admin","organisation":"Org1MSP"}]}`
	stub.Creator = admin
	if status, msg := invoke(t, stub, "provenance:InitProject", params); status != 200 {
		t.Fatalf("InitProject: %d %s", status, msg)
	}
	stub.Creator = alice
	return stub
}

func TestChaincodeServesProvenance(t *testing.T) {
	stub := projectStub(t)
	const cid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
	const sha = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
	// alice registers a key-agreement key on mainchain and records key
	// epoch 1 for the channel's one member: the epoch is checked against
	// the registry's own answer to GetKeyAgreementKey.
	private, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(private.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if resp := stub.Invoke("registry", [][]byte{[]byte("registry:RegisterKeyAgreementKey"), publicPEM}, "mainchain"); resp.Status != 200 {
		t.Fatalf("RegisterKeyAgreementKey: %d %s", resp.Status, resp.Message)
	}
	sum := sha256.Sum256(der)
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	epoch := `{"epoch":1,"wrapped":[{"scheme":"` + provenance.MemberKeyScheme + `","memberId":"alice","recipient":"` + hex.EncodeToString(sum[:]) +
		`","epoch":1,"ephemeralPublicKey":"` + b64(32) + `","nonce":"` + b64(12) + `","ciphertext":"` + b64(48) + `"}]}`
	if status, msg := invoke(t, stub, "provenance:RecordKeyEpoch", epoch); status != 200 {
		t.Fatalf("RecordKeyEpoch: %d %s", status, msg)
	}
	if status, msg := invoke(t, stub, "provenance:RecordArtifact", "raw-1", "raw-data", cid, sha, "11", "text/plain", "[]", `["Org1MSP","Org2MSP"]`, "1", "false", ""); status != 200 {
		t.Fatalf("RecordArtifact raw-1: %d %s", status, msg)
	}
	if status, msg := invoke(t, stub, "provenance:RecordArtifact", "model-1", "model", cid, sha, "11", "application/octet-stream", `["raw-1"]`, `["Org1MSP","Org2MSP"]`, "1", "false", ""); status != 200 {
		t.Fatalf("RecordArtifact model-1: %d %s", status, msg)
	}
	status, body := invoke(t, stub, "provenance:GetLineage", "model-1")
	if status != 200 {
		t.Fatalf("GetLineage: %d %s", status, body)
	}
	var lineage []struct {
		ID      string   `json:"id"`
		Parents []string `json:"parents"`
		Size    int64    `json:"size"`
	}
	if err := json.Unmarshal([]byte(body), &lineage); err != nil {
		t.Fatalf("GetLineage payload %q: %v", body, err)
	}
	if len(lineage) != 2 || lineage[0].ID != "model-1" || lineage[1].ID != "raw-1" || lineage[1].Parents == nil || lineage[0].Size != 11 {
		t.Fatalf("GetLineage = %+v", lineage)
	}
	// A root's empty parents must come back as [] to pass the return schema.
	if status, body := invoke(t, stub, "provenance:GetArtifact", "raw-1"); status != 200 || !strings.Contains(body, `"parents":[]`) {
		t.Fatalf("GetArtifact raw-1: %d %s", status, body)
	}
}

// A phase's creator certificate is checked against the real registry on
// mainchain: its answer to GetCertificate, including its refusal of an
// unknown id, is what provenance reads.
func TestChaincodeChecksPhaseCertificatesInTheRegistry(t *testing.T) {
	stub := projectStub(t)
	const doc = `[{"cid":"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e","sha256":"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9","name":"register extract"}]`
	for _, org := range []string{"Org1MSP", "Org2MSP"} {
		issue := [][]byte{[]byte("registry:IssueCertificate"), []byte("cert-" + org), []byte("company"), []byte(org), []byte("local:mainchain"), []byte(`{"legalEntity":"` + org + ` GmbH"}`), []byte(doc)}
		if resp := stub.Invoke("registry", issue, "mainchain"); resp.Status != 200 {
			t.Fatalf("IssueCertificate cert-%s: %d %s", org, resp.Status, resp.Message)
		}
	}
	if status, msg := invoke(t, stub, "provenance:OpenModelCertificate", "model-cert", "inspector", "1.0.0"); status != 200 {
		t.Fatalf("OpenModelCertificate: %d %s", status, msg)
	}
	requirements := []string{"provenance:AddPhase", "model-cert", "requirements", `{"goals":"find scratches","decisions":"binary CNN"}`, "[]"}
	for cite, want := range map[string]string{
		"cert-none":    `creatorCertificateID: certificate "cert-none" is unknown to the registry on mainchain`,
		"cert-Org2MSP": `creatorCertificateID: certificate "cert-Org2MSP" is about organisation Org2MSP, not yours (Org1MSP)`,
	} {
		if status, msg := invoke(t, stub, append(requirements, cite)...); status != 500 || !strings.HasPrefix(msg, want) {
			t.Errorf("citing %s: %d %q, want 500 beginning %q", cite, status, msg, want)
		}
	}
	if status, msg := invoke(t, stub, append(requirements, "cert-Org1MSP")...); status != 200 {
		t.Fatalf("citing alice's organisation's certificate: %d %s", status, msg)
	}
}

func TestChaincodeReportsContractErrors(t *testing.T) {
	stub := newInvokeStub(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"registry:GetMember", "carol"}, `member "carol" does not exist`},
		{[]string{"registry:RequestEnrolment", "alice", "viewer", "{}", "[]"}, "the consortium is not initialised: an admin of a founding organisation proposes it with InitConsortium"},
		{[]string{"registry:RequestEnrolment", "alice", "owner", "{}", "[]"}, `role "owner" is not a member role`},
		{[]string{"provenance:RecordArtifact", "x", "dataset", "Qm", "00", "1", "a/b", "[]", "[]", "1", "false", ""}, `cid "Qm" is not a valid CID`},
		{[]string{"provenance:GetArtifact", "nope"}, `artifact "nope" does not exist`},
		{[]string{"trust:GetMember", "alice"}, "Contract not found with name trust"},
	}
	for _, tt := range tests {
		status, msg := invoke(t, stub, tt.args...)
		if status != 500 || !strings.Contains(msg, tt.want) {
			t.Errorf("%v: %d %q, want 500 containing %q", tt.args, status, msg, tt.want)
		}
	}
}

func TestChaincodeMetadataMarksQueries(t *testing.T) {
	stub := newInvokeStub(t)
	status, body := invoke(t, stub, "org.hyperledger.fabric:GetMetadata")
	if status != 200 {
		t.Fatalf("GetMetadata: %d %s", status, body)
	}
	var md struct {
		Contracts map[string]struct {
			Transactions []struct {
				Name string   `json:"name"`
				Tag  []string `json:"tag"`
			} `json:"transactions"`
		} `json:"contracts"`
	}
	if err := json.Unmarshal([]byte(body), &md); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, c := range md.Contracts {
		for _, tx := range c.Transactions {
			got[name+":"+tx.Name] = strings.Join(tx.Tag, ",")
		}
	}
	want := map[string]string{
		"registry:InitConsortium":               "submit,SUBMIT",
		"registry:ConfirmConsortium":            "submit,SUBMIT",
		"registry:GetGenesisProposal":           "evaluate,EVALUATE",
		"registry:RequestEnrolment":             "submit,SUBMIT",
		"registry:RequestOrganisationEnrolment": "submit,SUBMIT",
		"registry:ApproveEnrolment":             "submit,SUBMIT",
		"registry:RejectEnrolment":              "submit,SUBMIT",
		"registry:RequestMemberStatus":          "submit,SUBMIT",
		"registry:ApproveMemberStatus":          "submit,SUBMIT",
		"registry:GetStatusRequest":             "evaluate,EVALUATE",
		"registry:ProposeParameters":            "submit,SUBMIT",
		"registry:VoteParameters":               "submit,SUBMIT",
		"registry:IssueCertificate":             "submit,SUBMIT",
		"registry:UpgradeCertificate":           "submit,SUBMIT",
		"registry:RevokeCertificate":            "submit,SUBMIT",
		"registry:SubmitTrustSnapshot":          "submit,SUBMIT",
		"registry:RegisterProject":              "submit,SUBMIT",
		"registry:ClosePeriod":                  "submit,SUBMIT",
		"registry:ApplyPeriod":                  "submit,SUBMIT",
		"registry:GetMember":                    "evaluate,EVALUATE",
		"registry:GetEnrolment":                 "evaluate,EVALUATE",
		"registry:GetOrganisationEnrolment":     "evaluate,EVALUATE",
		"registry:GetParameters":                "evaluate,EVALUATE",
		"registry:GetProposal":                  "evaluate,EVALUATE",
		"registry:GetCommittee":                 "evaluate,EVALUATE",
		"registry:GetCertificate":               "evaluate,EVALUATE",
		"registry:IsCertificateValid":           "evaluate,EVALUATE",
		"registry:GetTrust":                     "evaluate,EVALUATE",
		"registry:GetTrustTable":                "evaluate,EVALUATE",
		"registry:GetTrustClock":                "evaluate,EVALUATE",
		"registry:GetAppliedSnapshot":           "evaluate,EVALUATE",
		"registry:GetProject":                   "evaluate,EVALUATE",
		"registry:GetSubmittedSnapshots":        "evaluate,EVALUATE",
		"registry:GetAppliedPeriod":             "evaluate,EVALUATE",
		"provenance:RecordArtifact":             "submit,SUBMIT",
		"provenance:RateRecord":                 "submit,SUBMIT",
		"provenance:InitProject":                "submit,SUBMIT",
		"provenance:ClosePeriod":                "submit,SUBMIT",
		"provenance:OpenModelCertificate":       "submit,SUBMIT",
		"provenance:AddPhase":                   "submit,SUBMIT",
		"provenance:ApproveModelCertificate":    "submit,SUBMIT",
		"provenance:RecordPipelineCertificate":  "submit,SUBMIT",
		"provenance:GetArtifact":                "evaluate,EVALUATE",
		"provenance:GetLineage":                 "evaluate,EVALUATE",
		"provenance:GetFeedback":                "evaluate,EVALUATE",
		"provenance:ListAwaitingFeedback":       "evaluate,EVALUATE",
		"provenance:GetPeriodClock":             "evaluate,EVALUATE",
		"provenance:GetTrustSnapshot":           "evaluate,EVALUATE",
		"provenance:GetModelCertificate":        "evaluate,EVALUATE",
		"provenance:IsModelCertified":           "evaluate,EVALUATE",
		"provenance:GetPipelineCertificate":     "evaluate,EVALUATE",
		"provenance:AddMember":                  "submit,SUBMIT",
		"provenance:RemoveMember":               "submit,SUBMIT",
		"provenance:GetMembers":                 "evaluate,EVALUATE",
		"provenance:GetProjectMember":           "evaluate,EVALUATE",
		"provenance:RecordKeyEpoch":             "submit,SUBMIT",
		"provenance:GetKeyEpoch":                "evaluate,EVALUATE",
		"provenance:GetKeyEpochs":               "evaluate,EVALUATE",
		"provenance:RecordResultBatch":          "submit,SUBMIT",
		"provenance:GetResultBatch":             "evaluate,EVALUATE",
		"registry:GetStanding":                  "evaluate,EVALUATE",
		"registry:RegisterKeyAgreementKey":      "submit,SUBMIT",
		"registry:GetKeyAgreementKeys":          "evaluate,EVALUATE",
		"registry:GetKeyAgreementKey":           "evaluate,EVALUATE",
	}
	for name, tag := range want {
		if got[name] != tag {
			t.Errorf("%s tags = %q, want %q", name, got[name], tag)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok && !strings.HasPrefix(name, "org.hyperledger.fabric:") {
			t.Errorf("unexpected transaction %s", name)
		}
	}
}

// env is a fake environment and file system for serverFromEnv.
type env struct {
	vars  map[string]string
	files map[string]string
}

func (e env) getenv(k string) string { return e.vars[k] }

func (e env) readFile(path string) ([]byte, error) {
	data, ok := e.files[path]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return []byte(data), nil
}

func TestServerFromEnvRefusesWithoutTLS(t *testing.T) {
	// Address and id alone used to start a plaintext server; now the missing
	// TLS variables are named, each with what it should hold.
	e := env{vars: map[string]string{envAddress: "127.0.0.1:9999", envChaincodeID: "bcmlp_0.1:abc"}}
	s, err := serverFromEnv(e.getenv, e.readFile)
	want := "runs only as a TLS service the peer connects to: set CHAINCODE_TLS_KEY_FILE (the PEM private key of the server's TLS certificate), CHAINCODE_TLS_CERT_FILE (the PEM TLS certificate for that key); optionally set CHAINCODE_CLIENT_CA_CERT_FILE"
	if err == nil || !strings.Contains(err.Error(), want) || s != nil {
		t.Fatalf("serverFromEnv = %+v, %v; want no server and an error containing %q", s, err, want)
	}
}

func TestServerFromEnvWithTLS(t *testing.T) {
	files := map[string]string{"/k": "KEY", "/c": "CERT", "/ca": "CA"}
	base := map[string]string{envAddress: "0.0.0.0:9999", envChaincodeID: "id", envTLSKey: "/k", envTLSCert: "/c"}
	s, err := serverFromEnv(env{vars: base, files: files}.getenv, env{files: files}.readFile)
	if err != nil {
		t.Fatal(err)
	}
	if s.Address != "0.0.0.0:9999" || s.CCID != "id" || s.TLSProps.Disabled || string(s.TLSProps.Key) != "KEY" || string(s.TLSProps.Cert) != "CERT" || s.TLSProps.ClientCACerts != nil {
		t.Fatalf("TLS = %+v", s.TLSProps)
	}
	base[envClientCA] = "/ca"
	s, err = serverFromEnv(env{vars: base}.getenv, env{files: files}.readFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(s.TLSProps.ClientCACerts) != "CA" {
		t.Fatalf("client CA = %q", s.TLSProps.ClientCACerts)
	}
}

func TestServerFromEnvRefusals(t *testing.T) {
	files := map[string]string{"/k": "KEY", "/c": "CERT", "/ca": "CA", "/empty": ""}
	serve := map[string]string{envAddress: "127.0.0.1:9999", envChaincodeID: "id"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range serve {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"nothing set", nil,
			"runs only as a TLS service the peer connects to: set CHAINCODE_SERVER_ADDRESS (the host:port to listen on, e.g. 127.0.0.1:9999), CORE_CHAINCODE_ID_NAME (the package id printed by 'peer lifecycle chaincode install'), CHAINCODE_TLS_KEY_FILE (the PEM private key of the server's TLS certificate), CHAINCODE_TLS_CERT_FILE (the PEM TLS certificate for that key); optionally set CHAINCODE_CLIENT_CA_CERT_FILE to require client certificates"},
		{"no address", with(map[string]string{envAddress: "", envTLSKey: "/k", envTLSCert: "/c"}), "set CHAINCODE_SERVER_ADDRESS (the host:port to listen on, e.g. 127.0.0.1:9999); optionally"},
		{"no id", with(map[string]string{envChaincodeID: "", envTLSKey: "/k", envTLSCert: "/c"}), "set CORE_CHAINCODE_ID_NAME (the package id printed by 'peer lifecycle chaincode install'); optionally"},
		{"key unreadable", with(map[string]string{envTLSKey: "/missing", envTLSCert: "/c"}),
			"CHAINCODE_TLS_KEY_FILE=/missing cannot be read: open /missing: file does not exist; point it at a readable PEM file"},
		{"cert unreadable", with(map[string]string{envTLSKey: "/k", envTLSCert: "/missing"}), "CHAINCODE_TLS_CERT_FILE=/missing cannot be read"},
		{"ca unreadable", with(map[string]string{envTLSKey: "/k", envTLSCert: "/c", envClientCA: "/missing"}),
			"CHAINCODE_CLIENT_CA_CERT_FILE=/missing cannot be read: open /missing: file does not exist; point it at a readable PEM file or unset it"},
		{"key empty", with(map[string]string{envTLSKey: "/empty", envTLSCert: "/c"}), "CHAINCODE_TLS_KEY_FILE=/empty is empty: point it at a readable PEM file"},
		{"key only", with(map[string]string{envTLSKey: "/k"}), "set CHAINCODE_TLS_CERT_FILE (the PEM TLS certificate for that key); optionally"},
		{"cert only", with(map[string]string{envTLSCert: "/c"}), "set CHAINCODE_TLS_KEY_FILE (the PEM private key of the server's TLS certificate); optionally"},
		{"ca only", with(map[string]string{envClientCA: "/ca"}),
			"set CHAINCODE_TLS_KEY_FILE (the PEM private key of the server's TLS certificate), CHAINCODE_TLS_CERT_FILE (the PEM TLS certificate for that key); optionally"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env{vars: tt.vars, files: files}
			s, err := serverFromEnv(e.getenv, e.readFile)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if s != nil {
				t.Fatalf("server %+v alongside an error", s)
			}
		})
	}
}

func TestRunRefusesWithoutServiceConfiguration(t *testing.T) {
	e := env{}
	err := run(e.getenv, e.readFile)
	if err == nil || !strings.Contains(err.Error(), "CHAINCODE_SERVER_ADDRESS") {
		t.Fatalf("run = %v", err)
	}
	// Without TLS material run returns the refusal instead of serving in clear
	// (a plaintext server would block here).
	e = env{vars: map[string]string{envAddress: "127.0.0.1:0", envChaincodeID: "id"}}
	err = run(e.getenv, e.readFile)
	if err == nil || !strings.Contains(err.Error(), "set CHAINCODE_TLS_KEY_FILE") {
		t.Fatalf("run without TLS = %v", err)
	}
}

func TestRunReportsServerStartFailure(t *testing.T) {
	// TLS material that is not PEM makes the shim refuse to start, so run
	// returns instead of serving.
	files := map[string]string{"/k": "not a key", "/c": "not a cert"}
	e := env{vars: map[string]string{envAddress: "127.0.0.1:0", envChaincodeID: "id", envTLSKey: "/k", envTLSCert: "/c"}, files: files}
	if err := run(e.getenv, e.readFile); err == nil {
		t.Fatal("run started a server with unusable TLS material")
	}
}

// TestNoTwoSchemaTypesShareAName guards the served metadata: contractapi names
// each struct's schema by its type name alone, and one chaincode serves both
// contracts, so two structs of one name (trust.Feedback and provenance's
// feedback record once) share one schema, and the peer then refuses every
// answer of the other shape ("Additional property ... is not allowed").
func TestNoTwoSchemaTypesShareAName(t *testing.T) {
	seen := map[string]reflect.Type{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		if other, ok := seen[typ.Name()]; ok {
			if other != typ {
				t.Errorf("two schema types are named %s: %s and %s", typ.Name(), other.PkgPath(), typ.PkgPath())
			}
			return
		}
		seen[typ.Name()] = typ
		for i := 0; i < typ.NumField(); i++ {
			if typ.Field(i).IsExported() {
				walk(typ.Field(i).Type)
			}
		}
	}
	for _, contract := range []any{registry.NewContract(), provenance.NewContract()} {
		typ := reflect.TypeOf(contract)
		for i := 0; i < typ.NumMethod(); i++ {
			method := typ.Method(i).Type
			for j := 0; j < method.NumOut(); j++ {
				walk(method.Out(j))
			}
		}
	}
	if len(seen) < 10 {
		t.Fatalf("found only %d schema types: the walk is broken", len(seen))
	}
}
