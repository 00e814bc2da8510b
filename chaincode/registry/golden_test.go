package registry

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"bcmlp.local/chaincode/trust"
)

var update = flag.Bool("update", false, "rewrite the golden records in testdata")

// TestGoldenRecords keeps in testdata/ one record of every kind the queries
// return, encoded as contractapi returns it (encoding/json), so that clients
// in other languages (gateway/ledger) test their parsing against exactly what
// this contract answers; a change to a record's form shows up here first.
func TestGoldenRecords(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	company := w.companyCert("Org1MSP")
	attrs := `{"identity":"Dana Scully","companyCertificate":"` + company + `","expertiseDegree":"doctorate","workExperienceYears":4}`
	enrolment := w.enrol("dana", "dana", "Org1MSP", "data-scientist", attrs)
	w.approve(enrolment, "f1", "f2")
	organisation, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org9MSP", "Nine AG", oneDoc)
	w.ok(err)
	w.ok(w.c.IssueCertificate(w.as("dana"), "data-1", "data", "raw-images-1", "local:project-a",
		`{"dataSources":"line camera 2","dataType":"grey image","minimum":"-0.5","maximum":"255"}`, oneDoc))
	w.ok(w.c.UpgradeCertificate(w.as("f2"), "data-1"))
	w.register("project-a", "Org1MSP", "Org2MSP")
	w.period(channelFeedback{"project-a", "f1", []trust.Feedback{{Rater: "f1", Ratee: "dana", Score: 750_000}, {Rater: "dana", Ratee: "dana", Score: trust.Scale}}})
	w.submit("f2", "project-a", w.closePeriod(), trust.Feedback{Rater: "x509::CN=f2,OU=client::CN=ca.Org2MSP", Ratee: "dana", Score: -250_000})
	proposal, err := w.c.ProposeParameters(w.as("f1"), `{"trustFloor":100000,"trust":{"decay":950000}}`)
	w.ok(err)
	w.ok(w.c.VoteParameters(w.as("f2"), proposal))
	statusRequest, err := w.c.RequestMemberStatus(w.as("f1"), "dana", "suspended", "audit of label quality")
	w.ok(err)
	w.registerKAK("dana", kakPEM1)
	w.registerKAK("dana", kakPEM2)

	ctx := w.as("f3")
	records := []struct {
		name  string
		query func() (any, error)
	}{
		{"genesis_proposal.json", func() (any, error) { return w.c.GetGenesisProposal(ctx, "tx-2") }},
		{"member.json", func() (any, error) { return w.c.GetMember(ctx, "dana") }},
		{"enrolment.json", func() (any, error) { return w.c.GetEnrolment(ctx, enrolment) }},
		{"organisation.json", func() (any, error) { return w.c.GetOrganisationEnrolment(ctx, "Org9MSP") }},
		{"organisation_request.json", func() (any, error) { return w.c.GetEnrolment(ctx, organisation) }},
		{"certificate.json", func() (any, error) { return w.c.GetCertificate(ctx, "data-1") }},
		{"parameters.json", func() (any, error) { return w.c.GetParameters(ctx) }},
		{"proposal.json", func() (any, error) { return w.c.GetProposal(ctx, proposal) }},
		{"trust_table.json", func() (any, error) { return w.c.GetTrustTable(ctx) }},
		{"trust_clock.json", func() (any, error) { return w.c.GetTrustClock(ctx) }},
		{"applied_snapshot.json", func() (any, error) { return w.c.GetAppliedSnapshot(ctx, "project-a", "1") }},
		{"submitted_snapshots.json", func() (any, error) { return w.c.GetSubmittedSnapshots(ctx, "project-a") }},
		{"project.json", func() (any, error) { return w.c.GetProject(ctx, "project-a") }},
		{"applied_period.json", func() (any, error) { return w.c.GetAppliedPeriod(ctx, "1") }},
		{"status_request.json", func() (any, error) { return w.c.GetStatusRequest(ctx, statusRequest) }},
		{"key_agreement_keys.json", func() (any, error) { return w.c.GetKeyAgreementKeys(ctx, "dana") }},
		{"key_agreement_key.json", func() (any, error) { return w.c.GetKeyAgreementKey(ctx, "dana") }},
	}
	for _, r := range records {
		v, err := r.query()
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		checkGolden(t, r.name, raw)
	}
}

// checkGolden compares got, indented, with testdata/name; -update rewrites it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	path := "testdata/" + name
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
