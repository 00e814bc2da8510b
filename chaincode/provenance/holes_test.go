package provenance

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"bcmlp.local/chaincode/internal/fabrictest"
	"bcmlp.local/chaincode/registry"
)

// The holes of issue 10, each found by running the landed contract; every
// test here failed on it.

// An author used to open its certificate with the policy
// {"approvals":1,"approverMSPs":[its own]} and certify its own model with
// one approval of its own. The policy now is the channel's (k >= 2, two
// organisations) and the author never approves.
func TestAuthorCannotCertifyItsOwnModel(t *testing.T) {
	c, stub := certFixture(t)
	addPhases(t, c, stub, 9)
	cert, _ := getCert(t, c, stub, "cert-1")
	if cert.Policy != (ApprovalPolicy{Approvals: 2, MinOrganisations: 2}) {
		t.Fatalf("policy = %+v, want the channel's", cert.Policy)
	}
	expectRefusal(t, stub, alice(), `the author cannot approve its own certificate: you (member "alice") opened model certificate "cert-1"`, approve(c, "cert-1"))
	// A colleague of the author who wrote no phase may approve, but one
	// organisation alone never certifies, however many approve.
	colleague := fabrictest.NewIdentity("Org1MSP", "alice2")
	enlist(t, c, stub, colleague, "alice2", "domain-expert")
	submit(t, stub, colleague, approve(c, "cert-1"))
	if ok, _ := c.IsModelCertified(fabrictest.NewContext(stub, carol()), "cert-1", model1SHA); ok {
		t.Fatal("certified by one approval")
	}
}

// Any channel member used to add the next phase to anyone's certificate.
func TestNonWriterCannotAddAPhase(t *testing.T) {
	c, stub := certFixture(t)
	// erin, a quality auditor, writes no phase at all.
	expectRefusal(t, stub, erin(), `phase requirements is written by a member of role company of organisation Org1MSP: member "erin" is a quality-auditor of Org3MSP`,
		addPhase(c, "cert-1", "requirements", validPhases[0].fields, "[]", ownCertificate("erin", "quality-auditor", "Org3MSP")))
	addPhases(t, c, stub, 2)
	// carol writes data collection, but cleaning is the data scientists'.
	expectRefusal(t, stub, carol(), `phase data-cleaning is written by a member of role data-scientist of organisation Org2MSP: member "carol" is a condition-monitor of Org3MSP`,
		addPhase(c, "cert-1", "data-cleaning", validPhases[2].fields, "[]", ownCertificate("carol", "condition-monitor", "Org3MSP")))
}

