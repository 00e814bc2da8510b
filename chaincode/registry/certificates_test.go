package registry

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const dataAttrs = `{"dataSources":"line camera 2","dataType":"grey image","minimum":"0","maximum":"255"}`

// certWorld has three founders, a company member vera of Org1MSP (trust 0) and a
// local data certificate "data-1" issued by vera for project-a.
func certWorld(t *testing.T, params string) *world {
	t.Helper()
	w := newWorld(t)
	w.genesis(params)
	w.staff("vera", "vera", "Org1MSP", "company")
	w.ok(w.c.IssueCertificate(w.as("vera"), "data-1", "data", "raw-images-1", "local:project-a", dataAttrs, oneDoc))
	return w
}

func TestIssueLocalCertificate(t *testing.T) {
	w := certWorld(t, "{}")
	var got Certificate
	if name := w.event(&got); name != "CertificateIssued" {
		t.Fatalf("event %s", name)
	}
	want := Certificate{
		ID: "data-1", Kind: "data", Subject: "raw-images-1", Scope: "local", ProjectChannel: "project-a",
		Attributes: map[string]string{"dataSources": "line camera 2", "dataType": "grey image", "minimum": "0", "maximum": "255"},
		Evidence:   []Document{{CID: helloRawCID, SHA256: helloSHA256, Name: "register extract"}},
		Issuer:     "vera", IssuerMSP: "Org1MSP", Status: "valid", UpgradeApprovals: []Approval{}, RevocationApprovals: []Approval{},
		IssuedAt: "2025-03-01T09:30:07.123456789Z", TxID: "tx-8",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("event payload %+v\nwant %+v", got, want)
	}
	const wantRecord = `{"id":"data-1","kind":"data","subject":"raw-images-1","scope":"local","projectChannel":"project-a",` +
		`"attributes":{"dataSources":"line camera 2","dataType":"grey image","maximum":"255","minimum":"0"},` +
		`"evidence":[{"cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `","name":"register extract"}],` +
		`"issuer":"vera","issuerMsp":"Org1MSP","status":"valid","upgradeApprovals":[],"revocationApprovals":[],"revokedBy":"","revocationReason":"",` +
		`"issuedAt":"2025-03-01T09:30:07.123456789Z","upgradedAt":"","revokedAt":"","txId":"tx-8"}`
	if rec := string(w.stub.State["\x00certificate\x00data-1\x00"]); rec != wantRecord {
		t.Fatalf("record\n%s\nwant\n%s", rec, wantRecord)
	}
	c, err := w.c.GetCertificate(w.as("f2"), "data-1")
	if err != nil || !reflect.DeepEqual(*c, want) {
		t.Fatalf("GetCertificate %+v %v", c, err)
	}
	if valid, err := w.c.IsCertificateValid(w.as("f2"), "data-1"); !valid || err != nil {
		t.Fatalf("IsCertificateValid = %v, %v", valid, err)
	}
}

func TestUpgradeCertificateAfterKHighTrustApprovals(t *testing.T) {
	w := certWorld(t, "{}")
	w.ok(w.c.UpgradeCertificate(w.as("f1"), "data-1"))
	var c Certificate
	if name := w.event(&c); name != "CertificateUpgradeApproved" || c.Scope != "local" || len(c.UpgradeApprovals) != 1 {
		t.Fatalf("first approval: %s %+v", name, c)
	}
	w.ok(w.c.UpgradeCertificate(w.as("f2"), "data-1"))
	if name := w.event(&c); name != "CertificateUpgraded" || c.Scope != "global" || c.UpgradedAt != "2025-03-01T09:30:09.123456789Z" ||
		c.ProjectChannel != "project-a" || c.UpgradeApprovals[1].MemberID != "f2" {
		t.Fatalf("second approval: %s %+v", name, c)
	}
	before := w.state()
	w.refused(before, w.c.UpgradeCertificate(w.as("f3"), "data-1"), `certificate "data-1" is already global`)
}

