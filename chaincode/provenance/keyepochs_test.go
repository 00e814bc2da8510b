package provenance

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/internal/fabrictest"
)

// epochFixture is newFixture without its key epochs: InitProject only.
func epochFixture(t *testing.T) (*Contract, *fabrictest.Stub) {
	t.Helper()
	c, stub := bareFixture()
	initProject(t, c, stub)
	return c, stub
}

func recordEpoch(c *Contract, arg keyEpochArgument) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error { return c.RecordKeyEpoch(ctx, arg.text()) }
}

func TestRecordKeyEpochStoresTheNextEpoch(t *testing.T) {
	c, stub := epochFixture(t)
	listed := listedIDs(c, stub)
	first := epochFor(stub, 1, listed...)
	submit(t, stub, alice(), recordEpoch(c, first))
	ev := lastEvent(t, stub)
	stored := string(stub.State["\x00keyEpoch\x000000000001\x00"])
	if ev.Name != EventKeyEpochRecorded || string(ev.Payload) != stored {
		t.Fatalf("event = %s %s, want KeyEpochRecorded with the record %s", ev.Name, ev.Payload, stored)
	}
	if got := string(stub.State["\x00config\x00latestKeyEpoch\x00"]); got != "1" {
		t.Fatalf("latest = %q", got)
	}
	// A member removed since gets no copy of the next epoch, nor does one
	// that has registered no key; one who registered a new key gets it
	// wrapped for that key.
	submit(t, stub, admin2(), func(ctx contractapi.TransactionContextInterface) error {
		return c.RemoveMember(ctx, "frank", "left the project")
	})
	registryKeys[stub]["bob"] = testKeyID("bob-2")
	delete(registryKeys[stub], "vera")
	second := epochFor(stub, 2, "alice", "bob", "carol", "dave", "erin")
	submit(t, stub, bob(), recordEpoch(c, second))
	ctx := fabrictest.NewContext(stub, vera())
	e, err := c.GetKeyEpoch(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	if e.Epoch != 2 || e.CreatorMember != "bob" || e.Creator != bobID || len(e.Wrapped) != len(listed)-2 || e.Wrapped[1].Recipient != testKeyID("bob-2") {
		t.Fatalf("GetKeyEpoch(2) = %+v", e)
	}
	for _, w := range e.Wrapped {
		if w.MemberID == "frank" {
			t.Fatal("a removed member got a copy")
		}
	}
	summaries, err := c.GetKeyEpochs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(summaries) != 2 || summaries[0].Epoch != 1 || summaries[1].Epoch != 2 ||
		strings.Join(summaries[0].Members, ",") != strings.Join(listed, ",") || strings.Join(summaries[1].Members, ",") != "alice,bob,carol,dave,erin" {
		t.Fatalf("GetKeyEpochs = %+v", summaries)
	}
	// Epoch 1 is as it was: epochs are immutable.
	if first, _ := c.GetKeyEpoch(ctx, "1"); len(first.Wrapped) != len(listed) || first.TxID != "tx-2" {
		t.Fatalf("GetKeyEpoch(1) = %+v", first)
	}
}

func TestRecordKeyEpochRefusals(t *testing.T) {
	// change edits a valid epoch 1 for the listed members.
	type change func(stub *fabrictest.Stub, a *keyEpochArgument)
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		name   string
		who    func() *fabrictest.Identity
		setup  func(t *testing.T, c *Contract, stub *fabrictest.Stub)
		change change
		raw    string // sent instead of the epoch when set
		want   string
	}{
		{name: "not JSON", raw: "{", want: "epochJSON is not valid: it is not valid JSON"},
		{name: "empty", raw: "", want: "epochJSON is not valid: it is empty"},
		{name: "unknown field", raw: `{"epoch":1,"wrapped":[],"key":"x"}`, want: `epochJSON is not valid: unknown field "key"`},
		{name: "wrapped missing", raw: `{"epoch":1}`, want: "epochJSON.wrapped is missing"},
		{name: "wrapped empty", raw: `{"epoch":1,"wrapped":[]}`, want: "epochJSON.wrapped is empty"},
		{name: "epoch zero", change: func(_ *fabrictest.Stub, a *keyEpochArgument) {
			a.Epoch = 0
			for i := range a.Wrapped {
				a.Wrapped[i].Epoch = 0
			}
		}, want: "epochJSON.epoch is 0: epochs are numbered from 1"},
		{name: "epoch not the next", change: func(_ *fabrictest.Stub, a *keyEpochArgument) {
			a.Epoch = 2
			for i := range a.Wrapped {
				a.Wrapped[i].Epoch = 2
			}
		}, want: "epochJSON.epoch is 2, but no epoch is recorded yet: the first epoch is 1"},
		{name: "epoch recorded already", setup: func(_ *testing.T, c *Contract, stub *fabrictest.Stub) {
			stub.NextTx()
			recordKeyEpochs(c, stub, 1)
		}, want: "epochJSON.epoch is 1, but the latest recorded epoch is 1: epochs are immutable, so make epoch 2"},
		{name: "copy of another epoch", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped[1].Epoch = 2 },
			want: "epochJSON.wrapped[1].epoch is 2, not the epoch's 1"},
		{name: "certificate scheme", change: func(_ *fabrictest.Stub, a *keyEpochArgument) {
			a.Wrapped[0].Scheme = "certificate-ecdh-hkdf-sha256-aes256gcm-v1"
		}, want: `epochJSON.wrapped[0].scheme "certificate-ecdh-hkdf-sha256-aes256gcm-v1" is not "` + MemberKeyScheme + `"`},
		{name: "bad member id", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped[2].MemberID = "a b" },
			want: `epochJSON.wrapped[2].memberId "a b" contains a character outside`},
		{name: "member twice", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped[3] = a.Wrapped[0] },
			want: `epochJSON.wrapped[3].memberId "alice" repeats epochJSON.wrapped[0]`},
		{name: "recipient not a key id", change: func(_ *fabrictest.Stub, a *keyEpochArgument) {
			a.Wrapped[0].Recipient = strings.ToUpper(a.Wrapped[0].Recipient)
		},
			want: "epochJSON.wrapped[0].recipient"},
		{name: "ephemeral key not base64", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped[0].EphemeralPublicKey = "not base64!" },
			want: `epochJSON.wrapped[0].ephemeralPublicKey "not base64!" is not standard base64`},
		{name: "ephemeral key unpadded", change: func(_ *fabrictest.Stub, a *keyEpochArgument) {
			a.Wrapped[0].EphemeralPublicKey = strings.TrimRight(a.Wrapped[0].EphemeralPublicKey, "=")
		}, want: "epochJSON.wrapped[0].ephemeralPublicKey"},
		{name: "ephemeral key short", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped[0].EphemeralPublicKey = b64(31) },
			want: "epochJSON.wrapped[0].ephemeralPublicKey holds 31 bytes, not 32"},
		{name: "nonce long", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped[1].Nonce = b64(16) },
			want: "epochJSON.wrapped[1].nonce holds 16 bytes, not 12"},
		{name: "ciphertext without tag", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped[1].Ciphertext = b64(32) },
			want: "epochJSON.wrapped[1].ciphertext holds 32 bytes, not 48"},
		{name: "a stranger", change: func(_ *fabrictest.Stub, a *keyEpochArgument) {
			a.Wrapped[0].MemberID = "mallory"
		}, want: `epochJSON.wrapped[0].memberId "mallory" is not a listed member of project channel project-a`},
		{name: "a removed member", setup: func(t *testing.T, c *Contract, stub *fabrictest.Stub) {
			submit(t, stub, admin2(), func(ctx contractapi.TransactionContextInterface) error {
				return c.RemoveMember(ctx, "frank", "left the project")
			})
		}, change: func(stub *fabrictest.Stub, a *keyEpochArgument) {
			a.Wrapped = append(a.Wrapped, epochFor(stub, 1, "frank").Wrapped...)
		}, want: `memberId "frank" is not a listed member of project channel project-a`},
		{name: "a listed member left out", change: func(_ *fabrictest.Stub, a *keyEpochArgument) { a.Wrapped = a.Wrapped[1:] },
			want: `epochJSON.wrapped has no copy for listed members ["alice"]`},
		{name: "an old key", change: func(stub *fabrictest.Stub, _ *keyEpochArgument) {
			registryKeys[stub]["bob"] = testKeyID("bob-2")
		}, want: `epochJSON.wrapped[1].recipient ` + testKeyID("bob") + ` is not member "bob"'s current key-agreement key ` + testKeyID("bob-2")},
		{name: "a copy for a member without a key", change: func(stub *fabrictest.Stub, _ *keyEpochArgument) { delete(registryKeys[stub], "carol") },
			want: `epochJSON.wrapped[2].memberId "carol" has registered no key-agreement key in the registry, so no copy can be wrapped for it`},
		{name: "the registry unreachable", change: func(stub *fabrictest.Stub, _ *keyEpochArgument) { delete(registryOf(stub), "erin") },
			want: `recording a key epoch: reading member "erin"'s key-agreement keys from the registry on mainchain failed (status 500`},
		{name: "a viewer", who: vera, want: `recording a key epoch needs a role other than viewer`},
		{name: "a suspended member", who: dave, setup: func(_ *testing.T, _ *Contract, stub *fabrictest.Stub) { registryOf(stub)["dave"].Status = "suspended" },
			want: `recording a key epoch: member "dave" is suspended in the registry`},
		{name: "a non-member", who: func() *fabrictest.Identity { return fabrictest.NewIdentity("Org2MSP", "mallory") },
			want: `recording a key epoch: not a member of project channel project-a`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := epochFixture(t)
			if tt.setup != nil {
				tt.setup(t, c, stub)
			}
			arg := epochFor(stub, 1, listedIDs(c, stub)...)
			if tt.change != nil {
				tt.change(stub, &arg)
			}
			who := alice
			if tt.who != nil {
				who = tt.who
			}
			text := arg.text()
			if tt.raw != "" || tt.change == nil && strings.HasPrefix(tt.want, "epochJSON is not valid") {
				text = tt.raw
			}
			expectRefusal(t, stub, who(), tt.want, func(ctx contractapi.TransactionContextInterface) error {
				return c.RecordKeyEpoch(ctx, text)
			})
		})
	}
}

