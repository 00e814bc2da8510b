package registry

import (
	"encoding/json"
	"testing"

	"bcmlp.local/chaincode/trust"
)

// injectTrusted writes an active admin id of mspID with a founder's standing
// (its prior 0 and FounderEvidence), bound to identity name, bypassing
// enrolment: a second committee member of an organisation that already has
// one, which only years of feedback would otherwise produce.
func injectTrusted(w *world, id, name, mspID string) {
	w.t.Helper()
	ident := w.id(name, mspID)
	m := Member{ID: id, MSPID: mspID, Identity: ident.RawID, Role: RoleAdmin, Organisation: mspID, Status: StatusActive,
		Attributes: map[string]string{}, Documents: []Document{}}
	ev := trust.Evidence{Positive: [3]int64{500_000, 0, FounderEvidence}, Negative: [3]int64{500_000, 0, 0}}
	rawMember, _ := json.Marshal(m)
	rawTrust, _ := json.Marshal(TrustRecord{MemberID: id, Evidence: ev, Weight: ev.Trust(trust.DefaultParams())})
	rawBinding, _ := json.Marshal(identityBinding{MemberID: id})
	w.stub.State["\x00member\x00"+id+"\x00"] = rawMember
	w.stub.State["\x00trust\x00"+id+"\x00"] = rawTrust
	w.stub.State["\x00identity\x00"+mspID+"\x00"+ident.RawID+"\x00"] = rawBinding
}

// One committee member rating a newcomer a dozen times in a period used to
// lift it into the committee (the very-high band had no cap, and each
// rating added the rater's whole weight): now the dozen count as one.
func TestOneRaterCannotLiftANewcomerIntoTheCommittee(t *testing.T) {
	w := trustWorld(t, "{}")
	var dozen []trust.Feedback
	for i := 0; i < 12; i++ {
		dozen = append(dozen, trust.Feedback{Rater: "f1", Ratee: "v2", Score: trust.Scale})
	}
	w.period(channelFeedback{"project-a", "f1", dozen}, channelFeedback{"project-b", "f1", dozen})
	row := w.trustOf("v2")
	if row.Evidence.Positive[trust.BandVeryHigh] != founderTrust || row.Level != trust.LowTrust {
		t.Fatalf("v2 after a dozen ratings from one rater on two channels: %+v", row)
	}
	seats, _ := w.c.GetCommittee(w.as("f1"))
	for _, s := range seats {
		if s.MemberID == "v2" {
			t.Fatalf("v2 sits on the committee: %+v", seats)
		}
	}
}

// k approvals from one organisation used to suffice; now committee actions
// need approvals from at least two.
func TestCommitteeActionsNeedTwoOrganisations(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	injectTrusted(w, "x1", "x1", "Org1MSP")

	reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
	w.approve(reqID, "f1", "x1")
	if m := w.member("ann"); m.Status != StatusPending {
		t.Fatalf("enrolled by two approvals of one organisation: %+v", m)
	}
	w.approve(reqID, "f2")
	if m := w.member("ann"); m.Status != StatusActive {
		t.Fatalf("not enrolled after a second organisation approved: %+v", m)
	}

	propID, err := w.c.ProposeParameters(w.as("f1"), `{"trustFloor":5}`)
	w.ok(err)
	w.ok(w.c.VoteParameters(w.as("x1"), propID))
	if p, _ := w.c.GetParameters(w.as("f1")); p.Version != 1 {
		t.Fatalf("parameters changed by one organisation: %+v", p)
	}
	w.ok(w.c.VoteParameters(w.as("f3"), propID))
	if p, _ := w.c.GetParameters(w.as("f1")); p.Version != 2 || p.Params.TrustFloor != 5 {
		t.Fatalf("parameters %+v", p)
	}

	statusID, err := w.c.RequestMemberStatus(w.as("f1"), "f3", "revoked", "takeover")
	w.ok(err)
	w.ok(w.c.ApproveMemberStatus(w.as("x1"), statusID))
	if m := w.member("f3"); m.Status != StatusActive {
		t.Fatalf("revoked by one organisation: %+v", m)
	}
}