func TestUpgradeCertificateRefusals(t *testing.T) {
	tests := []struct {
		name, who, certID string
		setup             func(w *world)
		want              string
	}{
		{name: "approver below high trust", who: "vera", certID: "data-1",
			want: `approving a certificate upgrade needs at least high trust (above 500000): member "vera" has trust 0 (low trust/distrust)`},
		{name: "issuer approves its own", who: "f1", certID: "own",
			setup: func(w *world) {
				w.ok(w.c.IssueCertificate(w.as("f1"), "own", "company", "Org1MSP", "local:project-b", `{"legalEntity":"Org1 GmbH"}`, oneDoc))
			},
			want: `member "f1" issued certificate "own" and cannot approve its upgrade: other members of high trust must`},
		{name: "double approval", who: "f1", certID: "data-1",
			setup: func(w *world) { w.ok(w.c.UpgradeCertificate(w.as("f1"), "data-1")) },
			want:  `member "f1" has already approved the upgrade of certificate "data-1": each member approves once`},
		{name: "revoked", who: "f1", certID: "data-1",
			setup: func(w *world) { w.ok(w.c.RevokeCertificate(w.as("vera"), "data-1", "mislabelled")) },
			want:  `certificate "data-1" is revoked: a revoked certificate is never valid again, so it cannot be upgraded`},
		{name: "unknown", who: "f1", certID: "data-9",
			want: `certificate "data-9" does not exist: check the id, or issue it with IssueCertificate`},
		{name: "bad id", who: "f1", certID: "data 1", want: `certID "data 1" contains a character outside`},
		{name: "suspended approver", who: "f2", certID: "data-1",
			setup: func(w *world) { w.setStatus("f2", "suspended", "audit") },
			want:  `member "f2" is suspended`},
		{name: "ledger write fails", who: "f1", certID: "data-1",
			setup: func(w *world) { w.stub.PutStateErr = errors.New("full") }, want: `writing certificate "data-1": full`},
		{name: "event fails", who: "f1", certID: "data-1",
			setup: func(w *world) { w.stub.EventErr = errors.New("too big") },
			want:  `emitting CertificateUpgradeApproved for certificate "data-1": too big`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := certWorld(t, "{}")
			if tt.setup != nil {
				tt.setup(w)
			}
			before := w.state()
			err := w.c.UpgradeCertificate(w.as(tt.who), tt.certID)
			if w.stub.EventErr != nil {
				// The write happened before the event failed; the peer
				// discards the whole transaction, so only the error matters.
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				return
			}
			w.refused(before, err, tt.want)
		})
	}
}

func TestRevokeCertificateIsFinal(t *testing.T) {
	w := certWorld(t, "{}")
	w.ok(w.c.RevokeCertificate(w.as("vera"), "data-1", "labels were wrong"))
	var c Certificate
	if name := w.event(&c); name != "CertificateRevoked" || c.Status != "revoked" || c.RevokedBy != "vera" || c.RevocationReason != "labels were wrong" || c.RevokedAt != "2025-03-01T09:30:08.123456789Z" {
		t.Fatalf("event %s %+v", name, c)
	}
	if valid, err := w.c.IsCertificateValid(w.as("f1"), "data-1"); valid || err != nil {
		t.Fatalf("IsCertificateValid = %v, %v", valid, err)
	}
	before := w.state()
	w.refused(before, w.c.RevokeCertificate(w.as("f1"), "data-1", "again"), `certificate "data-1" is already revoked (2025-03-01T09:30:08.123456789Z, by "vera")`)
	// Issuing it anew under the same id is refused too: a revoked certificate never becomes valid again.
	w.refused(before, w.c.IssueCertificate(w.as("vera"), "data-1", "data", "raw-images-1", "local:project-a", dataAttrs, oneDoc),
		`certificate "data-1" already exists: certificates are never overwritten, so choose another certID`)
}

