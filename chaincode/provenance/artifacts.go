package provenance

import (
	"bcmlp.local/chaincode/internal/validate"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Artifact kinds, the values of Artifact.Kind.
const (
	KindRawData          = "raw-data"
	KindDataset          = "dataset"
	KindLabels           = "labels"
	KindCode             = "code"
	KindConfiguration    = "configuration"
	KindModel            = "model"
	KindInferenceResults = "inference-results"
	KindReport           = "report"
	KindDocument         = "document"
)

// artifactKinds lists the kinds in the order messages name them.
var artifactKinds = []string{
	KindRawData, KindDataset, KindLabels, KindCode, KindConfiguration,
	KindModel, KindInferenceResults, KindReport, KindDocument,
}

// dataKinds are the kinds that hold data, and so may declare bounds.
var dataKinds = []string{KindRawData, KindDataset, KindLabels, KindInferenceResults}

// maxParents bounds the lineage edges one record may add, which bounds the
// state reads a single transaction makes.
const maxParents = 64

// maxPinnedOn bounds the organisations an artifact may name as pinning it.
const maxPinnedOn = 32

// minPinnedOn is the replica count below which one node's loss loses content.
const minPinnedOn = 2

// maxBoundsText bounds DataBounds.Source and DataType.
const maxBoundsText = 256

// RecordArtifact records artifact artifactID. Arguments, all strings:
//
//   - artifactID: the artifact's name, 1 to 64 of A-Z a-z 0-9 . _ -
//   - kind: raw-data, dataset, labels, code, configuration, model,
//     inference-results, report or document
//   - cid: the IPFS CID of the stored (encrypted) bytes, CIDv0 "Qm..." or base32 CIDv1 "b..."
//   - sha256: the lowercase hex SHA-256 of the plaintext
//   - size: the plaintext's length in bytes, decimal digits
//   - mediaType: the plaintext's type/subtype, e.g. image/png
//   - parents: a JSON array of the IDs of already recorded artifacts it was
//     derived from, "[]" for none
//   - pinnedOn: a JSON array of at least two distinct MSP ids whose IPFS
//     nodes pin the content, e.g. ["Org1MSP","Org2MSP"]
//   - wrappedKeyEpoch: the epoch of the project data key it is encrypted
//     under, decimal digits, an epoch recorded with RecordKeyEpoch
//   - requestFeedback: "true" to ask members to rate the record, else "false"
//   - bounds: "" for none, or for a data kind (raw-data, dataset, labels,
//     inference-results) the declared range as JSON:
//     {"source":"camera-3","dataType":"uint8","min":"0","max":"255"}, min and
//     max decimal strings with at most 6 decimals, min <= max
//
// The caller, a channel member in good standing other than a viewer, is
// recorded as the creator, and an ArtifactRecorded event announces the record.
func (c *Contract) RecordArtifact(ctx contractapi.TransactionContextInterface, artifactID string, kind string, cid string, sha256 string, size string, mediaType string, parents string, pinnedOn string, wrappedKeyEpoch string, requestFeedback string, bounds string) error {
	if err := validateID("artifactID", artifactID); err != nil {
		return err
	}
	if err := validateKind("kind", kind); err != nil {
		return err
	}
	if err := validate.CID("cid", cid); err != nil {
		return err
	}
	if err := validate.SHA256("sha256", sha256); err != nil {
		return err
	}
	byteCount, err := parseSize(size)
	if err != nil {
		return err
	}
	if err := validateMediaType(mediaType); err != nil {
		return err
	}
	parentIDs, err := parseParents(artifactID, parents)
	if err != nil {
		return err
	}
	pinned, err := parsePinnedOn(pinnedOn)
	if err != nil {
		return err
	}
	epoch, err := parseWholeNumber("wrappedKeyEpoch", wrappedKeyEpoch, 1, "the data key's epoch")
	if err != nil {
		return err
	}
	wantsFeedback, err := parseFlag("requestFeedback", requestFeedback)
	if err != nil {
		return err
	}
	declared, err := parseBounds(kind, bounds)
	if err != nil {
		return err
	}

	who, _, err := requireWriter(ctx, "recording an artifact")
	if err != nil {
		return err
	}
	if err := requireKeyEpoch(ctx, epoch); err != nil {
		return err
	}
	what := fmt.Sprintf("artifact %q", artifactID)
	key, err := artifactKey(ctx, artifactID)
	if err != nil {
		return err
	}
	if err := requireAbsent(ctx, what, key,
		fmt.Errorf("artifact %q already exists: records are immutable, so record the new content under another artifactID", artifactID)); err != nil {
		return err
	}
	for i, parentID := range parentIDs {
		found, err := artifactExists(ctx, parentID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("parents[%d]: artifact %q does not exist: record it with RecordArtifact first", i, parentID)
		}
	}

	st := who.stamp
	artifact := Artifact{
		ID:              artifactID,
		Kind:            kind,
		CID:             cid,
		SHA256:          sha256,
		Size:            byteCount,
		MediaType:       mediaType,
		Parents:         parentIDs,
		Bounds:          declared,
		RequestFeedback: wantsFeedback,
		PinnedOn:        pinned,
		WrappedKeyEpoch: epoch,
		Creator:         st.ID,
		CreatorMSP:      st.MSPID,
		CreatorTrust:    who.Trust,
		TxID:            st.TxID,
		Timestamp:       st.Timestamp,
	}
	record, err := writeRecord(ctx, what, key, artifact)
	if err != nil {
		return err
	}
	if wantsFeedback {
		requestKey, err := compositeKey(ctx, "the feedback request of "+what, feedbackRequestObjectType, artifactID)
		if err != nil {
			return err
		}
		// The value is the creator, so that ListAwaitingFeedback can skip a
		// member's own records without reading them.
		if err := ctx.GetStub().PutState(requestKey, []byte(st.ID)); err != nil {
			return fmt.Errorf("writing the feedback request of %s: %w", what, err)
		}
	}
	return emit(ctx, EventArtifactRecorded, what, record)
}

// artifactKey is the state key of artifact id.
func artifactKey(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	return compositeKey(ctx, fmt.Sprintf("artifact %q", id), artifactObjectType, id)
}

// artifactExists reports whether artifact id is recorded.
func artifactExists(ctx contractapi.TransactionContextInterface, id string) (bool, error) {
	key, err := artifactKey(ctx, id)
	if err != nil {
		return false, err
	}
	record, err := readState(ctx, fmt.Sprintf("artifact %q", id), key)
	if err != nil {
		return false, err
	}
	return record != nil, nil
}

// validateKind checks an artifact kind given as field.
func validateKind(field, value string) error {
	if isOneOf(value, artifactKinds) {
		return nil
	}
	if value == "" {
		return fmt.Errorf("%s must not be empty: give one of %s", field, strings.Join(artifactKinds, ", "))
	}
	return fmt.Errorf("%s %q is not an artifact kind: give one of %s", field, value, strings.Join(artifactKinds, ", "))
}

// isOneOf reports whether value is in list.
func isOneOf(value string, list []string) bool {
	for _, v := range list {
		if v == value {
			return true
		}
	}
	return false
}

// parseSize reads a byte count written in decimal digits.
func parseSize(value string) (int64, error) {
	if strings.HasPrefix(value, "-") {
		return 0, fmt.Errorf("size %q is negative: give the number of plaintext bytes, 0 or more", value)
	}
	if !digitsPattern.MatchString(value) {
		return 0, fmt.Errorf("size %q is not a whole number: give the number of plaintext bytes in decimal digits, e.g. 1048576", value)
	}
	return parseWholeNumber("size", value, 0, "the number of plaintext bytes")
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
	for i, p := range parents {
		if p == artifactID {
			return nil, fmt.Errorf("parents[%d] is %q, the artifact itself: an artifact cannot be its own parent, so remove it", i, p)
		}
	}
	if err := checkDistinctIDs("parents", "parent", parents); err != nil {
		return nil, err
	}
	return parents, nil
}

// parsePinnedOn reads the pinnedOn argument: a JSON array of at least two
// distinct MSP ids, kept in the order given.
func parsePinnedOn(value string) ([]string, error) {
	const example = `["Org1MSP","Org2MSP"]`
	var orgs []string
	if err := json.Unmarshal([]byte(value), &orgs); err != nil || orgs == nil {
		return nil, fmt.Errorf("pinnedOn %q is not a JSON array of MSP ids: give the organisations whose IPFS nodes pin the content, e.g. %s", value, example)
	}
	if len(orgs) < minPinnedOn {
		return nil, fmt.Errorf("pinnedOn lists %d organisations: pin the content on at least %d organisations' nodes, e.g. %s", len(orgs), minPinnedOn, example)
	}
	if len(orgs) > maxPinnedOn {
		return nil, fmt.Errorf("pinnedOn lists %d organisations: give at most %d", len(orgs), maxPinnedOn)
	}
	seen := make(map[string]bool, len(orgs))
	for i, org := range orgs {
		field := fmt.Sprintf("pinnedOn[%d]", i)
		if err := validateMSPID(field, org); err != nil {
			return nil, err
		}
		if seen[org] {
			return nil, fmt.Errorf("%s repeats %q: each organisation counts once, so pin on another organisation's node", field, org)
		}
		seen[org] = true
	}
	return orgs, nil
}

// parseFlag reads "true" or "false".
func parseFlag(field, value string) (bool, error) {
	switch value {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%s %q is neither \"true\" nor \"false\": give one of those, in lowercase", field, value)
}

// boundsArgument is the bounds argument as sent; min and max are decimal
// strings so that no float is ever parsed.
type boundsArgument struct {
	Source   string `json:"source"`
	DataType string `json:"dataType"`
	Min      string `json:"min"`
	Max      string `json:"max"`
}

// parseBounds reads the bounds argument of an artifact of kind; "" is none.
func parseBounds(kind, value string) (*DataBounds, error) {
	if value == "" {
		return nil, nil
	}
	if !isOneOf(kind, dataKinds) {
		return nil, fmt.Errorf("bounds are declared only for data (kinds %s), not for kind %q: give \"\" for none", strings.Join(dataKinds, ", "), kind)
	}
	const example = `{"source":"camera-3","dataType":"uint8","min":"0","max":"255"}`
	var arg boundsArgument
	if err := decodeStrict("bounds", value, example+`, or "" for none`, &arg); err != nil {
		return nil, err
	}
	if err := validateText("bounds.source", arg.Source, maxBoundsText, `where the data comes from, e.g. "camera-3"`); err != nil {
		return nil, err
	}
	if err := validateText("bounds.dataType", arg.DataType, maxBoundsText, `the values' type, e.g. "uint8"`); err != nil {
		return nil, err
	}
	lo, err := parseFixed("bounds.min", arg.Min)
	if err != nil {
		return nil, err
	}
	hi, err := parseFixed("bounds.max", arg.Max)
	if err != nil {
		return nil, err
	}
	if lo > hi {
		return nil, fmt.Errorf("bounds.min %q is greater than bounds.max %q: give min <= max", arg.Min, arg.Max)
	}
	return &DataBounds{Source: arg.Source, DataType: arg.DataType, Min: lo, Max: hi}, nil
}
