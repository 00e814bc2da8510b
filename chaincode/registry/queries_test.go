package registry

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"bcmlp.local/chaincode/trust"
)

func TestEvaluateTransactionsAreTheQueries(t *testing.T) {
	got := NewContract().GetEvaluateTransactions()
	want := []string{
		"GetMember", "GetEnrolment", "GetOrganisationEnrolment", "GetParameters", "GetProposal",
		"GetCommittee", "GetCertificate", "IsCertificateValid", "GetTrust", "GetTrustTable",
		"GetTrustClock", "GetAppliedSnapshot", "GetProject", "GetSubmittedSnapshots", "GetAppliedPeriod", "GetStatusRequest", "GetGenesisProposal", "GetStanding",
		"GetKeyAgreementKeys", "GetKeyAgreementKey",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetEvaluateTransactions = %q", got)
	}
	// Every query exists, and every other transaction of the contract writes.
	methods := map[string]bool{}
	typ := reflect.TypeOf(NewContract())
	for i := 0; i < typ.NumMethod(); i++ {
		methods[typ.Method(i).Name] = true
	}
	for _, q := range got {
		if !methods[q] {
			t.Errorf("query %s is not a method", q)
		}
		delete(methods, q)
	}
	var submits []string
	for _, name := range sortedKeys(methods) {
		if _, inherited := reflect.TypeOf(&NewContract().Contract).MethodByName(name); !inherited && name != "GetEvaluateTransactions" {
			submits = append(submits, name)
		}
	}
	sort.Strings(submits)
	wantSubmits := []string{"ApplyPeriod", "ApproveEnrolment", "ApproveMemberStatus", "ClosePeriod", "ConfirmConsortium", "InitConsortium", "IssueCertificate",
		"ProposeParameters", "RegisterKeyAgreementKey", "RegisterProject", "RejectEnrolment", "RequestEnrolment", "RequestMemberStatus", "RequestOrganisationEnrolment",
		"RevokeCertificate", "SubmitTrustSnapshot", "UpgradeCertificate", "VoteParameters"}
	if !reflect.DeepEqual(submits, wantSubmits) {
		t.Fatalf("submit transactions %q", submits)
	}
}

func TestQueriesAnswerAnyIdentity(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.id("reader", "Org9MSP") // no member, not even of an enrolled organisation
	m, err := w.c.GetMember(w.as("reader"), "f2")
	if err != nil || m.ID != "f2" || m.Identity != "x509::CN=f2,OU=client::CN=ca.Org2MSP" {
		t.Fatalf("GetMember %+v %v", m, err)
	}
	org, err := w.c.GetOrganisationEnrolment(w.as("reader"), "Org1MSP")
	if err != nil || *org != (Organisation{MSPID: "Org1MSP", Name: "Org1MSP", Status: "approved", Founding: true, CreatedAt: t1, DecidedAt: t1}) {
		t.Fatalf("GetOrganisationEnrolment %+v %v", org, err)
	}
	rows, err := w.c.GetTrustTable(w.as("reader"))
	if err != nil || len(rows) != 3 || rows[0].MemberID != "f1" || rows[2].MemberID != "f3" || rows[1].Trust != founderTrust || rows[1].Level != trust.VeryHighTrust {
		t.Fatalf("GetTrustTable %+v %v", rows, err)
	}
	clock, err := w.c.GetTrustClock(w.as("reader"))
	if err != nil || *clock != (TrustClock{OpenPeriod: 1, OpenedAt: t1}) {
		t.Fatalf("GetTrustClock %+v %v", clock, err)
	}
}

func TestEmptyCommitteeIsAnEmptyList(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	for _, f := range []string{"f1", "f2", "f3"} {
		corrupt(w, "\x00member\x00"+f+"\x00", func(m *Member) { m.Status = StatusSuspended })
	}
	seats, err := w.c.GetCommittee(w.as("f1"))
	if err != nil || seats == nil || len(seats) != 0 {
		t.Fatalf("GetCommittee %#v %v", seats, err)
	}
}

