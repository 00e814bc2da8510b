package validate

import (
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// Package validate checks the content references both contracts record: IPFS
// content identifiers and SHA-256 digests. CIDs are checked structurally, not
// just by prefix, so that a typo'd or truncated CID is refused when recorded
// rather than found when someone tries to fetch the content.

const (
	base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567"

	// maxCIDLength bounds what is stored; a base32 CIDv1 of a SHA-512
	// multihash is 113 characters.
	maxCIDLength = 256

	multihashSHA256 = 0x12
)

var (
	base32NoPad   = base32.StdEncoding.WithPadding(base32.NoPadding)
	sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// CID checks that value, given as field, is a CIDv0 ("Qm…",
// base58btc, SHA-256) or a CIDv1 in lowercase base32 ("b…").
func CID(field, value string) error {
	const fix = "give the CID that ipfs add printed (a CIDv0 \"Qm...\" or a base32 CIDv1 \"b...\")"
	if value == "" {
		return fmt.Errorf("%s must not be empty: %s", field, fix)
	}
	if len(value) > maxCIDLength {
		return fmt.Errorf("%s is %d characters long, more than %d: %s", field, len(value), maxCIDLength, fix)
	}
	var problem string
	switch {
	case strings.HasPrefix(value, "Qm"):
		problem = checkCIDv0(value)
	case strings.HasPrefix(value, "b"):
		problem = checkCIDv1Base32(value[1:])
	case value[0] == 'z' || value[0] == 'k' || value[0] == 'B' || value[0] == 'f':
		problem = fmt.Sprintf("its multibase prefix %q is not base32; convert it with: ipfs cid format -b base32 %s", value[:1], value)
	default:
		problem = "it starts with neither \"Qm\" (CIDv0) nor \"b\" (base32 CIDv1)"
	}
	if problem != "" {
		return fmt.Errorf("%s %q is not a valid CID: %s; %s", field, value, problem, fix)
	}
	return nil
}

// checkCIDv0 returns what is wrong with a CIDv0, or "".
func checkCIDv0(value string) string {
	if len(value) != 46 {
		return fmt.Sprintf("a CIDv0 has 46 characters, this has %d", len(value))
	}
	if r, i, found := firstOutside(value, base58Alphabet); found {
		return fmt.Sprintf("character %q at position %d is not base58", r, i)
	}
	raw := decodeBase58(value)
	if len(raw) != 34 || raw[0] != multihashSHA256 || raw[1] != 32 {
		return "it does not decode to a SHA-256 multihash"
	}
	return ""
}

// checkCIDv1Base32 returns what is wrong with the base32 body of a CIDv1, or "".
func checkCIDv1Base32(body string) string {
	if body == "" {
		return "nothing follows the base32 prefix \"b\""
	}
	if r, i, found := firstOutside(body, base32Alphabet); found {
		return fmt.Sprintf("character %q at position %d is not lowercase base32 (a-z, 2-7)", r, i+1)
	}
	// Unpadded base32 never leaves 1, 3 or 6 characters over a whole block;
	// Go's decoder would quietly drop them.
	if rest := len(body) % 8; rest == 1 || rest == 3 || rest == 6 {
		return fmt.Sprintf("its base32 body is %d characters long, a length no byte string encodes to", len(body))
	}
	raw, err := base32NoPad.DecodeString(strings.ToUpper(body))
	if err != nil {
		return "its base32 body does not decode"
	}
	version, n := binary.Uvarint(raw)
	if n <= 0 || version != 1 {
		return "it does not start with CID version 1"
	}
	raw = raw[n:]
	if _, n = binary.Uvarint(raw); n <= 0 {
		return "its content codec is missing"
	}
	raw = raw[n:]
	hashCode, n := binary.Uvarint(raw)
	if n <= 0 {
		return "its multihash is missing"
	}
	raw = raw[n:]
	digestLength, n := binary.Uvarint(raw)
	if n <= 0 {
		return "its multihash has no digest length"
	}
	raw = raw[n:]
	if digestLength == 0 || uint64(len(raw)) != digestLength {
		return fmt.Sprintf("its multihash announces a %d-byte digest but holds %d bytes", digestLength, len(raw))
	}
	if hashCode == multihashSHA256 && digestLength != 32 {
		return "its SHA-256 digest is not 32 bytes"
	}
	return ""
}

// firstOutside returns the first rune of s that is not in alphabet and its
// byte position.
func firstOutside(s, alphabet string) (rune, int, bool) {
	for i, r := range s {
		if !strings.ContainsRune(alphabet, r) {
			return r, i, true
		}
	}
	return 0, 0, false
}

// decodeBase58 decodes base58btc; value must hold only alphabet characters.
func decodeBase58(value string) []byte {
	n := new(big.Int)
	radix := big.NewInt(58)
	for _, r := range value {
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(strings.IndexRune(base58Alphabet, r))))
	}
	leadingZeros := len(value) - len(strings.TrimLeft(value, "1"))
	return append(make([]byte, leadingZeros), n.Bytes()...)
}

// SHA256 checks a lowercase hex SHA-256 digest given as field.
func SHA256(field, value string) error {
	if sha256Pattern.MatchString(value) {
		return nil
	}
	if len(value) != 64 {
		return fmt.Errorf("%s %q has %d characters: give the 64 lowercase hex characters of the content's SHA-256, as sha256sum prints them", field, value, len(value))
	}
	return fmt.Errorf("%s %q has a character outside 0-9 and a-f: give the digest in lowercase hex, as sha256sum prints it", field, value)
}