// The one adding the training phase used to set the certified model hash,
// whoever it was and whoever recorded the model: the model-substitution
// attack. Only a data scientist of the ModelTrainer writes training, and the
// model must be one it recorded itself.
func TestOnlyTheTrainerSetsTheModelHash(t *testing.T) {
	c, stub := certFixture(t)
	addPhases(t, c, stub, 5)
	training := validPhases[5]
	// alice (the Manufacturer's company) is no data scientist.
	expectRefusal(t, stub, alice(), `phase training is written by a member of role data-scientist of organisation Org2MSP: member "alice" is a company of Org1MSP`,
		addPhase(c, "cert-1", "training", training.fields, training.artifacts, ownCertificate("alice", "company", "Org1MSP")))
	// frank is of the ModelTrainer, but a domain expert.
	expectRefusal(t, stub, frank(), `phase training is written by a member of role data-scientist of organisation Org2MSP: member "frank" is a domain-expert of Org2MSP`,
		addPhase(c, "cert-1", "training", training.fields, training.artifacts, "member-frank"))
	// A data scientist of another organisation is refused too.
	other := fabrictest.NewIdentity("Org3MSP", "oscar")
	enlist(t, c, stub, other, "oscar", "data-scientist")
	expectRefusal(t, stub, other, `member "oscar" is a data-scientist of Org3MSP`,
		addPhase(c, "cert-1", "training", training.fields, training.artifacts, ownCertificate("oscar", "data-scientist", "Org3MSP")))
	// A model alice recorded cannot become the certified model, not even
	// through the data scientist who writes the phase.
	substitute := artifactOf("model-x", "[]")
	substitute.kind, substitute.sha = "model", strings.Repeat("ee", 32)
	recordArgs(t, c, stub, alice(), substitute)
	expectRefusal(t, stub, dave(), `phase training must name a model its writer recorded: artifact "model-x" was recorded by `+aliceID+` of Org1MSP, not by you`,
		addPhase(c, "cert-1", "training", training.fields, `["model-x"]`, "member-dave"))
	// bob trains and records model-1: its hash is the certificate's, and no
	// later phase changes it.
	submit(t, stub, bob(), addPhase(c, "cert-1", "training", training.fields, training.artifacts, "member-bob"))
	for i := 6; i < 9; i++ {
		who, creatorCert := phaseWriter(i)
		submit(t, stub, who, addPhase(c, "cert-1", validPhases[i].phase, validPhases[i].fields, `["model-2"]`, creatorCert))
	}
	if cert, _ := getCert(t, c, stub, "cert-1"); cert.ModelSHA256 != model1SHA || cert.ModelArtifactID != "model-1" || cert.Phases[5].CreatorMember != "bob" {
		t.Fatalf("certificate = %+v", cert)
	}
}