// One committee member used to revoke anyone's certificate alone, for good:
// now it takes k approvals from two organisations.
func TestCommitteeRevokesAnotherMembersCertificateByKApprovals(t *testing.T) {
	w := certWorld(t, "{}")
	w.ok(w.c.RevokeCertificate(w.as("f3"), "data-1", "fraud"))
	var c Certificate
	if name := w.event(&c); name != "CertificateRevocationApproved" || c.Status != "valid" || c.RevocationReason != "fraud" || len(c.RevocationApprovals) != 1 {
		t.Fatalf("event %s %+v", name, c)
	}
	if valid, _ := w.c.IsCertificateValid(w.as("f1"), "data-1"); !valid {
		t.Fatal("revoked by one committee member alone")
	}
	before := w.state()
	w.refused(before, w.c.RevokeCertificate(w.as("f3"), "data-1", "fraud"),
		`member "f3" has already approved the revocation of certificate "data-1": each committee member approves once`)
	w.ok(w.c.RevokeCertificate(w.as("f2"), "data-1", "confirmed"))
	if name := w.event(&c); name != "CertificateRevoked" || c.RevokedBy != "f2" || c.RevocationReason != "fraud" || c.Status != "revoked" {
		t.Fatalf("event %s %+v", name, c)
	}
}

func TestRevokeCertificateRefusals(t *testing.T) {
	tests := []struct {
		name, who, certID, reason string
		want                      string
	}{
		{name: "neither issuer nor committee", who: "walt", certID: "data-1", reason: "dislike",
			want: `revoking certificate "data-1", issued by "vera", needs its issuer or the committee: member "walt" is not on the committee`},
		{name: "no reason", who: "vera", certID: "data-1", reason: "", want: "reason must not be empty: say why the certificate is revoked"},
		{name: "unknown", who: "vera", certID: "nope", reason: "x", want: `certificate "nope" does not exist`},
		{name: "not a member", who: "stranger", certID: "data-1", reason: "x", want: "is not bound to any member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := certWorld(t, "{}")
			w.viewer("walt", "walt", "Org2MSP")
			w.id("stranger", "Org2MSP")
			before := w.state()
			w.refused(before, w.c.RevokeCertificate(w.as(tt.who), tt.certID, tt.reason), tt.want)
		})
	}
}