// One committee member used to suspend or revoke another alone (and
// revocation is final): now a status change is a k-of-n request, and a
// suspension with fewer than k approvals has no effect.
func TestASuspensionWithFewerThanKApprovalsHasNoEffect(t *testing.T) {
	w := newWorld(t)
	w.genesis(`{"approvals":3}`)
	reqID, err := w.c.RequestMemberStatus(w.as("f1"), "f2", "suspended", "audit")
	w.ok(err)
	var req StatusRequest
	if name := w.event(&req); name != "MemberStatusRequested" || req.State != RequestPending || len(req.Approvals) != 1 || req.Approvals[0].Organisation != "Org1MSP" {
		t.Fatalf("event %s %+v", name, req)
	}
	if m := w.member("f2"); m.Status != StatusActive {
		t.Fatalf("suspended by one committee member: %+v", m)
	}
	// f2 still sits on the committee and acts.
	enrolment := w.enrol("ann", "ann", "Org3MSP", "company", `{"legalEntity":"Ann AG"}`)
	w.approve(enrolment, "f2")
	before := w.state()
	w.refused(before, w.c.ApproveMemberStatus(w.as("f2"), reqID), `member "f2" cannot approve status request "`+reqID+`" about itself: nobody approves their own case`)
	w.ok(w.c.ApproveMemberStatus(w.as("f3"), reqID))
	if m := w.member("f2"); m.Status != StatusActive {
		t.Fatalf("suspended by two of k = 3: %+v", m)
	}
	injectTrusted(w, "x1", "x1", "Org1MSP")
	w.ok(w.c.ApproveMemberStatus(w.as("x1"), reqID))
	var m Member
	if name := w.event(&m); name != "MemberStatusChanged" || m.Status != StatusSuspended || m.StatusReason != "audit" {
		t.Fatalf("event %s %+v", name, m)
	}
	got, err := w.c.GetStatusRequest(w.as("f1"), reqID)
	if err != nil || got.State != RequestApproved || len(got.Approvals) != 3 || got.DecidedAt != m.UpdatedAt {
		t.Fatalf("request %+v %v", got, err)
	}
}

// A global certificate used to be issued by one committee member alone.
func TestNoCertificateIsIssuedGlobal(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	before := w.state()
	w.refused(before, w.c.IssueCertificate(w.as("f1"), "cert-org1", "company", "Org1MSP", "global", `{"legalEntity":"Org1 GmbH"}`, oneDoc),
		`scope "global" cannot be issued`)
}

func TestNobodyApprovesTheUpgradeOfTheirOwnCertificate(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	company := w.companyCertOf("Org1MSP")
	w.ok(w.c.IssueCertificate(w.as("f1"), "de-f2", "domain-expert", "f2", "local:mainchain", `{"companyCertificate":"`+company+`"}`, oneDoc))
	w.ok(w.c.IssueCertificate(w.as("f1"), "cert-org3", "company", "Org3MSP", "local:mainchain", `{"legalEntity":"Org3 AG"}`, oneDoc))
	before := w.state()
	w.refused(before, w.c.UpgradeCertificate(w.as("f2"), "de-f2"),
		`member "f2" is, or is of, the subject "f2" of certificate "de-f2" and cannot approve its upgrade: nobody approves their own case`)
	w.refused(before, w.c.UpgradeCertificate(w.as("f3"), "cert-org3"), `member "f3" is, or is of, the subject "Org3MSP"`)
	w.ok(w.c.UpgradeCertificate(w.as("f3"), "de-f2"))
	w.ok(w.c.UpgradeCertificate(w.as("f2"), company))
	// f2 and f3 approve, two organisations: the certificate is global.
	w.ok(w.c.UpgradeCertificate(w.as("f3"), company))
	if c, _ := w.c.GetCertificate(w.as("f1"), company); c.Scope != ScopeGlobal {
		t.Fatalf("company certificate %+v", c)
	}
}
