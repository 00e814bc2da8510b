package registry

import (
	"testing"
	"time"
)

// An automatically approved viewer used to issue a company certificate,
// sponsor an organisation and have a data-scientist enrolment cite the
// certificate: roles authorised nothing after enrolment.
func TestViewerCannotIssueSponsorOrBeCited(t *testing.T) {
	w := newWorld(t)
	w.genesis("{}")
	w.viewer("vera", "vera", "Org1MSP")
	before := w.state()
	w.refused(before, w.c.IssueCertificate(w.as("vera"), "cert-fake", "company", "Org1MSP", "local:mainchain", `{"legalEntity":"Fake GmbH"}`, oneDoc),
		`issuing a company certificate needs the role admin: member "vera" has the role viewer`)
	_, err := w.c.RequestOrganisationEnrolment(w.as("vera"), "Org9MSP", "Nine AG", oneDoc)
	w.refused(before, err, `sponsoring an organisation needs the role admin or company: member "vera" has the role viewer`)
}

// roleWorld has, besides the founders, one member of every role in
// Org1MSP, each named after its role, each of trust 0 and so off the
// committee; project-a (Org1MSP, Org2MSP) is registered.
func roleWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.genesis("{}")
	for _, role := range Roles {
		if role == RoleViewer {
			w.viewer(role, role, "Org1MSP")
		} else {
			w.staff(role, role, "Org1MSP", role)
		}
	}
	w.register("project-a", "Org1MSP", "Org2MSP")
	return w
}

// kindAttributes are valid attributes of every certificate kind in roleWorld.
var kindAttributes = map[string]string{
	"company":        `{"legalEntity":"Org1 GmbH"}`,
	"customer":       `{"companyCertificate":"cert-org1msp"}`,
	"domain-expert":  `{"companyCertificate":"cert-org1msp"}`,
	"data-scientist": `{"companyCertificate":"cert-org1msp","expertiseDegree":"master"}`,
	"model":          `{"modelHash":"` + helloSHA256 + `"}`,
	"data-source":    `{"sourceIdentity":"line camera 2"}`,
	"data":           dataAttrs,
	"public-dataset": `{"source":"MVTec AD","signatureHash":"` + helloSHA256 + `"}`,
}

// TestRoleTableOfCertificates checks every role against every certificate
// kind: a role issues exactly the kinds certificateIssuers gives it.
func TestRoleTableOfCertificates(t *testing.T) {
	w := roleWorld(t)
	for _, kind := range CertificateKinds {
		for _, role := range Roles {
			allowed := false
			for _, r := range certificateIssuers[kind] {
				allowed = allowed || r == role
			}
			before := w.state()
			err := w.c.IssueCertificate(w.as(role), kind+"-by-"+role, kind, "s", "local:project-a", kindAttributes[kind], oneDoc)
			if allowed {
				w.ok(err)
				continue
			}
			w.refused(before, err, "issuing a "+kind+" certificate needs the role ")
		}
	}
}

// TestRoleTableOfActions checks every role against the actions that some
// roles may take: sponsoring an organisation, registering a project,
// closing a period, submitting a snapshot, applying a period and approving
// an upgrade (the last also needs high trust, which none of them has).
func TestRoleTableOfActions(t *testing.T) {
	type action struct {
		name    string
		allowed []string // nil: every role but viewer
		refusal string
		setup   func(w *world)
		do      func(w *world, role string) error
	}
	actions := []action{
		{name: "sponsor", allowed: []string{RoleAdmin, "company"}, refusal: "sponsoring an organisation needs the role admin or company",
			do: func(w *world, role string) error {
				_, err := w.c.RequestOrganisationEnrolment(w.as(role), "Org9MSP", "Nine", oneDoc)
				return err
			}},
		{name: "register", allowed: []string{RoleAdmin}, refusal: "registering a project needs the committee or an admin of one of its organisations",
			do: func(w *world, role string) error {
				return w.c.RegisterProject(w.as(role), "project-b", `["Org1MSP","Org3MSP"]`)
			}},
		{name: "close", allowed: []string{RoleAdmin}, refusal: "closing a period needs an admin or the committee",
			setup: func(w *world) { w.wait(24 * time.Hour) },
			do:    func(w *world, role string) error { return w.c.ClosePeriod(w.as(role)) }},
		{name: "submit", refusal: "submitting a trust snapshot needs a role other than viewer",
			setup: func(w *world) {
				w.closePeriod()
				w.setSnapshot("project-a", "1", snapshotOf("project-a", "1"))
			},
			do: func(w *world, role string) error {
				return w.c.SubmitTrustSnapshot(w.as(role), "project-a", "1", snapshotOf("project-a", "1"))
			}},
		{name: "apply", refusal: "applying a period needs a role other than viewer",
			setup: func(w *world) { w.closePeriod(); w.closePeriod() },
			do:    func(w *world, role string) error { return w.c.ApplyPeriod(w.as(role), "1") }},
		{name: "upgrade", allowed: []string{}, refusal: "approving a certificate upgrade needs ",
			setup: func(w *world) {
				w.ok(w.c.IssueCertificate(w.as("f1"), "c-up", "company", "Org1MSP", "local:project-a", kindAttributes["company"], oneDoc))
			},
			do: func(w *world, role string) error { return w.c.UpgradeCertificate(w.as(role), "c-up") }},
	}
	for _, a := range actions {
		for _, role := range Roles {
			t.Run(a.name+"/"+role, func(t *testing.T) {
				w := roleWorld(t)
				allowed := role != RoleViewer
				if a.allowed != nil {
					allowed = false
					for _, r := range a.allowed {
						allowed = allowed || r == role
					}
				}
				if a.setup != nil {
					a.setup(w)
				}
				before := w.state()
				err := a.do(w, role)
				if allowed {
					w.ok(err)
					return
				}
				w.refused(before, err, a.refusal)
			})
		}
	}
}
