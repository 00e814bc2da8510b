package registry

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"bcmlp.local/chaincode/internal/fabrictest"
	"bcmlp.local/chaincode/trust"
)

// Published IPFS values, from fabrictest.
const (
	helloRawCID = fabrictest.HelloRawCID
	helloSHA256 = fabrictest.HelloSHA256
	docsCIDv1   = fabrictest.DocsCIDv1
	helloCIDv0  = fabrictest.HelloCIDv0
)

// oneDoc is a valid documents argument with one document.
const oneDoc = `[{"cid":"` + helloRawCID + `","sha256":"` + helloSHA256 + `","name":"register extract"}]`

// founderTrust is a founder's trust at genesis under the default parameters
// with a prior of 0: r = 0.5 + 20, s = 0.5, trust = (r-s)/(r+s+2) = 20/23.
const founderTrust int64 = (20_500_000 - 500_000) * trust.Scale / (20_500_000 + 500_000 + 2*trust.Scale)

// world is a ledger with named identities; every call through it is its own
// transaction, and a transaction's writes are hidden from its own reads as on
// a peer.
type world struct {
	t    *testing.T
	c    *Contract
	stub *fabrictest.Stub
	ids  map[string]*fabrictest.Identity
	// snapshots answers provenance:GetTrustSnapshot per "channel/period".
	snapshots map[string]string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, c: NewContract(), stub: fabrictest.NewStub(), ids: map[string]*fabrictest.Identity{}, snapshots: map[string]string{}}
	w.stub.IsolateWrites = true
	w.stub.Invoke = func(name string, args [][]byte, channel string) *peer.Response {
		if name != "provenance" || len(args) != 2 || string(args[0]) != "provenance:GetTrustSnapshot" {
			return &peer.Response{Status: 500, Message: "unexpected call"}
		}
		payload, ok := w.snapshots[channel+"/"+string(args[1])]
		if !ok {
			return &peer.Response{Status: 500, Message: "no snapshot for period " + string(args[1])}
		}
		return &peer.Response{Status: 200, Payload: []byte(payload)}
	}
	return w
}

// id returns the identity of person name in organisation mspID, the same one
// each time.
func (w *world) id(name, mspID string) *fabrictest.Identity {
	if id, ok := w.ids[name]; ok {
		return id
	}
	id := fabrictest.NewIdentity(mspID, name)
	w.ids[name] = id
	return id
}

// as starts a new transaction signed by name, who must have been given an
// identity by id (or be a founder).
func (w *world) as(name string) *contractapi.TransactionContext {
	w.t.Helper()
	id, ok := w.ids[name]
	if !ok {
		w.t.Fatalf("no identity %q", name)
	}
	w.stub.NextTx()
	return fabrictest.NewContext(w.stub, id)
}

// ok fails the test on err and checks that the transaction set exactly one
// event: every state change is announced, and a peer keeps only a
// transaction's last event.
func (w *world) ok(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
	if len(w.stub.Events) != 1 {
		w.t.Fatalf("%d events set in one transaction, want exactly 1", len(w.stub.Events))
	}
}

// event returns the transaction's event, decoding its payload into v.
func (w *world) event(v any) string {
	w.t.Helper()
	ev, ok := w.stub.LastEvent()
	if !ok {
		w.t.Fatal("no event set")
	}
	if v != nil {
		if err := json.Unmarshal(ev.Payload, v); err != nil {
			w.t.Fatalf("event %s payload %s: %v", ev.Name, ev.Payload, err)
		}
	}
	return ev.Name
}

// state is a printable copy of the ledger, key-level endorsement policies
// included, to prove a refused call left it alone.
func (w *world) state() string {
	var b strings.Builder
	for _, k := range w.stub.Keys() {
		fmt.Fprintf(&b, "%q=%s\n", k, w.stub.State[k])
	}
	for _, k := range sortedKeys(w.stub.ValidationParameters) {
		fmt.Fprintf(&b, "policy %q=%x\n", k, w.stub.ValidationParameters[k])
	}
	return b.String()
}

