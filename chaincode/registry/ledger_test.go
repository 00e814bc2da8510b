package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
	"bcmlp.local/chaincode/trust"
)

// faultyStub fails the n-th GetState, PutState or DelState of a transaction
// (counting from 1; 0 never), so that every ledger failure of every
// transaction can be reached, not only the first.
type faultyStub struct {
	*fabrictest.Stub
	failGet, failPut, failDel int
	gets, puts, dels          int
}

func (s *faultyStub) GetState(key string) ([]byte, error) {
	if s.gets++; s.gets == s.failGet {
		return nil, errors.New("injected read failure")
	}
	return s.Stub.GetState(key)
}

func (s *faultyStub) PutState(key string, value []byte) error {
	if s.puts++; s.puts == s.failPut {
		return errors.New("injected write failure")
	}
	return s.Stub.PutState(key, value)
}

// SetStateValidationParameter counts as a write: it is one, of the key's metadata.
func (s *faultyStub) SetStateValidationParameter(key string, ep []byte) error {
	if s.puts++; s.puts == s.failPut {
		return errors.New("injected write failure")
	}
	return s.Stub.SetStateValidationParameter(key, ep)
}

func (s *faultyStub) DelState(key string) error {
	if s.dels++; s.dels == s.failDel {
		return errors.New("injected delete failure")
	}
	return s.Stub.DelState(key)
}

// scenario prepares a world and returns the transaction to run in it, as name.
type scenario func(w *world) (name string, tx func(ctx contractapi.TransactionContextInterface) error)