func TestRecordArtifactNeedsARecordedKeyEpoch(t *testing.T) {
	c, stub := epochFixture(t)
	expectRefusal(t, stub, alice(), "wrappedKeyEpoch 1 is not a recorded key epoch of project channel project-a: encrypt under a recorded epoch (GetKeyEpochs), or record epoch 1 with RecordKeyEpoch first",
		func(ctx contractapi.TransactionContextInterface) error {
			return artifactOf("raw-1", "[]").record(c, ctx)
		})
	stub.NextTx()
	recordKeyEpochs(c, stub, 1)
	record(t, c, stub, alice(), "raw-1", "[]")
	later := artifactOf("raw-2", "[]")
	later.epoch = "2"
	expectRefusal(t, stub, alice(), "wrappedKeyEpoch 2 is not a recorded key epoch", func(ctx contractapi.TransactionContextInterface) error { return later.record(c, ctx) })
}

func TestGetKeyEpochRefusals(t *testing.T) {
	c, stub, _ := newFixture()
	ctx := fabrictest.NewContext(stub, bob())
	for epoch, want := range map[string]string{
		"4":  "key epoch 4 is not recorded on project channel project-a",
		"0":  `epoch "0" is less than 1`,
		"x":  `epoch "x" is not a whole number`,
		"":   `epoch "" is not a whole number`,
		"-1": `epoch "-1" is not a whole number`,
	} {
		if e, err := c.GetKeyEpoch(ctx, epoch); err == nil || !strings.Contains(err.Error(), want) || e != nil {
			t.Errorf("GetKeyEpoch(%q) = %+v, %v; want %q", epoch, e, err, want)
		}
	}
}

// The scheme the contract takes is the one gateway/artifacts/keys.py wraps with.
func TestMemberKeySchemeIsTheGatewaysScheme(t *testing.T) {
	source, err := os.ReadFile("../../gateway/artifacts/keys.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^MEMBER_KEY_SCHEME = "([^"]+)"$`).FindSubmatch(source)
	if m == nil || string(m[1]) != MemberKeyScheme {
		t.Fatalf("keys.py's MEMBER_KEY_SCHEME = %q, the contract's %q", m, MemberKeyScheme)
	}
}

// TestGoldenKeyEpochs keeps what GetKeyEpoch and GetKeyEpochs answer.
func TestGoldenKeyEpochs(t *testing.T) {
	c, stub := epochFixture(t)
	submit(t, stub, alice(), recordEpoch(c, epochFor(stub, 1, listedIDs(c, stub)...)))
	ctx := fabrictest.NewContext(stub, dave())
	for name, query := range map[string]func() (any, error){
		"key_epoch.json":  func() (any, error) { return c.GetKeyEpoch(ctx, "1") },
		"key_epochs.json": func() (any, error) { return c.GetKeyEpochs(ctx) },
	} {
		v, err := query()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		encoded, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, name, string(encoded))
	}
}
