// Package provenance is the per-project contract ("provenance" on each project
// channel) that records artifacts stored on IPFS and the lineage edges between
// them. Later steps add birth certificates and feedback here.
package provenance

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Artifact is one piece of content stored on IPFS, named on chain by its CID,
// digest and size, with the artifacts it was derived from.
//
// The fields stay in this fixed order and carry explicit JSON names because
// every endorsing peer must write byte-identical state for the same
// transaction; encoding/json emits struct fields in declaration order, so a
// fixed order is what keeps endorsements matching. Size is an integer and no
// field is a float for the same reason.
type Artifact struct {
	// ID is the artifact's name within the project, chosen by its creator.
	ID string `json:"id"`
	// CID is the IPFS content identifier of the stored bytes.
	CID string `json:"cid"`
	// SHA256 is the lowercase hex SHA-256 of the stored bytes.
	SHA256 string `json:"sha256"`
	// Size is the length of the stored bytes.
	Size int64 `json:"size"`
	// MediaType is the content's type/subtype, e.g. image/png.
	MediaType string `json:"mediaType"`
	// Parents are the IDs of the artifacts this one was derived from, in the
	// order the creator gave them; never null, [] for none.
	Parents []string `json:"parents"`
	// Creator is the recording X.509 identity, "x509::<subject>::<issuer>".
	Creator string `json:"creator"`
	// CreatorMSP is the MSP id of Creator.
	CreatorMSP string `json:"creatorMsp"`
	// TxID is the transaction that recorded the artifact.
	TxID string `json:"txId"`
	// Timestamp is that transaction's timestamp, RFC 3339 in UTC.
	Timestamp string `json:"timestamp"`
}

// maxIDLength bounds artifact IDs so that keys and events stay small.
const maxIDLength = 64

// maxParents bounds the lineage edges one record may add, which bounds the
// state reads a single transaction makes.
const maxParents = 64

// artifactObjectType is the composite-key object type under which artifacts live.
const artifactObjectType = "artifact"

var (
	idPattern        = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	sha256Pattern    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	mediaTypePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$`)
	digitsPattern    = regexp.MustCompile(`^[0-9]+$`)
)

// validateID checks an identifier given in the transaction argument named field.
func validateID(field, value string) error {
	if value == "" {
		return fmt.Errorf("%s must not be empty: give a name of 1 to %d characters from A-Z, a-z, 0-9, '.', '_' and '-'", field, maxIDLength)
	}
	if len(value) > maxIDLength {
		return fmt.Errorf("%s %q is %d characters long: use at most %d", field, value, len(value), maxIDLength)
	}
	if !idPattern.MatchString(value) {
		return fmt.Errorf("%s %q contains a character outside A-Z, a-z, 0-9, '.', '_' and '-': use only those", field, value)
	}
	return nil
}

// validateSHA256 checks a hex SHA-256 digest.
func validateSHA256(value string) error {
	if sha256Pattern.MatchString(value) {
		return nil
	}
	if len(value) != 64 {
		return fmt.Errorf("sha256 %q has %d characters: give the 64 lowercase hex characters of the content's SHA-256, as sha256sum prints them", value, len(value))
	}
	return fmt.Errorf("sha256 %q has a character outside 0-9 and a-f: give the digest in lowercase hex, as sha256sum prints it", value)
}

// parseSize reads a byte count written in decimal digits.
func parseSize(value string) (int64, error) {
	if strings.HasPrefix(value, "-") {
		return 0, fmt.Errorf("size %q is negative: give the number of stored bytes, 0 or more", value)
	}
	if !digitsPattern.MatchString(value) {
		return 0, fmt.Errorf("size %q is not a whole number: give the number of stored bytes in decimal digits, e.g. 1048576", value)
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q is too large: give the number of stored bytes, at most 9223372036854775807", value)
	}
	return n, nil
}

// validateMediaType checks a media type of the form type/subtype.
func validateMediaType(value string) error {
	if value == "" {
		return fmt.Errorf("mediaType must not be empty: give the content's media type, e.g. application/octet-stream")
	}
	if !mediaTypePattern.MatchString(value) {
		return fmt.Errorf("mediaType %q is not a lowercase type/subtype without parameters: give e.g. image/png or application/json", value)
	}
	return nil
}

// parseParents reads the parents argument, a JSON array of artifact IDs, and
// checks its shape; whether each parent exists is for the caller to check.
func parseParents(artifactID, value string) ([]string, error) {
	var parents []string
	if err := json.Unmarshal([]byte(value), &parents); err != nil || parents == nil {
		return nil, fmt.Errorf(`parents %q is not a JSON array of artifact IDs: give [] for none or e.g. ["raw-images-1","labels-3"]`, value)
	}
	if len(parents) > maxParents {
		return nil, fmt.Errorf("parents lists %d artifacts: give at most %d", len(parents), maxParents)
	}
	seen := make(map[string]bool, len(parents))
	for i, p := range parents {
		if err := validateID(fmt.Sprintf("parents[%d]", i), p); err != nil {
			return nil, err
		}
		if p == artifactID {
			return nil, fmt.Errorf("parents[%d] is %q, the artifact itself: an artifact cannot be its own parent, so remove it", i, p)
		}
		if seen[p] {
			return nil, fmt.Errorf("parents[%d] repeats %q: list each parent once", i, p)
		}
		seen[p] = true
	}
	return parents, nil
}