func TestQueryRefusals(t *testing.T) {
	tests := []struct {
		name  string
		query func(w *world) error
		setup func(w *world)
		want  string
	}{
		{name: "member missing", query: func(w *world) error { _, err := w.c.GetMember(w.as("f1"), "carol"); return err },
			want: `member "carol" does not exist: check the id, or enrol it with RequestEnrolment`},
		{name: "member bad id", query: func(w *world) error { _, err := w.c.GetMember(w.as("f1"), "a/b"); return err },
			want: `memberID "a/b" contains a character outside`},
		{name: "member unreadable", query: func(w *world) error { _, err := w.c.GetMember(w.as("f1"), "f2"); return err },
			setup: func(w *world) { w.stub.GetStateErr = errors.New("disk") }, want: `reading member "f2": disk`},
		{name: "member corrupt", query: func(w *world) error { _, err := w.c.GetMember(w.as("f1"), "f2"); return err },
			setup: func(w *world) { w.stub.State["\x00member\x00f2\x00"] = []byte("{") }, want: `decoding member "f2":`},
		{name: "enrolment missing", query: func(w *world) error { _, err := w.c.GetEnrolment(w.as("f1"), "tx-99"); return err },
			want: `enrolment request "tx-99" does not exist`},
		{name: "enrolment bad id", query: func(w *world) error { _, err := w.c.GetEnrolment(w.as("f1"), ""); return err },
			want: "requestID must not be empty"},
		{name: "organisation missing", query: func(w *world) error { _, err := w.c.GetOrganisationEnrolment(w.as("f1"), "Org9MSP"); return err },
			want: `organisation "Org9MSP" is not enrolled in the consortium`},
		{name: "organisation bad id", query: func(w *world) error { _, err := w.c.GetOrganisationEnrolment(w.as("f1"), "Org 9"); return err },
			want: `mspID "Org 9" contains a character outside`},
		{name: "proposal missing", query: func(w *world) error { _, err := w.c.GetProposal(w.as("f1"), "p1"); return err },
			want: `proposal "p1" does not exist`},
		{name: "proposal bad id", query: func(w *world) error { _, err := w.c.GetProposal(w.as("f1"), ""); return err },
			want: "proposalID must not be empty"},
		{name: "parameters corrupt", query: func(w *world) error { _, err := w.c.GetParameters(w.as("f1")); return err },
			setup: func(w *world) { w.stub.State["\x00parameters\x00"] = []byte("[") }, want: "decoding the consortium parameters:"},
		{name: "certificate missing", query: func(w *world) error { _, err := w.c.GetCertificate(w.as("f1"), "c1"); return err },
			want: `certificate "c1" does not exist`},
		{name: "certificate bad id", query: func(w *world) error { _, err := w.c.GetCertificate(w.as("f1"), "c 1"); return err },
			want: `certID "c 1" contains a character outside`},
		{name: "validity of a missing certificate", query: func(w *world) error {
			valid, err := w.c.IsCertificateValid(w.as("f1"), "c1")
			if valid {
				return errors.New("valid")
			}
			return err
		}, want: `certificate "c1" does not exist`},
		{name: "trust bad id", query: func(w *world) error { _, err := w.c.GetTrust(w.as("f1"), ""); return err },
			want: "memberID must not be empty"},
		{name: "trust of a stranger", query: func(w *world) error { _, err := w.c.GetTrust(w.as("f1"), "zed"); return err },
			want: `member "zed" has no trust record: it does not exist or its enrolment is still pending`},
		{name: "trust unreadable", query: func(w *world) error { _, err := w.c.GetTrust(w.as("f1"), "f2"); return err },
			setup: func(w *world) { w.stub.State["\x00trust\x00f2\x00"] = []byte("{") }, want: `decoding the trust of member "f2":`},
		{name: "table unreadable", query: func(w *world) error { _, err := w.c.GetTrustTable(w.as("f1")); return err },
			setup: func(w *world) { w.stub.RangeErr = errors.New("scan down") }, want: "reading the members: scan down"},
		{name: "committee unreadable", query: func(w *world) error { _, err := w.c.GetCommittee(w.as("f1")); return err },
			setup: func(w *world) { w.stub.State["\x00member\x00f2\x00"] = []byte("{") }, want: `decoding the members at key "\x00member\x00f2\x00"`},
		{name: "snapshot not applied", query: func(w *world) error { _, err := w.c.GetAppliedSnapshot(w.as("f1"), "project-a", "7"); return err },
			want: `the trust snapshot of channel "project-a" for period 7 was not applied: submit it with SubmitTrustSnapshot`},
		{name: "snapshot bad channel", query: func(w *world) error { _, err := w.c.GetAppliedSnapshot(w.as("f1"), "", "7"); return err },
			want: `projectChannel "" is not a channel name`},
		{name: "snapshot bad period", query: func(w *world) error { _, err := w.c.GetAppliedSnapshot(w.as("f1"), "project-a", "x"); return err },
			want: `period "x" is not a period number`},
		{name: "snapshot unreadable", query: func(w *world) error { _, err := w.c.GetAppliedSnapshot(w.as("f1"), "project-a", "7"); return err },
			setup: func(w *world) { w.stub.GetStateErr = errors.New("disk") }, want: `reading the trust snapshot of channel "project-a" for period 7: disk`},
		{name: "project missing", query: func(w *world) error { _, err := w.c.GetProject(w.as("f1"), "project-z"); return err },
			want: `project channel "project-z" is not registered: register it with RegisterProject first`},
		{name: "project bad channel", query: func(w *world) error { _, err := w.c.GetProject(w.as("f1"), "P"); return err },
			want: `projectChannel "P" is not a channel name`},
		{name: "submitted snapshots of an unregistered project", query: func(w *world) error {
			_, err := w.c.GetSubmittedSnapshots(w.as("f1"), "project-z")
			return err
		}, want: `project channel "project-z" is not registered`},
		{name: "submitted snapshots bad channel", query: func(w *world) error { _, err := w.c.GetSubmittedSnapshots(w.as("f1"), "-"); return err },
			want: `projectChannel "-" is not a channel name`},
		{name: "submitted snapshots missing", query: func(w *world) error {
			_, err := w.c.GetSubmittedSnapshots(w.as("f1"), "project-a")
			return err
		}, setup: func(w *world) {
			w.register("project-a", "Org1MSP", "Org2MSP")
			delete(w.stub.State, "\x00submitted\x00project-a\x00")
		}, want: `the submitted trust snapshots of project "project-a" are missing: the project's registration is incomplete`},
		{name: "period not applied", query: func(w *world) error { _, err := w.c.GetAppliedPeriod(w.as("f1"), "3"); return err },
			want: "period 3 was not applied: close it with ClosePeriod, then apply it with ApplyPeriod"},
		{name: "period bad number", query: func(w *world) error { _, err := w.c.GetAppliedPeriod(w.as("f1"), "three"); return err },
			want: `period "three" is not a period number`},
		{name: "period unreadable", query: func(w *world) error { _, err := w.c.GetAppliedPeriod(w.as("f1"), "3"); return err },
			setup: func(w *world) { w.stub.GetStateErr = errors.New("disk") }, want: "reading applied period 3: disk"},
		{name: "genesis proposal missing", query: func(w *world) error { _, err := w.c.GetGenesisProposal(w.as("f1"), "tx-99"); return err },
			want: `genesis proposal "tx-99" does not exist: give the id InitConsortium returned`},
		{name: "genesis proposal bad id", query: func(w *world) error { _, err := w.c.GetGenesisProposal(w.as("f1"), "t x"); return err },
			want: `proposalID "t x" contains a character outside`},
		{name: "genesis proposal unreadable", query: func(w *world) error { _, err := w.c.GetGenesisProposal(w.as("f1"), "tx-2"); return err },
			setup: func(w *world) { w.stub.GetStateErr = errors.New("disk") }, want: `reading genesis proposal "tx-2": disk`},
		{name: "clock unreadable", query: func(w *world) error { _, err := w.c.GetTrustClock(w.as("f1")); return err },
			setup: func(w *world) { w.stub.State["\x00trustclock\x00"] = []byte("1") }, want: "decoding the trust clock:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			if tt.setup != nil {
				tt.setup(w)
			}
			err := tt.query(w)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// GetStanding answers in one call what a project channel checks before a
// member writes: identity, role, organisation, status, trust and the floor.
func TestGetStandingAnswersWhatProjectChannelsCheck(t *testing.T) {
	w := newWorld(t)
	w.genesis(`{"trustFloor":-250000}`)
	s, err := w.c.GetStanding(w.as("f1"), "f2")
	if err != nil {
		t.Fatal(err)
	}
	want := Standing{MemberID: "f2", Identity: w.ids["f2"].RawID, Role: RoleAdmin, Organisation: "Org2MSP", Status: StatusActive,
		Trust: founderTrust, Level: trust.LevelOf(founderTrust), TrustFloor: -250000}
	if *s != want {
		t.Fatalf("standing = %+v\nwant %+v", *s, want)
	}
	reqID := w.enrol("dana", "dana", "Org1MSP", "company", `{"legalEntity":"Dana AG"}`)
	if s, err := w.c.GetStanding(w.as("f1"), "dana"); err != nil || s.Status != StatusPending || s.Trust != 0 || s.Identity != w.ids["dana"].RawID {
		t.Fatalf("pending member's standing = %+v, %v", s, err)
	}
	w.approve(reqID, "f2", "f3")
	w.setStatus("dana", StatusSuspended, "audit")
	if s, err := w.c.GetStanding(w.as("f1"), "dana"); err != nil || s.Status != StatusSuspended || s.Role != "company" {
		t.Fatalf("suspended member's standing = %+v, %v", s, err)
	}
	if _, err := w.c.GetStanding(w.as("f1"), "nobody"); err == nil || !strings.Contains(err.Error(), `member "nobody" does not exist`) {
		t.Fatalf("unknown member: %v", err)
	}
	if _, err := w.c.GetStanding(w.as("f1"), "a b"); err == nil || !strings.HasPrefix(err.Error(), `memberID "a b" contains a character outside`) {
		t.Fatalf("bad id: %v", err)
	}
}

func TestGetStandingBeforeGenesis(t *testing.T) {
	w := newWorld(t)
	w.id("x", "Org1MSP")
	if _, err := w.c.GetStanding(w.as("x"), "f1"); err == nil || !strings.Contains(err.Error(), "the consortium is not initialised") {
		t.Fatalf("err = %v", err)
	}
}