// refused checks that err contains want and that the call changed nothing.
func (w *world) refused(before string, err error, want string) {
	w.t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		w.t.Fatalf("err = %v, want it to contain %q", err, want)
	}
	if got := w.state(); got != before {
		w.t.Fatalf("a refused call changed the state:\nbefore %s\nafter %s", before, got)
	}
	if len(w.stub.Events) != 0 {
		w.t.Fatalf("a refused call set %d events", len(w.stub.Events))
	}
}

// founderJSON is one entry of foundersJSON for identity name of mspID.
func (w *world) founderJSON(memberID, name, mspID string, extra string) string {
	id := w.id(name, mspID)
	return fmt.Sprintf(`{"memberId":%q,"role":"admin","mspId":%q,"identity":%q%s}`, memberID, mspID, id.RawID, extra)
}

// threeFounders is foundersJSON for f1, f2 and f3 of Org1MSP, Org2MSP and Org3MSP.
func (w *world) threeFounders() string {
	return "[" + w.founderJSON("f1", "f1", "Org1MSP", "") + "," +
		w.founderJSON("f2", "f2", "Org2MSP", `,"organisationName":"Org Two AG"`) + "," +
		w.founderJSON("f3", "f3", "Org3MSP", "") + "]"
}

// admin returns the name of the admin identity of organisation mspID,
// "adm-<mspID>", giving it one on first use.
func (w *world) admin(mspID string) string {
	name := "adm-" + mspID
	if _, ok := w.ids[name]; !ok {
		w.ids[name] = fabrictest.NewAdminIdentity(mspID, name)
	}
	return name
}

// found proposes founders with paramsJSON as Org1MSP's admin and has the
// admins of confirmers confirm; it returns the proposal id.
func (w *world) found(paramsJSON, founders string, confirmers ...string) string {
	w.t.Helper()
	id, err := w.c.InitConsortium(w.as(w.admin("Org1MSP")), paramsJSON, founders)
	w.ok(err)
	for _, msp := range confirmers {
		w.ok(w.c.ConfirmConsortium(w.as(w.admin(msp)), id))
	}
	return id
}

// genesis founds the consortium with three founders and paramsJSON:
// Org1MSP's admin proposes, Org2MSP's and Org3MSP's confirm.
func (w *world) genesis(paramsJSON string) {
	w.t.Helper()
	w.found(paramsJSON, w.threeFounders(), "Org2MSP", "Org3MSP")
}

// companyCert issues the global company certificate cert-<msp> through f1.
func (w *world) companyCert(mspID string) string {
	w.t.Helper()
	id := "cert-" + strings.ToLower(mspID)
	w.ok(w.c.IssueCertificate(w.as("f1"), id, "company", mspID, "local:mainchain", `{"legalEntity":"`+mspID+` GmbH"}`, oneDoc))
	return id
}

// viewer enrols name of mspID as viewer memberID, active at once.
func (w *world) viewer(memberID, name, mspID string) {
	w.t.Helper()
	w.id(name, mspID)
	_, err := w.c.RequestEnrolment(w.as(name), memberID, "viewer", "{}", "[]")
	w.ok(err)
}

// staff enrols name of mspID as member memberID in a critical role, approved
// by f2 and f3, with the role's required attributes (a company certificate of
// its organisation where the role needs one, issued on first use by that
// organisation's founder); its prior is 0, so its trust is 0 as a viewer's.
func (w *world) staff(memberID, name, mspID, role string) {
	w.t.Helper()
	var attrs string
	switch role {
	case "company":
		attrs = `{"legalEntity":"` + memberID + ` AG"}`
	case RoleAdmin:
		attrs = "{}"
	case "data-scientist":
		attrs = `{"companyCertificate":"` + w.companyCertOf(mspID) + `","expertiseDegree":"master"}`
	default:
		attrs = `{"companyCertificate":"` + w.companyCertOf(mspID) + `"}`
	}
	w.approve(w.enrol(memberID, name, mspID, role, attrs), "f2", "f3")
}

// setStatus changes member id's status by a committee request of the first
// founder other than id, approved by the next one.
func (w *world) setStatus(id, status, reason string) {
	w.t.Helper()
	var by []string
	for _, f := range []string{"f1", "f2", "f3"} {
		if f != id {
			by = append(by, f)
		}
	}
	reqID, err := w.c.RequestMemberStatus(w.as(by[0]), id, status, reason)
	w.ok(err)
	w.ok(w.c.ApproveMemberStatus(w.as(by[1]), reqID))
}