func ledgerScenarios() map[string]scenario {
	return map[string]scenario{
		"InitConsortium": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			founders := w.threeFounders()
			return w.admin("Org2MSP"), func(ctx contractapi.TransactionContextInterface) error {
				_, err := w.c.InitConsortium(ctx, "{}", founders)
				return err
			}
		},
		"ConfirmConsortium first": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			id := w.found("{}", w.threeFounders())
			return w.admin("Org2MSP"), func(ctx contractapi.TransactionContextInterface) error { return w.c.ConfirmConsortium(ctx, id) }
		},
		"ConfirmConsortium last": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			id := w.found("{}", w.threeFounders(), "Org2MSP")
			return w.admin("Org3MSP"), func(ctx contractapi.TransactionContextInterface) error { return w.c.ConfirmConsortium(ctx, id) }
		},
		"RequestEnrolment viewer": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			w.id("vera", "Org1MSP")
			return "vera", func(ctx contractapi.TransactionContextInterface) error {
				_, err := w.c.RequestEnrolment(ctx, "vera", "viewer", "{}", "[]")
				return err
			}
		},
		"RequestEnrolment critical": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			cert := w.companyCert("Org1MSP")
			w.id("cleo", "Org1MSP")
			return "cleo", func(ctx contractapi.TransactionContextInterface) error {
				_, err := w.c.RequestEnrolment(ctx, "cleo", "customer", `{"companyCertificate":"`+cert+`"}`, oneDoc)
				return err
			}
		},
		"RequestOrganisationEnrolment": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			return "f1", func(ctx contractapi.TransactionContextInterface) error {
				_, err := w.c.RequestOrganisationEnrolment(ctx, "Org4MSP", "Four", oneDoc)
				return err
			}
		},
		"ApproveEnrolment first": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
			return "f1", func(ctx contractapi.TransactionContextInterface) error { return w.c.ApproveEnrolment(ctx, reqID) }
		},
		"ApproveEnrolment member": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
			w.approve(reqID, "f1")
			return "f2", func(ctx contractapi.TransactionContextInterface) error { return w.c.ApproveEnrolment(ctx, reqID) }
		},
		"ApproveEnrolment organisation": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			reqID, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org4MSP", "Four", oneDoc)
			w.ok(err)
			w.approve(reqID, "f2")
			return "f3", func(ctx contractapi.TransactionContextInterface) error { return w.c.ApproveEnrolment(ctx, reqID) }
		},
		"RejectEnrolment member": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
			return "f1", func(ctx contractapi.TransactionContextInterface) error { return w.c.RejectEnrolment(ctx, reqID, "no") }
		},
		"RejectEnrolment organisation": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			reqID, err := w.c.RequestOrganisationEnrolment(w.as("f1"), "Org4MSP", "Four", oneDoc)
			w.ok(err)
			return "f2", func(ctx contractapi.TransactionContextInterface) error { return w.c.RejectEnrolment(ctx, reqID, "no") }
		},
		"RequestMemberStatus": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			return "f1", func(ctx contractapi.TransactionContextInterface) error {
				_, err := w.c.RequestMemberStatus(ctx, "f3", "suspended", "audit")
				return err
			}
		},
		"ApproveMemberStatus": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			reqID, err := w.c.RequestMemberStatus(w.as("f1"), "f3", "suspended", "audit")
			w.ok(err)
			return "f2", func(ctx contractapi.TransactionContextInterface) error { return w.c.ApproveMemberStatus(ctx, reqID) }
		},
		"ProposeParameters": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			return "f1", func(ctx contractapi.TransactionContextInterface) error {
				_, err := w.c.ProposeParameters(ctx, `{"trustFloor":5}`)
				return err
			}
		},
		"VoteParameters applying": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			propID, err := w.c.ProposeParameters(w.as("f1"), `{"trustFloor":5}`)
			w.ok(err)
			return "f2", func(ctx contractapi.TransactionContextInterface) error { return w.c.VoteParameters(ctx, propID) }
		},
		"IssueCertificate": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			cert := w.companyCert("Org1MSP")
			return "f2", func(ctx contractapi.TransactionContextInterface) error {
				return w.c.IssueCertificate(ctx, "de-1", "domain-expert", "jane", "local:mainchain", `{"companyCertificate":"`+cert+`"}`, oneDoc)
			}
		},
		"UpgradeCertificate applying": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w = certWorldIn(w)
			w.ok(w.c.UpgradeCertificate(w.as("f1"), "data-1"))
			return "f2", func(ctx contractapi.TransactionContextInterface) error { return w.c.UpgradeCertificate(ctx, "data-1") }
		},
		"RevokeCertificate by the committee": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w = certWorldIn(w)
			w.ok(w.c.RevokeCertificate(w.as("f2"), "data-1", "fraud"))
			return "f3", func(ctx contractapi.TransactionContextInterface) error {
				return w.c.RevokeCertificate(ctx, "data-1", "fraud")
			}
		},
		"SubmitTrustSnapshot": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			w.staff("v1", "v1", "Org1MSP", "company")
			w.register("project-a", "Org1MSP", "Org2MSP")
			w.period(channelFeedback{"project-a", "f1", nil})
			p := w.closePeriod()
			raw := snapshotOf("project-a", p, trust.Feedback{Rater: "f1", Ratee: "v1", Score: trust.Scale})
			w.setSnapshot("project-a", p, raw)
			return "v1", func(ctx contractapi.TransactionContextInterface) error {
				return w.c.SubmitTrustSnapshot(ctx, "project-a", p, raw)
			}
		},
		"RegisterProject": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			return "f2", func(ctx contractapi.TransactionContextInterface) error {
				return w.c.RegisterProject(ctx, "project-a", `["Org2MSP","Org3MSP"]`)
			}
		},
		"ClosePeriod": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			w.wait(24 * time.Hour)
			return "f2", func(ctx contractapi.TransactionContextInterface) error { return w.c.ClosePeriod(ctx) }
		},
		"ApplyPeriod": func(w *world) (string, func(contractapi.TransactionContextInterface) error) {
			w.genesis("{}")
			w.staff("v1", "v1", "Org1MSP", "company")
			w.register("project-a", "Org1MSP", "Org2MSP")
			w.period(channelFeedback{"project-a", "f1", nil})
			p := w.closePeriod()
			w.submit("f1", "project-a", p, trust.Feedback{Rater: "f1", Ratee: "v1", Score: trust.Scale})
			return "v1", func(ctx contractapi.TransactionContextInterface) error { return w.c.ApplyPeriod(ctx, p) }
		},
	}
}