// Provenance used to check no membership, status or trust at all. Every
// write now needs a listed member that the registry knows as active, at or
// above the trust floor, bound to the same identity.
func TestWritesNeedAMemberInGoodStanding(t *testing.T) {
	writes := map[string]func(c *Contract) func(contractapi.TransactionContextInterface) error{
		"RecordArtifact": func(c *Contract) func(contractapi.TransactionContextInterface) error {
			return func(ctx contractapi.TransactionContextInterface) error {
				return artifactOf("new-1", "[]").record(c, ctx)
			}
		},
		"RateRecord": func(c *Contract) func(contractapi.TransactionContextInterface) error {
			return rate(c, "rated-1", "1", "", "[]")
		},
		"OpenModelCertificate": func(c *Contract) func(contractapi.TransactionContextInterface) error {
			return openCert(c, "cert-2", "m", "1.0.0")
		},
		"AddPhase": func(c *Contract) func(contractapi.TransactionContextInterface) error {
			return addPhase(c, "cert-1", "data-cleaning", validPhases[2].fields, "[]", "member-dave")
		},
		"ApproveModelCertificate": func(c *Contract) func(contractapi.TransactionContextInterface) error {
			return approve(c, "cert-3")
		},
		"RecordPipelineCertificate": func(c *Contract) func(contractapi.TransactionContextInterface) error {
			return recordPipeline(c, "pipe-2", "1.0.0", testArchitecture, testConfiguration)
		},
	}
	cases := []struct {
		name  string
		who   func() *fabrictest.Identity
		setup func(t *testing.T, c *Contract, stub *fabrictest.Stub)
		want  string
	}{
		{name: "non-member", who: func() *fabrictest.Identity { return fabrictest.NewIdentity("Org2MSP", "mallory") },
			want: `not a member of project channel project-a: your identity "x509::CN=mallory,OU=client::CN=ca.Org2MSP" of Org2MSP is on no entry of its member list`},
		{name: "removed", who: dave, setup: func(t *testing.T, c *Contract, stub *fabrictest.Stub) {
			submit(t, stub, admin2(), func(ctx contractapi.TransactionContextInterface) error {
				return c.RemoveMember(ctx, "dave", "left the project")
			})
		}, want: `not a member of project channel project-a: member "dave" was removed in transaction`},
		{name: "suspended", who: dave, setup: func(_ *testing.T, _ *Contract, stub *fabrictest.Stub) { registryOf(stub)["dave"].Status = "suspended" },
			want: `member "dave" is suspended in the registry: only active members write; the committee reinstates suspended members`},
		{name: "revoked", who: dave, setup: func(_ *testing.T, _ *Contract, stub *fabrictest.Stub) { registryOf(stub)["dave"].Status = "revoked" },
			want: `member "dave" is revoked in the registry: only active members write; revoked members never write again`},
		{name: "pending", who: dave, setup: func(_ *testing.T, _ *Contract, stub *fabrictest.Stub) { registryOf(stub)["dave"].Status = "pending" },
			want: `member "dave" is pending in the registry`},
		{name: "below the trust floor", who: dave, setup: func(_ *testing.T, _ *Contract, stub *fabrictest.Stub) {
			s := registryOf(stub)["dave"]
			s.Trust, s.Level, s.TrustFloor = -300_000, "medium distrust", -250_000
		}, want: `member "dave" has trust -300000 (medium distrust), below the registry's trust floor -250000`},
		{name: "bound to another identity in the registry", who: dave, setup: func(_ *testing.T, _ *Contract, stub *fabrictest.Stub) {
			registryOf(stub)["dave"].Identity = "x509::CN=dave-new,OU=client::CN=ca.Org2MSP"
		}, want: `member "dave" of project channel project-a is bound in the registry to identity "x509::CN=dave-new,OU=client::CN=ca.Org2MSP", not "` + daveID + `"`},
		{name: "unknown to the registry", who: dave, setup: func(_ *testing.T, _ *Contract, stub *fabrictest.Stub) { delete(registryOf(stub), "dave") },
			want: `checking member "dave" in the registry on mainchain failed (status 500: member "dave" does not exist`},
		{name: "a viewer", who: vera, want: `needs a role other than viewer: member "vera" is a viewer, and viewers only read`},
	}
	for name, write := range writes {
		for _, tt := range cases {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				c, stub := certFixture(t)
				a := artifactOf("rated-1", "[]")
				a.feedback = "true"
				recordArgs(t, c, stub, alice(), a)
				submit(t, stub, alice(), openCert(c, "cert-3", "m", "1.0.0"))
				addPhases(t, c, stub, 2)
				// cert-3 complete, by alice and carol only, for approvals.
				for i, p := range validPhases {
					who, creatorCert := phaseWriter(i)
					submit(t, stub, who, addPhase(c, "cert-3", p.phase, p.fields, p.artifacts, creatorCert))
				}
				if tt.setup != nil {
					tt.setup(t, c, stub)
				}
				expectRefusal(t, stub, tt.who(), tt.want, write(c))
			})
		}
		// The same write by dave in good standing passes: the refusals
		// above are the standing, nothing else.
		t.Run(name+"/in good standing", func(t *testing.T) {
			c, stub := certFixture(t)
			a := artifactOf("rated-1", "[]")
			a.feedback = "true"
			recordArgs(t, c, stub, alice(), a)
			submit(t, stub, alice(), openCert(c, "cert-3", "m", "1.0.0"))
			addPhases(t, c, stub, 2)
			for i, p := range validPhases {
				who, creatorCert := phaseWriter(i)
				submit(t, stub, who, addPhase(c, "cert-3", p.phase, p.fields, p.artifacts, creatorCert))
			}
			submit(t, stub, dave(), write(c))
		})
	}
}

