package provenance

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Published CIDs, so that the decoder is checked against values it did not make.
const (
	// helloRawCID is "hello world" added with --raw-leaves --cid-version 1: its
	// digest is the plain SHA-256 of the bytes, helloSHA256.
	helloRawCID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
	helloSHA256 = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
	// docsCIDv1 is a dag-pb CIDv1 from the IPFS documentation.
	docsCIDv1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
	// helloCIDv0 is "hello world" added with the defaults of older Kubo.
	helloCIDv0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
)

func TestValidCIDsAreAccepted(t *testing.T) {
	for _, c := range []string{helloRawCID, docsCIDv1, helloCIDv0, "QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuPU"} {
		if err := validateCID(c); err != nil {
			t.Errorf("validateCID(%q) = %v", c, err)
		}
	}
}

func TestDecodersAgreeWithPublishedDigest(t *testing.T) {
	raw, err := base32NoPad.DecodeString(strings.ToUpper(helloRawCID[1:]))
	if err != nil {
		t.Fatal(err)
	}
	// version 1, codec raw (0x55), sha2-256 (0x12), 32 bytes, digest
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
	// A CIDv0's bytes written in base32: structurally base32, but not version 1.
	v0InBase32 := "b" + strings.ToLower(base32NoPad.EncodeToString(decodeBase58(helloCIDv0)))
	tests := []struct {
		name, cid, want string
	}{
		{"empty", "", "cid must not be empty: give the CID that ipfs add printed"},
		{"too long", "b" + strings.Repeat("a", 256), "cid is 257 characters long, more than 256"},
		{"v0 too short", helloCIDv0[:45], "a CIDv0 has 46 characters, this has 45"},
		{"v0 not base58", helloCIDv0[:10] + "0" + helloCIDv0[11:], `character '0' at position 10 is not base58`},
		{"v0 non-ascii", helloCIDv0[:44] + "é", `character 'é' at position 44 is not base58`},
		{"v0 wrong multihash", "Qm" + strings.Repeat("z", 44), "it does not decode to a SHA-256 multihash"},
		{"v1 prefix only", "b", `nothing follows the base32 prefix "b"`},
		{"v1 uppercase", "bAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E", `character 'A' at position 1 is not lowercase base32`},
		{"v1 digit 1", helloRawCID[:20] + "1" + helloRawCID[21:], `character '1' at position 20 is not lowercase base32`},
		{"v1 truncated", helloRawCID[:len(helloRawCID)-2], "its multihash announces a 32-byte digest but holds 31 bytes"},
		{"v1 extended", helloRawCID + "aa", "its multihash announces a 32-byte digest but holds 33 bytes"},
		{"v1 wrong version", v0InBase32, "it does not start with CID version 1"},
		{"v1 one base32 char", "ba", "its base32 body is 1 characters long, a length no byte string encodes to"},
		{"v1 three base32 chars", "babc", "its base32 body is 3 characters long"},
		{"v1 truncated to a bad length", helloRawCID[:len(helloRawCID)-4], "its base32 body is 54 characters long"},
		{"v1 no codec", "bae", "its content codec is missing"},
		{"v1 no multihash", "bafka", "its multihash is missing"},
		{"base58 multibase", "zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7", `its multibase prefix "z" is not base32; convert it with: ipfs cid format -b base32`},
		{"base36 multibase", "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8", `its multibase prefix "k" is not base32`},
		{"not a cid", "hello", `it starts with neither "Qm" (CIDv0) nor "b" (base32 CIDv1)`},
		{"path not cid", "/ipfs/" + helloCIDv0, `it starts with neither "Qm" (CIDv0) nor "b" (base32 CIDv1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateCID(tt.cid)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("validateCID(%q) = %v, want it to contain %q", tt.cid, err, tt.want)
			}
		})
	}
}