// certWorldIn gives w what certWorld gives a new world.
func certWorldIn(w *world) *world {
	w.genesis("{}")
	w.staff("vera", "vera", "Org1MSP", "company")
	w.ok(w.c.IssueCertificate(w.as("vera"), "data-1", "data", "raw-images-1", "local:project-a", dataAttrs, oneDoc))
	return w
}

// TestEveryLedgerFailureIsReported runs each transaction once to count its
// reads, writes and deletes, then once per call with that call failing: each
// failure must come back as an error naming what was being read or written,
// and no event may announce a change that failed.
func TestEveryLedgerFailureIsReported(t *testing.T) {
	scenarios := ledgerScenarios()
	for _, name := range sortedKeys(scenarios) {
		t.Run(name, func(t *testing.T) {
			run := func(fault func(*faultyStub)) (*faultyStub, *world, error) {
				w := newWorld(t)
				who, tx := scenarios[name](w)
				ctx := w.as(who)
				s := &faultyStub{Stub: w.stub}
				fault(s)
				ctx.SetStub(s)
				return s, w, tx(ctx)
			}
			counted, w, err := run(func(*faultyStub) {})
			w.ok(err)
			if counted.puts == 0 {
				t.Fatal("the scenario writes nothing")
			}
			for _, f := range []struct {
				what  string
				n     int
				fault func(*faultyStub, int)
				want  string
			}{
				{"read", counted.gets, func(s *faultyStub, i int) { s.failGet = i }, ": injected read failure"},
				{"write", counted.puts, func(s *faultyStub, i int) { s.failPut = i }, ": injected write failure"},
				{"delete", counted.dels, func(s *faultyStub, i int) { s.failDel = i }, ": injected delete failure"},
			} {
				for i := 1; i <= f.n; i++ {
					_, w, err := run(func(s *faultyStub) { f.fault(s, i) })
					if err == nil || !strings.HasSuffix(err.Error(), f.want) || !(strings.HasPrefix(err.Error(), "reading ") ||
						strings.HasPrefix(err.Error(), "writing ") || strings.HasPrefix(err.Error(), "removing ") || strings.Contains(err.Error(), ": reading ")) {
						t.Errorf("%s %d of %d: err = %v", f.what, i, f.n, err)
					}
					if len(w.stub.Events) != 0 {
						t.Errorf("%s %d of %d: event %s set", f.what, i, f.n, w.stub.Events[0].Name)
					}
				}
			}
			_, _, err = run(func(s *faultyStub) { s.EventErr = errors.New("payload too big") })
			if err == nil || !strings.HasPrefix(err.Error(), "emitting ") || !strings.HasSuffix(err.Error(), ": payload too big") {
				t.Errorf("event failure: err = %v", err)
			}
			_, _, err = run(func(s *faultyStub) { s.TimestampErr = errors.New("no header") })
			if err == nil || err.Error() != "reading the transaction timestamp: no header" {
				t.Errorf("timestamp failure: err = %v", err)
			}
			_, _, err = run(func(s *faultyStub) { s.Timestamp = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) })
			if err == nil || !strings.HasPrefix(err.Error(), "the transaction timestamp is invalid") {
				t.Errorf("invalid timestamp: err = %v", err)
			}
		})
	}
}

// corrupt changes the member record at key as a broken or hostile peer might
// have left it, so that the contract's handling of impossible states shows.
func corrupt(w *world, key string, mutate func(m *Member)) {
	var m Member
	if err := json.Unmarshal(w.stub.State[key], &m); err != nil {
		w.t.Fatal(err)
	}
	mutate(&m)
	raw, _ := json.Marshal(m)
	w.stub.State[key] = raw
}

func TestImpossibleStatesAreRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world) func() error
		want  string
	}{
		{name: "member of unknown status writes", setup: func(w *world) func() error {
			corrupt(w, "\x00member\x00v1\x00", func(m *Member) { m.Status = "dormant" })
			return func() error {
				return w.c.IssueCertificate(w.as("v1"), "c", "data", "s", "local:p", dataAttrs, oneDoc)
			}
		}, want: `member "v1" has the unknown status "dormant": it cannot write`},
		{name: "active member without trust record writes", setup: func(w *world) func() error {
			delete(w.stub.State, "\x00trust\x00v1\x00")
			return func() error {
				return w.c.IssueCertificate(w.as("v1"), "c", "data", "s", "local:p", dataAttrs, oneDoc)
			}
		}, want: `member "v1" has no trust record: it is not active`},
		{name: "active member without trust record approves", setup: func(w *world) func() error {
			delete(w.stub.State, "\x00trust\x00v1\x00")
			return func() error { return w.c.ApproveEnrolment(w.as("v1"), "r1") }
		}, want: `forged approval: member "v1" has no trust record, so it is not on the committee`},
		{name: "approving a request whose member is no longer pending", setup: func(w *world) func() error {
			reqID := w.enrol("ann", "ann", "Org2MSP", "company", `{"legalEntity":"Ann AG"}`)
			corrupt(w, "\x00member\x00ann\x00", func(m *Member) { m.Status = StatusActive })
			return func() error { return w.c.ApproveEnrolment(w.as("f1"), reqID) }
		}, want: `of enrolment request "tx-8" is active, not pending: the request cannot be approved`},
		{name: "reject with a bad request id", setup: func(w *world) func() error {
			return func() error { return w.c.RejectEnrolment(w.as("f1"), "a/b", "x") }
		}, want: `requestID "a/b" contains a character outside`},
		{name: "revoke with a bad certificate id", setup: func(w *world) func() error {
			return func() error { return w.c.RevokeCertificate(w.as("f1"), "", "x") }
		}, want: "certID must not be empty"},
		{name: "identity that no composite key can hold", setup: func(w *world) func() error {
			w.ids["v1"].RawID = "x509::CN=\U0010FFFF"
			return func() error { return w.c.IssueCertificate(w.as("v1"), "c", "data", "s", "local:p", dataAttrs, oneDoc) }
		}, want: `building the key of identity "Org1MSP/x509::CN=`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.genesis("{}")
			w.staff("v1", "v1", "Org1MSP", "company")
			call := tt.setup(w)
			before := w.state()
			w.refused(before, call(), tt.want)
		})
	}
}

func TestLedgerScenariosAreDistinct(t *testing.T) {
	// A guard for the table above: each scenario's transaction succeeds on
	// its own and emits its own event.
	seen := map[string]string{}
	for _, name := range sortedKeys(ledgerScenarios()) {
		w := newWorld(t)
		who, tx := ledgerScenarios()[name](w)
		w.ok(tx(w.as(who)))
		ev := w.event(nil)
		seen[name] = ev
	}
	got := fmt.Sprint(seen)
	for _, ev := range []string{"ConsortiumProposed", "ConsortiumConfirmed", "ConsortiumInitialised", "MemberEnrolled", "EnrolmentRequested", "EnrolmentApproved", "OrganisationEnrolled",
		"EnrolmentRejected", "MemberStatusChanged", "ParametersProposed", "ParametersChanged", "CertificateIssued", "CertificateUpgraded",
		"CertificateRevoked", "MemberStatusRequested", "TrustSnapshotSubmitted", "ProjectRegistered", "PeriodClosed", "PeriodApplied"} {
		if !strings.Contains(got, ev) {
			t.Errorf("no scenario emits %s: %s", ev, got)
		}
	}
}