// A listed identity whose registry member is someone else's is refused even
// though the channel lists it: the registry's binding decides.
func TestRegistryIdentityMustBeTheCallers(t *testing.T) {
	c, stub, _ := newFixture()
	registryOf(stub)["bob"].Identity = "x509::CN=bob2,OU=client::CN=ca.Org2MSP"
	expectRefusal(t, stub, bob(), `recording an artifact: member "bob" of project channel project-a is bound in the registry to identity "x509::CN=bob2,OU=client::CN=ca.Org2MSP"`,
		func(ctx contractapi.TransactionContextInterface) error { return artifactOf("x-1", "[]").record(c, ctx) })
	// A role the registry never gave is refused as well.
	registryOf(stub)["bob"].Identity, registryOf(stub)["bob"].Role = bobID, "company"
	expectRefusal(t, stub, bob(), `member "bob" of project channel project-a has the role company in the registry, not data-scientist`,
		func(ctx contractapi.TransactionContextInterface) error { return artifactOf("x-1", "[]").record(c, ctx) })
}

// TestPhaseWriterRoleTable checks every registry role against every phase,
// in the phase's organisation: a role writes exactly the phases
// testPhaseWriters gives it, and viewers write none.
func TestPhaseWriterRoleTable(t *testing.T) {
	allowed := map[string][]string{
		PhaseRequirements: {"company"}, PhaseDataCollection: {"company", "condition-monitor"},
		PhaseDataCleaning: {"data-scientist"}, PhaseDataLabelling: {"data-scientist"}, PhaseFeatureEngineering: {"data-scientist"},
		PhaseTraining: {"data-scientist"}, PhaseEvaluation: {"data-scientist"}, PhaseDeployment: {"company"}, PhaseMonitoring: {"condition-monitor"},
	}
	organisation := map[string]string{
		PhaseRequirements: "Org1MSP", PhaseDataCollection: "Org3MSP", PhaseDataCleaning: "Org2MSP", PhaseDataLabelling: "Org2MSP",
		PhaseFeatureEngineering: "Org2MSP", PhaseTraining: "Org2MSP", PhaseEvaluation: "Org2MSP", PhaseDeployment: "Org1MSP", PhaseMonitoring: "Org3MSP",
	}
	for i, spec := range phaseSpecs {
		for _, role := range memberRoles {
			t.Run(spec.name+"/"+role, func(t *testing.T) {
				c, stub := certFixture(t)
				addPhases(t, c, stub, i)
				who := fabrictest.NewIdentity(organisation[spec.name], "r-"+role)
				enlist(t, c, stub, who, "r-"+role, role)
				artifacts := validPhases[i].artifacts
				if spec.name == PhaseTraining {
					m := artifactOf("model-r", "[]")
					m.kind = "model"
					if role != roleViewer {
						recordArgs(t, c, stub, who, m)
					}
					artifacts = `["model-r"]`
				}
				write := addPhase(c, "cert-1", spec.name, validPhases[i].fields, artifacts, ownCertificate("r-"+role, role, organisation[spec.name]))
				switch {
				case role == roleViewer:
					expectRefusal(t, stub, who, "adding a phase needs a role other than viewer", write)
				case isOneOf(role, allowed[spec.name]):
					submit(t, stub, who, write)
				default:
					expectRefusal(t, stub, who, fmt.Sprintf("phase %s is written by a member of role ", spec.name), write)
				}
			})
		}
		// The right role of an organisation the phase does not name is refused.
		t.Run(spec.name+"/other organisation", func(t *testing.T) {
			c, stub := certFixture(t)
			addPhases(t, c, stub, i)
			other := "Org1MSP"
			if organisation[spec.name] == "Org1MSP" {
				other = "Org2MSP"
			}
			role := allowed[spec.name][0]
			who := fabrictest.NewIdentity(other, "o-"+role)
			enlist(t, c, stub, who, "o-"+role, role)
			if spec.name == PhaseDataCollection && other == "Org1MSP" {
				return // Org1MSP's company writes data collection too
			}
			expectRefusal(t, stub, who, fmt.Sprintf("phase %s is written by a member of role ", spec.name),
				addPhase(c, "cert-1", spec.name, validPhases[i].fields, validPhases[i].artifacts, ownCertificate("o-"+role, role, other)))
		})
	}
}

