package validate

import (
	"bcmlp.local/chaincode/internal/fabrictest"
	"encoding/hex"
	"strings"
	"testing"
)

// The same published CIDs as provenance/cid_test.go, so that the two copies
// of the checks are held to the same cases.

// Published IPFS values, from fabrictest.
const (
	helloRawCID = fabrictest.HelloRawCID
	helloSHA256 = fabrictest.HelloSHA256
	docsCIDv1   = fabrictest.DocsCIDv1
	helloCIDv0  = fabrictest.HelloCIDv0
)

func TestValidCIDsAreAccepted(t *testing.T) {
	for _, c := range []string{helloRawCID, docsCIDv1, helloCIDv0, "QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuPU"} {
		if err := CID("cid", c); err != nil {
			t.Errorf("CID(%q) = %v", c, err)
		}
	}
}

func TestDecodersAgreeWithPublishedDigest(t *testing.T) {
	raw, err := base32NoPad.DecodeString(strings.ToUpper(helloRawCID[1:]))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(raw); got != "01551220"+helloSHA256 {
		t.Fatalf("decoded CIDv1 = %s", got)
	}
	if got := hex.EncodeToString(decodeBase58(helloCIDv0)); got != "122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e" {
		t.Fatalf("decoded CIDv0 = %s", got)
	}
	if got := hex.EncodeToString(decodeBase58("11" + "2")); got != "000001" {
		t.Fatalf("leading '1's must decode to zero bytes, got %s", got)
	}
}

func TestInvalidCIDsAreRefused(t *testing.T) {
	enc := func(b ...byte) string { return "b" + strings.ToLower(base32NoPad.EncodeToString(b)) }
	v0InBase32 := enc(decodeBase58(helloCIDv0)...)
	tests := []struct {
		name, cid, want string
	}{
		{"empty", "", "documents[0].cid must not be empty: give the CID that ipfs add printed"},
		{"too long", "b" + strings.Repeat("a", 256), "documents[0].cid is 257 characters long, more than 256"},
		{"v0 too short", helloCIDv0[:45], "a CIDv0 has 46 characters, this has 45"},
		{"v0 not base58", helloCIDv0[:10] + "0" + helloCIDv0[11:], `character '0' at position 10 is not base58`},
		{"v0 wrong multihash", "Qm" + strings.Repeat("z", 44), "it does not decode to a SHA-256 multihash"},
		{"v1 prefix only", "b", `nothing follows the base32 prefix "b"`},
		{"v1 uppercase", strings.ToUpper(helloRawCID[:2]) + helloRawCID[2:], `its multibase prefix "B" is not base32`},
		{"v1 upper body", "bAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E", `character 'A' at position 1 is not lowercase base32`},
		{"v1 truncated", helloRawCID[:len(helloRawCID)-2], "its multihash announces a 32-byte digest but holds 31 bytes"},
		{"v1 wrong version", v0InBase32, "it does not start with CID version 1"},
		{"v1 impossible length", "babc", "its base32 body is 3 characters long"},
		{"v1 no codec", "bae", "its content codec is missing"},
		{"v1 no multihash", "bafka", "its multihash is missing"},
		{"v1 no digest length", enc(1, 0x55, 0x12), "its multihash has no digest length"},
		{"v1 short sha-256", enc(1, 0x55, 0x12, 2, 0xab, 0xcd), "its SHA-256 digest is not 32 bytes"},
		{"v1 empty digest", enc(1, 0x55, 0x12, 0), "its multihash announces a 0-byte digest but holds 0 bytes"},
		{"base58 multibase", "zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7", `its multibase prefix "z" is not base32; convert it with: ipfs cid format -b base32`},
		{"not a cid", "hello", `documents[0].cid "hello" is not a valid CID: it starts with neither "Qm" (CIDv0) nor "b" (base32 CIDv1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CID("documents[0].cid", tt.cid)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CID(%q) = %v, want it to contain %q", tt.cid, err, tt.want)
			}
		})
	}
}

func TestValidateSHA256(t *testing.T) {
	if err := SHA256("sha256", helloSHA256); err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string]string{
		helloSHA256[:63]:             `sha256 "` + helloSHA256[:63] + `" has 63 characters: give the 64 lowercase hex characters`,
		strings.ToUpper(helloSHA256): "has a character outside 0-9 and a-f: give the digest in lowercase hex",
		"":                           `sha256 "" has 0 characters`,
		"g" + helloSHA256[1:]:        "has a character outside 0-9 and a-f",
		helloSHA256[:62] + "\u00e9":  "has a character outside 0-9 and a-f",
	} {
		if err := SHA256("sha256", value); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SHA256(%q) = %v, want %q", value, err, want)
		}
	}
}