func TestIssueCertificateRefusals(t *testing.T) {
	type call struct{ certID, kind, subject, scope, attrs, evidence string }
	valid := call{"data-2", "data", "raw-2", "local:project-a", dataAttrs, oneDoc}
	with := func(f func(*call)) call { c := valid; f(&c); return c }
	tests := []struct {
		name  string
		who   string
		call  call
		setup func(w *world)
		want  string
	}{
		{name: "bad cert id", call: with(func(c *call) { c.certID = "" }), want: "certID must not be empty"},
		{name: "unknown kind", call: with(func(c *call) { c.kind = "pipeline" }),
			want: `kind "pipeline" is not a certificate kind: use one of company, customer, domain-expert, data-scientist, model, data-source, data, public-dataset`},
		{name: "role that is no certificate kind", call: with(func(c *call) { c.kind = "viewer" }), want: `kind "viewer" is not a certificate kind`},
		{name: "bad subject", call: with(func(c *call) { c.subject = "a b" }), want: `subject "a b" contains a character outside`},
		{name: "scope missing", call: with(func(c *call) { c.scope = "" }),
			want: `scope "" is not "local:<projectChannel>": give e.g. local:project-a for a certificate of that project channel, or local:mainchain for the consortium`},
		{name: "scope local without channel", call: with(func(c *call) { c.scope = "local" }), want: `scope "local" is not "local:<projectChannel>"`},
		{name: "scope with bad channel", call: with(func(c *call) { c.scope = "local:Project_A" }),
			want: `scope's projectChannel "Project_A" is not a channel name`},
		{name: "attributes of another kind", call: with(func(c *call) { c.attrs = `{"legalEntity":"X"}` }),
			want: `attribute "legalEntity" is not defined for certificate kind "data"; allowed: dataSources, dataType, minimum, maximum`},
		{name: "attribute missing", call: with(func(c *call) { c.attrs = `{"dataSources":"x"}` }),
			want: `attribute "dataType" is required for certificate kind "data"`},
		{name: "boundaries swapped", call: with(func(c *call) { c.attrs = `{"dataSources":"x","dataType":"y","minimum":"10.5","maximum":"-3"}` }),
			want: `attributes of certificate kind "data": minimum 10.5 is greater than maximum -3: swap them`},
		{name: "no evidence", call: with(func(c *call) { c.evidence = "[]" }),
			want: "evidenceJSON lists no documents: a certificate rests on at least one document on IPFS"},
		{name: "bad evidence", call: with(func(c *call) { c.evidence = "null" }),
			want: `evidenceJSON is not a JSON array of {"cid","sha256","name"} objects (null)`},
		{name: "global", call: with(func(c *call) { c.scope = "global" }),
			want: `scope "global" cannot be issued: a certificate becomes global only by k upgrade approvals from two organisations`},
		{name: "duplicate", call: with(func(c *call) { c.certID = "data-1" }),
			want: `certificate "data-1" already exists: certificates are never overwritten, so choose another certID`},
		{name: "person certificate naming a missing company certificate", call: with(func(c *call) {
			c.kind, c.attrs = "domain-expert", `{"companyCertificate":"cert-x"}`
		}), want: `attribute "companyCertificate" names certificate "cert-x", which does not exist`},
		{name: "pending issuer", who: "ann", want: `member "ann" is pending`},
		{name: "timestamp fails", setup: func(w *world) { w.stub.TimestampErr = errors.New("no header") },
			want: "reading the transaction timestamp: no header"},
		{name: "certificate read fails", setup: func(w *world) {
			w.stub.GetStateErr = errors.New("disk")
		}, want: "reading the consortium parameters: disk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := certWorld(t, "{}")
			w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
			if tt.setup != nil {
				tt.setup(w)
			}
			who := tt.who
			if who == "" {
				who = "vera"
			}
			c := tt.call
			if c == (call{}) {
				c = valid
			}
			before := w.state()
			w.refused(before, w.c.IssueCertificate(w.as(who), c.certID, c.kind, c.subject, c.scope, c.attrs, c.evidence), tt.want)
		})
	}
}

func TestIssueCertificateOfEveryKind(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	company := w.companyCert("Org1MSP")
	person := `{"identity":"Jane Roe","affiliation":"Org1 QA","companyCertificate":"` + company + `"}`
	attrs := map[string]string{
		"company":        `{"legalEntity":"Org1 GmbH","companyCertificate":"` + company + `"}`,
		"customer":       person,
		"domain-expert":  person,
		"data-scientist": `{"companyCertificate":"` + company + `","expertiseDegree":"master","workExperienceYears":12}`,
		"model":          `{"modelHash":"` + helloSHA256 + `","name":"surface-defects","version":"1.4.0","birthCertificate":"project-a/model-7"}`,
		"data-source":    `{"sourceIdentity":"line camera 2","sourceType":"camera","machineAgeYears":7}`,
		"data":           dataAttrs,
		"public-dataset": `{"source":"MVTec AD","signatureHash":"` + helloSHA256 + `"}`,
	}
	w.staff("co", "co", "Org2MSP", "company")
	w.staff("ds", "ds", "Org2MSP", "data-scientist")
	issuers := map[string]string{"model": "ds", "public-dataset": "ds", "data-source": "co", "data": "co"}
	for _, kind := range CertificateKinds {
		issuer := issuers[kind]
		if issuer == "" {
			issuer = "f2" // an admin
		}
		w.ok(w.c.IssueCertificate(w.as(issuer), "c-"+kind, kind, "s-"+kind, "local:project-a", attrs[kind], oneDoc))
		c, err := w.c.GetCertificate(w.as("f2"), "c-"+kind)
		if err != nil || c.Kind != kind || len(c.Attributes) == 0 {
			t.Fatalf("%s: %+v %v", kind, c, err)
		}
	}
	if c, _ := w.c.GetCertificate(w.as("f2"), "c-data-scientist"); c.Attributes["workExperienceYears"] != "12" {
		t.Fatalf("integer attribute stored as %q", c.Attributes["workExperienceYears"])
	}
}
