package registry

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

// dispatch runs transactions as a peer hands them to the chaincode: through
// contractapi's Invoke, with real serialized X.509 creators, so that what a
// client sees for a missing or surplus argument is tested too.
type dispatch struct {
	t        *testing.T
	cc       *contractapi.ContractChaincode
	stub     *fabrictest.Stub
	creators map[string][]byte
}

func newDispatch(t *testing.T) *dispatch {
	t.Helper()
	cc, err := contractapi.NewChaincode(NewContract())
	if err != nil {
		t.Fatal(err)
	}
	d := &dispatch{t: t, cc: cc, stub: fabrictest.NewStub(), creators: map[string][]byte{}}
	d.stub.IsolateWrites = true
	return d
}

// identity gives name a certificate of mspID (an admin one when admin) and
// returns its client id; the certificates are self-signed, so issuer and
// subject agree.
func (d *dispatch) identity(name, mspID string, admin bool) string {
	d.t.Helper()
	make, ou := fabrictest.SerializedIdentity, "client"
	if admin {
		make, ou = fabrictest.SerializedAdminIdentity, "admin"
	}
	creator, err := make(mspID, name)
	if err != nil {
		d.t.Fatal(err)
	}
	d.creators[name] = creator
	return fmt.Sprintf("x509::CN=%s,OU=%s::CN=%s,OU=%s", name, ou, name, ou)
}

// call invokes registry function fn with args as who.
func (d *dispatch) call(who, fn string, args ...string) (int32, string) {
	d.t.Helper()
	d.stub.NextTx()
	d.stub.Creator = d.creators[who]
	d.stub.Args = [][]byte{[]byte("registry:" + fn)}
	for _, a := range args {
		d.stub.Args = append(d.stub.Args, []byte(a))
	}
	resp := d.cc.Invoke(d.stub)
	if resp.Status != 200 {
		return resp.Status, resp.Message
	}
	return resp.Status, string(resp.Payload)
}

// state is the ledger as text, key-level endorsement policies included.
func (d *dispatch) state() string {
	var b strings.Builder
	for _, k := range d.stub.Keys() {
		fmt.Fprintf(&b, "%q=%s\n", k, d.stub.State[k])
	}
	for _, k := range sortedKeys(d.stub.ValidationParameters) {
		fmt.Fprintf(&b, "policy %q=%x\n", k, d.stub.ValidationParameters[k])
	}
	return b.String()
}

// badInputWorld is a founded consortium with project-a registered, period 1
// closed, certificate c1 issued, reached through dispatch.
func badInputWorld(t *testing.T) *dispatch {
	t.Helper()
	d := newDispatch(t)
	var founders []string
	for i, msp := range []string{"Org1MSP", "Org2MSP", "Org3MSP"} {
		id := d.identity(fmt.Sprintf("f%d", i+1), msp, false)
		d.identity(fmt.Sprintf("a%d", i+1), msp, true)
		founders = append(founders, fmt.Sprintf(`{"memberId":"f%d","role":"admin","mspId":%q,"identity":%q}`, i+1, msp, id))
	}
	foundersJSON := "[" + strings.Join(founders, ",") + "]"
	status, proposal := d.call("a1", "InitConsortium", "{}", foundersJSON)
	for _, admin := range []string{"a2", "a3"} {
		if status != 200 {
			t.Fatalf("genesis: %d %s", status, proposal)
		}
		status, _ = d.call(admin, "ConfirmConsortium", proposal)
	}
	for _, step := range [][]string{
		{"RegisterProject", "project-a", `["Org1MSP","Org2MSP"]`},
		{"IssueCertificate", "c1", "company", "Org1MSP", "local:mainchain", `{"legalEntity":"Org1 GmbH"}`, oneDoc},
	} {
		if status, msg := d.call("f1", step[0], step[1:]...); status != 200 {
			t.Fatalf("%s: %d %s", step[0], status, msg)
		}
	}
	return d
}

// badInput is testdata/bad_input.json: per registry function a caller and
// arguments that pass every check of the arguments' form in badInputWorld
// (validCalls); per argument, values that are malformed (not of the
// argument's form), wrongly typed (JSON of another type, text where a number
// belongs) or oversized for the field's own limit, each to be refused with an
// error naming the argument (badValues) or, inside a JSON argument, one of
// the field names fieldsOf lists. The integration tests send the same table
// to the running mainchain.
type badInput struct {
	ValidCalls map[string][]string `json:"validCalls"`
	BadValues  map[string][]string `json:"badValues"`
	FieldsOf   map[string][]string `json:"fieldsOf"`
}

func readBadInput(t *testing.T) badInput {
	t.Helper()
	raw, err := os.ReadFile("testdata/bad_input.json")
	if err != nil {
		t.Fatal(err)
	}
	var b badInput
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("testdata/bad_input.json: %v", err)
	}
	return b
}