// The provenance contract knows the registry's roles, no more, no fewer.
func TestMemberRolesAreTheRegistrysRoles(t *testing.T) {
	if !reflect.DeepEqual(memberRoles, registry.Roles) {
		t.Fatalf("memberRoles = %q, registry.Roles = %q", memberRoles, registry.Roles)
	}
}

// A phase writer used to cite any string as its creator certificate, or
// another member's: a member certifying its own model could borrow the
// standing of a certificate that is not its own. The certificate must now
// be one the registry holds, valid, about the writer (or, a company
// certificate, about its organisation), and global or local to this
// channel or mainchain.
func TestPhaseCitesItsWritersOwnCertificate(t *testing.T) {
	type change func(certs map[string]*registry.Certificate)
	tests := []struct {
		name   string
		done   int    // phases recorded before: 0 for alice's requirements, 2 for bob's data cleaning
		cite   string // the creator certificate the writer cites
		change change // what the fake registry holds otherwise
		want   string // "" when the phase is recorded
	}{
		{name: "own person certificate, global", done: 2, cite: "member-bob"},
		{name: "own company certificate, local to mainchain", cite: "company-Org1MSP"},
		{name: "own organisation's company certificate, by a data scientist", done: 2, cite: "company-Org2MSP"},
		{name: "own certificate local to this channel", done: 2, cite: "member-bob",
			change: func(c map[string]*registry.Certificate) {
				c["member-bob"].Scope, c["member-bob"].ProjectChannel = "local", "project-a"
			}},
		{name: "own certificate whose revocation is still being approved", done: 2, cite: "member-bob",
			change: func(c map[string]*registry.Certificate) {
				c["member-bob"].RevocationApprovals = []registry.Approval{{MemberID: "m-1", Organisation: "Org3MSP", TxID: "main-tx-9"}}
			}},
		{name: "unknown certificate", cite: "cert-none",
			want: `creatorCertificateID: certificate "cert-none" is unknown to the registry on mainchain: cite a certificate the registry holds about you (member "alice") or your organisation's company certificate (subject Org1MSP)`},
		{name: "another member's certificate", done: 2, cite: "member-dave",
			want: `creatorCertificateID: certificate "member-dave" is about member "dave", not you (member "bob"): a phase entry carries its own writer's certificate`},
		{name: "another organisation's company certificate", cite: "company-Org2MSP",
			want: `creatorCertificateID: certificate "company-Org2MSP" is about organisation Org2MSP, not yours (Org1MSP): a phase entry carries its own writer's certificate`},
		{name: "a certificate about a thing", done: 2, cite: "model-cert-1",
			change: func(c map[string]*registry.Certificate) {
				m := personCertificate("x", "model")
				m.ID, m.Subject = "model-cert-1", "bob"
				c[m.ID] = m
			},
			want: `creatorCertificateID: certificate "model-cert-1" is a model certificate, about "bob", not about a member or an organisation`},
		{name: "revoked", done: 2, cite: "member-bob",
			change: func(c map[string]*registry.Certificate) {
				b := c["member-bob"]
				b.Status, b.RevokedBy, b.RevocationReason, b.RevokedAt = "revoked", "admin-Org2MSP", "degree not confirmed", "2025-02-20T10:00:00Z"
			},
			want: `creatorCertificateID: certificate "member-bob" was revoked (2025-02-20T10:00:00Z, by "admin-Org2MSP": degree not confirmed): a revoked certificate is never valid again`},
		{name: "a status the contract does not know", done: 2, cite: "member-bob",
			change: func(c map[string]*registry.Certificate) { c["member-bob"].Status = "suspended" },
			want:   `creatorCertificateID: certificate "member-bob" has status "suspended" in the registry, not valid`},
		{name: "local to another project channel", done: 2, cite: "member-bob",
			change: func(c map[string]*registry.Certificate) {
				c["member-bob"].Scope, c["member-bob"].ProjectChannel = "local", "project-b"
			},
			want: `creatorCertificateID: certificate "member-bob" is local to project channel project-b, not to this one (project-a): only global certificates and those local to project-a or to mainchain count here`},
		{name: "a scope the contract does not know", done: 2, cite: "member-bob",
			change: func(c map[string]*registry.Certificate) { c["member-bob"].Scope = "regional" },
			want:   `creatorCertificateID: certificate "member-bob" has scope "regional" in the registry, neither global nor local`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := certFixture(t)
			addPhases(t, c, stub, tt.done)
			if tt.change != nil {
				tt.change(registryCertificates[stub])
			}
			who, _ := phaseWriter(tt.done)
			p := validPhases[tt.done]
			write := addPhase(c, "cert-1", p.phase, p.fields, p.artifacts, tt.cite)
			if tt.want != "" {
				expectRefusal(t, stub, who, tt.want, write)
				return
			}
			submit(t, stub, who, write)
			if cert, _ := getCert(t, c, stub, "cert-1"); cert.Phases[tt.done].CreatorCertificateID != tt.cite {
				t.Fatalf("entry = %+v", cert.Phases[tt.done])
			}
		})
	}
}

