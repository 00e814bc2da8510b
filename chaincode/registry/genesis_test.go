package registry

import (
	"errors"
	"testing"
)

// InitConsortium used to found the consortium at once, with whatever
// founders and parameters its caller wrote: whoever submitted first decided
// for every organisation. Now it only proposes, and every founding
// organisation's admin must confirm.
func TestInitConsortiumOnlyProposesUntilEveryFoundingOrganisationConfirms(t *testing.T) {
	w := newWorld(t)
	id := w.found("{}", w.threeFounders())
	var prop GenesisProposal
	if name := w.event(&prop); name != "ConsortiumProposed" || prop.Status != RequestPending || len(prop.Confirmations) != 1 ||
		prop.Confirmations[0].MSPID != "Org1MSP" || prop.Confirmations[0].Admin != "x509::CN=adm-Org1MSP,OU=admin::CN=ca.Org1MSP" {
		t.Fatalf("event %s %+v", name, prop)
	}
	if _, err := w.c.GetParameters(w.as("f1")); !errors.Is(err, errNotInitialised) {
		t.Fatalf("initialised by one organisation's proposal: %v", err)
	}
	w.ok(w.c.ConfirmConsortium(w.as(w.admin("Org3MSP")), id))
	if name := w.event(&prop); name != "ConsortiumConfirmed" || len(prop.Confirmations) != 2 {
		t.Fatalf("event %s %+v", name, prop)
	}
	if _, err := w.c.GetParameters(w.as("f1")); !errors.Is(err, errNotInitialised) {
		t.Fatalf("initialised by two of three organisations: %v", err)
	}
	// A founder's own client identity is no admin: it cannot confirm for Org2MSP.
	before := w.state()
	w.refused(before, w.c.ConfirmConsortium(w.as("f2"), id), `ConfirmConsortium needs an admin identity of a founding organisation (NodeOU "admin")`)
	w.ok(w.c.ConfirmConsortium(w.as(w.admin("Org2MSP")), id))
	var g Genesis
	if name := w.event(&g); name != "ConsortiumInitialised" || g.ProposalID != id || len(g.Founders) != 3 {
		t.Fatalf("event %s %+v", name, g)
	}
	got, err := w.c.GetGenesisProposal(w.as("f1"), id)
	if err != nil || got.Status != RequestApproved || got.AppliedAt != g.Parameters.ChangedAt || len(got.Confirmations) != 3 {
		t.Fatalf("proposal %+v %v", got, err)
	}
}

// A front-runner's proposal waits for the organisations it names and never
// blocks the honest one; once that starts the consortium, it is dead.
func TestAFrontRunnerCannotFoundTheConsortium(t *testing.T) {
	w := newWorld(t)
	w.id("mallory", "Org2MSP")
	hostile := "[" + w.founderJSON("m1", "mallory", "Org2MSP", "") + "," + w.founderJSON("m3", "mallory", "Org3MSP", "") + "]"
	attack, err := w.c.InitConsortium(w.as(w.admin("Org2MSP")), `{"approvals":2,"trustFloor":-1000000}`, hostile)
	w.ok(err)
	w.genesis("{}")
	before := w.state()
	w.refused(before, w.c.ConfirmConsortium(w.as(w.admin("Org3MSP")), attack), "the consortium is already initialised: it is founded once")
	if m := w.member("f2"); !m.Founder {
		t.Fatalf("f2 %+v", m)
	}
	if _, err := w.c.GetMember(w.as("f1"), "m1"); err == nil {
		t.Fatal("the front-runner's founder exists")
	}
}

func TestConfirmConsortiumRefusals(t *testing.T) {
	tests := []struct {
		name, who, proposal string
		setup               func(w *world, id string)
		want                string
	}{
		{name: "client identity", who: "f2", want: `ConfirmConsortium needs an admin identity of a founding organisation (NodeOU "admin"): your identity "x509::CN=f2,OU=client::CN=ca.Org2MSP" of Org2MSP is not one`},
		{name: "admin of an organisation the proposal does not found", who: "adm-Org9MSP",
			want: `genesis proposal "tx-2" does not found your organisation Org9MSP: only admins of its founding organisations confirm it`},
		{name: "the proposer's organisation again", who: "adm-Org1MSP",
			want: `genesis proposal "tx-2" was already confirmed for Org1MSP (transaction tx-2): each founding organisation confirms once`},
		{name: "unknown proposal", who: "adm-Org2MSP", proposal: "tx-9", want: `genesis proposal "tx-9" does not exist: give the id InitConsortium returned`},
		{name: "bad proposal id", who: "adm-Org2MSP", proposal: "", want: "proposalID must not be empty"},
		{name: "ledger write fails", who: "adm-Org2MSP", setup: func(w *world, _ string) { w.stub.PutStateErr = errors.New("full") },
			want: `writing genesis proposal "tx-2": full`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			id := w.found("{}", w.threeFounders())
			w.admin("Org9MSP")
			w.admin("Org2MSP")
			if tt.setup != nil {
				tt.setup(w, id)
			}
			if tt.proposal != "" || tt.name == "bad proposal id" {
				id = tt.proposal
			}
			before := w.state()
			w.refused(before, w.c.ConfirmConsortium(w.as(tt.who), id), tt.want)
		})
	}
}
