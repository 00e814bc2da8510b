package provenance

import (
	"encoding/json"
	"testing"

	"bcmlp.local/chaincode/internal/fabrictest"
)

// TestGoldenQueryRecords keeps in testdata/ what the artifact, feedback and
// trust queries answer, encoded as contractapi returns it (encoding/json for
// records, the text itself for strings), so that clients in other languages
// (gateway/ledger) test their parsing against exactly these answers; the
// certificate queries' golden files are kept by their own tests.
func TestGoldenQueryRecords(t *testing.T) {
	c, stub, _ := newFixture()
	stub.NextTx() // numbered as before InitProject moved into the fixture's first transaction
	raw := artifactOf("raw-1", "[]")
	raw.kind, raw.mediaType = "raw-data", "image/png"
	raw.bounds = `{"source":"camera-3","dataType":"uint8","min":"-0.5","max":"255"}`
	recordArgs(t, c, stub, alice(), raw)
	dataset := artifactOf("dataset-1", `["raw-1"]`)
	dataset.feedback, dataset.epoch, dataset.pinnedOn = "true", "2", `["Org1MSP","Org3MSP"]`
	recordArgs(t, c, stub, alice(), dataset)
	evidence := `[{"cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `"}]`
	submit(t, stub, bob(), rate(c, "dataset-1", "0.75", "clean labels", evidence))
	submit(t, stub, carol(), rate(c, "dataset-1", "-0.25", "", "[]"))
	closePeriod(t, c, stub)
	stub.NextTx()
	if err := c.RemoveMember(fabrictest.NewContext(stub, admin2()), "frank", "left the project"); err != nil {
		t.Fatal(err)
	}

	ctx := fabrictest.NewContext(stub, dave())
	records := []struct {
		name  string
		query func() (any, error)
	}{
		{"artifact.json", func() (any, error) { return c.GetArtifact(ctx, "raw-1") }},
		{"lineage.json", func() (any, error) { return c.GetLineage(ctx, "dataset-1") }},
		{"feedback.json", func() (any, error) { return c.GetFeedback(ctx, "dataset-1") }},
		{"period_clock.json", func() (any, error) { return c.GetPeriodClock(ctx) }},
		{"project_members.json", func() (any, error) { return c.GetMembers(ctx) }},
		{"trust_snapshot.json", func() (any, error) { return c.GetTrustSnapshot(ctx, "1") }},
	}
	for _, r := range records {
		v, err := r.query()
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		text, isText := v.(string)
		if !isText {
			encoded, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			text = string(encoded)
		}
		checkGolden(t, r.name, text)
	}
}