// A registry that cannot answer, or answers with another certificate, fails
// the phase closed, naming the certificate.
func TestCreatorCertificateCheckFailsClosed(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer *peer.Response
		want   string
	}{
		{"registry unreachable", &peer.Response{Status: 500, Message: "channel mainchain not found"},
			`creatorCertificateID: checking certificate "member-bob" in the registry on mainchain failed (status 500: channel mainchain not found): the endorsing peer must have joined mainchain`},
		{"no response", nil, `checking certificate "member-bob" in the registry on mainchain failed (status 0: no response)`},
		{"another certificate", &peer.Response{Status: 200, Payload: []byte(`{"id":"member-dave","kind":"data-scientist","subject":"bob","status":"valid","scope":"global"}`)},
			`creatorCertificateID: checking certificate "member-bob" in the registry on mainchain: registry:GetCertificate returned "{\"id\":\"member-dave\"`},
		{"not JSON", &peer.Response{Status: 200, Payload: []byte(`valid`)}, `registry:GetCertificate returned "valid", not that certificate`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := certFixture(t)
			addPhases(t, c, stub, 2)
			answer := stub.Invoke
			stub.Invoke = func(name string, args [][]byte, channel string) *peer.Response {
				if string(args[0]) == "registry:GetCertificate" {
					return tt.answer
				}
				return answer(name, args, channel)
			}
			p := validPhases[2]
			expectRefusal(t, stub, bob(), tt.want, addPhase(c, "cert-1", p.phase, p.fields, p.artifacts, "member-bob"))
		})
	}
}

// The certificate kinds, scopes and statuses the check tells apart are the
// registry's.
func TestCreatorCertificateTermsAreTheRegistrys(t *testing.T) {
	for _, kind := range append([]string{companyCertificateKind}, personCertificateKinds...) {
		if !isOneOf(kind, registry.CertificateKinds) {
			t.Errorf("kind %q is not in registry.CertificateKinds %q", kind, registry.CertificateKinds)
		}
	}
	if scopeLocal != registry.ScopeLocal || scopeGlobal != registry.ScopeGlobal ||
		certificateValid != registry.CertificateValid || certificateRevoked != registry.CertificateRevoked {
		t.Fatalf("scopes %q %q and statuses %q %q differ from the registry's", scopeLocal, scopeGlobal, certificateValid, certificateRevoked)
	}
	// The registry's refusal of an unknown certificate is what
	// readRegistryCertificate recognises.
	stub := fabrictest.NewStub()
	_, err := registry.NewContract().GetCertificate(fabrictest.NewContext(stub, alice()), "cert-none")
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf(certificateUnknown, "cert-none")) {
		t.Fatalf("registry GetCertificate of an unknown id: %v", err)
	}
}