// companyCertOf returns the id of mspID's company certificate, issued by f1
// the first time it is needed.
func (w *world) companyCertOf(mspID string) string {
	w.t.Helper()
	id := "cert-" + strings.ToLower(mspID)
	if _, found := w.stub.State["\x00certificate\x00"+id+"\x00"]; !found {
		w.companyCert(mspID)
	}
	return id
}

// enrol requests enrolment of name of mspID as memberID in role and returns the request id.
func (w *world) enrol(memberID, name, mspID, role, attrs string) string {
	w.t.Helper()
	w.id(name, mspID)
	reqID, err := w.c.RequestEnrolment(w.as(name), memberID, role, attrs, oneDoc)
	w.ok(err)
	return reqID
}

// approve approves request reqID by each of approvers.
func (w *world) approve(reqID string, approvers ...string) {
	w.t.Helper()
	for _, a := range approvers {
		w.ok(w.c.ApproveEnrolment(w.as(a), reqID))
	}
}

// trustOf returns member id's trust row.
func (w *world) trustOf(id string) TrustRow {
	w.t.Helper()
	row, err := w.c.GetTrust(w.as("f1"), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return *row
}

// member returns member id.
func (w *world) member(id string) Member {
	w.t.Helper()
	m, err := w.c.GetMember(w.as("f1"), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return *m
}

// setSnapshot makes channel answer GetTrustSnapshot(period) with payload.
func (w *world) setSnapshot(channel, period, payload string) {
	w.snapshots[channel+"/"+period] = payload
}

// snapshotOf is the TrustSnapshot JSON of feedback, as provenance writes it.
func snapshotOf(channel, period string, feedback ...trust.Feedback) string {
	p, _ := strconv.ParseInt(period, 10, 64)
	raw, _ := json.Marshal(TrustSnapshot{Channel: channel, Period: p, Feedback: append([]trust.Feedback{}, feedback...)})
	return string(raw)
}

// submit records feedback as channel's snapshot of period and submits it as name.
func (w *world) submit(name, channel, period string, feedback ...trust.Feedback) {
	w.t.Helper()
	raw := snapshotOf(channel, period, feedback...)
	w.setSnapshot(channel, period, raw)
	w.ok(w.c.SubmitTrustSnapshot(w.as(name), channel, period, string(raw)))
}

// register registers project channel of organisations orgs as f1.
func (w *world) register(channel string, orgs ...string) {
	w.t.Helper()
	raw, _ := json.Marshal(orgs)
	w.ok(w.c.RegisterProject(w.as("f1"), channel, string(raw)))
}

// wait moves the ledger's clock on by d.
func (w *world) wait(d time.Duration) {
	w.stub.Timestamp = w.stub.Timestamp.Add(d)
}

// closePeriod waits a period length and closes the open period as f1;
// it returns the closed period's number.
func (w *world) closePeriod() string {
	w.t.Helper()
	p, err := w.c.GetParameters(w.as("f1"))
	if err != nil {
		w.t.Fatal(err)
	}
	clock, err := w.c.GetTrustClock(w.as("f1"))
	if err != nil {
		w.t.Fatal(err)
	}
	w.wait(time.Duration(p.Params.PeriodSeconds) * time.Second)
	w.ok(w.c.ClosePeriod(w.as("f1")))
	return strconv.FormatInt(clock.OpenPeriod, 10)
}

// apply applies period as f1.
func (w *world) apply(period string) {
	w.t.Helper()
	w.ok(w.c.ApplyPeriod(w.as("f1"), period))
}

// channelFeedback is one channel's snapshot for period (see world.period).
type channelFeedback struct {
	channel   string
	submitter string
	feedback  []trust.Feedback
}

// period closes the open period, submits each channel's snapshot and
// applies the period; it returns the period's number.
func (w *world) period(snapshots ...channelFeedback) string {
	w.t.Helper()
	p := w.closePeriod()
	for _, s := range snapshots {
		w.submit(s.submitter, s.channel, p, s.feedback...)
	}
	w.apply(p)
	return p
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