// TestBadInputIsNamedAndChangesNothing gives every registry function, one
// argument at a time, a missing, a surplus, an oversized and every bad value
// of its kind, through contractapi's dispatch: each call must fail with an
// error naming the argument, and leave the ledger and its endorsement
// policies as they were, with no event.
func TestBadInputIsNamedAndChangesNothing(t *testing.T) {
	table := readBadInput(t)
	validCalls, badValues, fieldsOf := table.ValidCalls, table.BadValues, table.FieldsOf
	d := badInputWorld(t)
	d.stub.Timestamp = d.stub.Timestamp.Add(48 * 3600e9)
	if status, msg := d.call("f1", "ClosePeriod"); status != 200 {
		t.Fatalf("ClosePeriod: %d %s", status, msg)
	}
	if len(validCalls) != len(transactionArguments) {
		t.Fatalf("validCalls covers %d functions, transactionArguments %d", len(validCalls), len(transactionArguments))
	}
	checks := 0
	defer func() { t.Logf("%d bad calls refused", checks) }()
	for _, fn := range sortedKeys(validCalls) {
		call := validCalls[fn]
		who, valid := call[0], call[1:]
		params := transactionArguments[fn]
		check := func(what string, args []string, names ...string) {
			t.Helper()
			before := d.state()
			status, msg := d.call(who, fn, args...)
			named := false
			for _, n := range names {
				named = named || strings.Contains(msg, n)
			}
			if status == 200 || !named {
				t.Errorf("%s %s: %d %q, want an error naming %s", fn, what, status, msg, strings.Join(names, " or "))
			}
			checks++
			if after := d.state(); after != before {
				t.Errorf("%s %s changed the ledger", fn, what)
			}
			if len(d.stub.Events) != 0 {
				t.Errorf("%s %s set an event", fn, what)
			}
		}
		check("with a surplus argument", append(append([]string{}, valid...), "x"), fn+" takes ")
		for i, p := range params {
			check(p.name+" missing", valid[:i], p.name+" is missing")
			oversized := append([]string{}, valid...)
			oversized[i] = strings.Repeat("a", p.maxBytes+1)
			check(p.name+" oversized", oversized, fmt.Sprintf("%s is %d bytes long", p.name, p.maxBytes+1))
			names := fieldsOf[p.name]
			if names == nil {
				names = []string{p.name}
			}
			bad, ok := badValues[p.name]
			if !ok {
				t.Fatalf("no bad values for argument %s of %s", p.name, fn)
			}
			for _, v := range bad {
				args := append([]string{}, valid...)
				args[i] = v
				check(fmt.Sprintf("%s %.40q", p.name, v), args, names...)
			}
		}
	}
}

// TestTransactionArgumentsMatchTheMethods keeps the argument table in step
// with the contract: every transaction is listed, with as many arguments as
// its method takes after the context, all strings.
func TestTransactionArgumentsMatchTheMethods(t *testing.T) {
	typ := reflect.TypeOf(NewContract())
	inherited := reflect.TypeOf(&NewContract().Contract)
	seen := map[string]bool{}
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i)
		if _, ok := inherited.MethodByName(m.Name); ok || m.Name == "GetEvaluateTransactions" {
			continue
		}
		seen[m.Name] = true
		want, ok := transactionArguments[m.Name]
		if !ok {
			t.Errorf("%s is not in transactionArguments", m.Name)
			continue
		}
		if got := m.Type.NumIn() - 2; got != len(want) { // receiver and context
			t.Errorf("%s takes %d arguments, transactionArguments lists %d", m.Name, got, len(want))
		}
		for j := 2; j < m.Type.NumIn(); j++ {
			if m.Type.In(j).Kind() != reflect.String {
				t.Errorf("%s argument %d is a %s: every argument is a string, parsed by the contract", m.Name, j-2, m.Type.In(j))
			}
		}
	}
	for name := range transactionArguments {
		if !seen[name] {
			t.Errorf("transactionArguments lists %s, which is no transaction", name)
		}
	}
}

func TestCheckArgumentsMessages(t *testing.T) {
	d := badInputWorld(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"RequestEnrolment", "dana", "viewer"}, "RequestEnrolment takes 4 arguments (memberID, role, attributesJSON, documentsJSON), not 2: attributesJSON is missing"},
		{[]string{"ApplyPeriod", "1", "2"}, "ApplyPeriod takes 1 arguments (period), not 2: there is more after period"},
		{[]string{"ClosePeriod", "now"}, "ClosePeriod takes 0 arguments (), not 1: give none"},
		{[]string{"Nonsense"}, "Function Nonsense not found in contract registry"},
	}
	for _, c := range cases {
		if status, msg := d.call("f1", c.args[0], c.args[1:]...); status != 500 || msg != c.want {
			t.Errorf("%v: %d %q, want %q", c.args, status, msg, c.want)
		}
	}
}
