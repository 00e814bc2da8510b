package provenance

import (
	"bcmlp.local/chaincode/internal/identity"
	"bcmlp.local/chaincode/internal/validate"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// GetEvaluateTransactions marks the read-only transactions, so that the
// chaincode's metadata tells clients to evaluate rather than submit them.
func (c *Contract) GetEvaluateTransactions() []string {
	return []string{
		"GetArtifact", "GetLineage",
		"GetFeedback", "ListAwaitingFeedback", "GetPeriodClock", "GetTrustSnapshot",
		"GetModelCertificate", "IsModelCertified", "GetPipelineCertificate",
		"GetMembers", "GetProjectMember", "GetKeyEpoch", "GetKeyEpochs", "GetResultBatch",
	}
}

// GetArtifact returns artifact artifactID, or an error saying it does not exist.
func (c *Contract) GetArtifact(ctx contractapi.TransactionContextInterface, artifactID string) (*Artifact, error) {
	if err := validateID("artifactID", artifactID); err != nil {
		return nil, err
	}
	return readArtifact(ctx, artifactID)
}

// GetLineage returns artifact artifactID followed by all its ancestors,
// breadth-first: parents in the order they were recorded, then their parents,
// each ancestor once, at its first (nearest) appearance. The order depends only
// on the ledger, so every peer returns the same list.
func (c *Contract) GetLineage(ctx contractapi.TransactionContextInterface, artifactID string) ([]*Artifact, error) {
	if err := validateID("artifactID", artifactID); err != nil {
		return nil, err
	}
	root, err := readArtifact(ctx, artifactID)
	if err != nil {
		return nil, err
	}
	lineage := []*Artifact{root}
	seen := map[string]bool{root.ID: true}
	queue := append([]string(nil), root.Parents...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		ancestor, err := readArtifact(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("lineage of artifact %q: %w", artifactID, err)
		}
		lineage = append(lineage, ancestor)
		queue = append(queue, ancestor.Parents...)
	}
	return lineage, nil
}

// GetFeedback returns the ratings of artifact artifactID, ordered by rater
// client id; [] when there are none.
func (c *Contract) GetFeedback(ctx contractapi.TransactionContextInterface, artifactID string) ([]*FeedbackRecord, error) {
	if err := validateID("artifactID", artifactID); err != nil {
		return nil, err
	}
	if _, err := readArtifact(ctx, artifactID); err != nil {
		return nil, err
	}
	all := []*FeedbackRecord{}
	err := scan(ctx, fmt.Sprintf("the feedback on artifact %q", artifactID), feedbackObjectType, []string{artifactID},
		func(_ []string, value []byte) error {
			var f FeedbackRecord
			if err := json.Unmarshal(value, &f); err != nil {
				return fmt.Errorf("decoding feedback on artifact %q: %w", artifactID, err)
			}
			if f.Evidence == nil {
				f.Evidence = []FeedbackEvidence{}
			}
			all = append(all, &f)
			return nil
		})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Rater < all[j].Rater })
	return all, nil
}

// ListAwaitingFeedback returns the artifacts that request feedback, were not
// recorded by raterID and have not been rated by raterID, ordered by ID;
// [] when there are none. raterID is a client id
// ("x509::<subject>::<issuer>"); "" means the caller.
func (c *Contract) ListAwaitingFeedback(ctx contractapi.TransactionContextInterface, raterID string) ([]*Artifact, error) {
	if raterID == "" {
		id, err := identity.ID(ctx)
		if err != nil {
			return nil, err
		}
		raterID = id
	} else if err := validateClientID("raterID", raterID); err != nil {
		return nil, err
	}
	var candidates []string
	err := scan(ctx, "the feedback requests", feedbackRequestObjectType, nil, func(attributes []string, creator []byte) error {
		if len(attributes) == 1 && string(creator) != raterID {
			candidates = append(candidates, attributes[0])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(candidates)
	awaiting := []*Artifact{}
	for _, id := range candidates {
		what := fmt.Sprintf("the feedback of %s on artifact %q", raterID, id)
		key, err := compositeKey(ctx, what, feedbackObjectType, id, raterID)
		if err != nil {
			return nil, err
		}
		rated, err := readState(ctx, what, key)
		if err != nil {
			return nil, err
		}
		if rated != nil {
			continue
		}
		a, err := readArtifact(ctx, id)
		if err != nil {
			return nil, err
		}
		awaiting = append(awaiting, a)
	}
	return awaiting, nil
}

// GetPeriodClock returns this channel's project settings and period clock:
// the period ratings count in now, since when it is open, the period length
// and the project's organisations; Initialised is false (and the rest zero)
// until InitProject has run.
func (c *Contract) GetPeriodClock(ctx contractapi.TransactionContextInterface) (*PeriodClock, error) {
	clock, err := readClock(ctx)
	if err != nil {
		return nil, err
	}
	return &clock, nil
}

// GetTrustSnapshot returns the canonical trust snapshot of period (decimal
// digits), a closed period of this channel: from its first period (see
// GetPeriodClock) up to the one before the open period. Periods are numbered
// as the registry's, 1, 2, ... from genesis, and only ClosePeriod closes one,
// so a snapshot, once answered, never changes. The open period and later
// ones are refused, as are periods before the channel's first.
//
// The canonical form, which the registry contract on mainchain hashes
// (SHA-256 of exactly these bytes) to cross-check a submitted snapshot, is
// encoding/json's Marshal of TrustSnapshot:
//
//	{"channel":"<this channel's id>","period":<p>,"feedback":[{"rater":"<client id>","ratee":"<client id>","score":<int>},...]}
//
// with no whitespace, the fields in exactly this order, scores fixed-point
// integers (1.0 is 1000000), strings escaped as encoding/json does (including
// <, > and & as \u003c, \u003e and \u0026), "feedback" [] when empty, and
// the entries sorted by (ratee, rater, rated artifact ID), byte-wise. The
// rater is the rating member's client id, the ratee the rated record's
// creator's client id. The artifact ID orders entries but is not part of them.
func (c *Contract) GetTrustSnapshot(ctx contractapi.TransactionContextInterface, period string) (string, error) {
	p, err := parseWholeNumber("period", period, 1, "a closed period's number, e.g. 1")
	if err != nil {
		return "", err
	}
	clock, err := readInitialisedClock(ctx, "a trust snapshot")
	if err != nil {
		return "", err
	}
	switch {
	case p == clock.OpenPeriod:
		return "", fmt.Errorf("period %d is still open (since %s): snapshots are for closed periods only; it closes with ClosePeriod, no earlier than %d seconds after it opened", p, clock.OpenedAt, clock.PeriodSeconds)
	case p > clock.OpenPeriod:
		return "", fmt.Errorf("period %d has not begun (period %d is open): snapshots are for closed periods only", p, clock.OpenPeriod)
	case p < clock.FirstPeriod:
		return "", fmt.Errorf("period %d is before this channel's first period %d: the project was registered later, so it has no snapshot", p, clock.FirstPeriod)
	}
	snapshot, err := trustSnapshot(ctx, p)
	if err != nil {
		return "", err
	}
	return string(snapshot), nil
}

// snapshotRow is one indexed rating with the artifact ID that orders it.
type snapshotRow struct {
	entry      SnapshotFeedback
	artifactID string
}

// trustSnapshot builds the canonical snapshot bytes of period p.
func trustSnapshot(ctx contractapi.TransactionContextInterface, p int64) ([]byte, error) {
	var rows []snapshotRow
	periodText := strconv.FormatInt(p, 10)
	err := scan(ctx, "the feedback of period "+periodText, feedbackPeriodObjectType, []string{periodText},
		func(attributes []string, value []byte) error {
			if len(attributes) != 4 {
				return fmt.Errorf("decoding the feedback index of period %s: key has %d parts, not 4", periodText, len(attributes))
			}
			score, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil {
				return fmt.Errorf("decoding the feedback index of period %s: score %q: %w", periodText, value, err)
			}
			rows = append(rows, snapshotRow{
				entry:      SnapshotFeedback{Rater: attributes[2], Ratee: attributes[1], Score: score},
				artifactID: attributes[3],
			})
			return nil
		})
	if err != nil {
		return nil, err
	}
	// The index's key order already is this order; sorting again makes the
	// canonical form independent of how a peer orders range results.
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.entry.Ratee != b.entry.Ratee {
			return a.entry.Ratee < b.entry.Ratee
		}
		if a.entry.Rater != b.entry.Rater {
			return a.entry.Rater < b.entry.Rater
		}
		return a.artifactID < b.artifactID
	})
	snapshot := TrustSnapshot{Channel: ctx.GetStub().GetChannelID(), Period: p, Feedback: make([]SnapshotFeedback, len(rows))}
	for i, r := range rows {
		snapshot.Feedback[i] = r.entry
	}
	out, err := json.Marshal(snapshot)
	if err != nil {
		return nil, fmt.Errorf("encoding the trust snapshot of period %s: %w", periodText, err)
	}
	return out, nil
}

// GetModelCertificate returns model certificate certID as the JSON the
// ledger holds (see ModelCertificate; phase fields are free-form JSON, which
// contractapi's typed returns cannot carry).
func (c *Contract) GetModelCertificate(ctx contractapi.TransactionContextInterface, certID string) (string, error) {
	if err := validateID("certID", certID); err != nil {
		return "", err
	}
	cert, _, err := readModelCertificate(ctx, certID)
	if err != nil {
		return "", err
	}
	out, err := json.Marshal(cert)
	if err != nil {
		return "", fmt.Errorf("encoding model certificate %q: %w", certID, err)
	}
	return string(out), nil
}

// IsModelCertified reports whether model certificate certID is certified for
// exactly the model whose SHA-256 (lowercase hex) is modelSha256. It is false
// for a certificate not yet certified or certifying other bytes, and an error
// when the certificate does not exist, so that a caller cannot mistake a typo
// for a refusal.
func (c *Contract) IsModelCertified(ctx contractapi.TransactionContextInterface, certID string, modelSha256 string) (bool, error) {
	if err := validateID("certID", certID); err != nil {
		return false, err
	}
	if err := validate.SHA256("modelSha256", modelSha256); err != nil {
		return false, err
	}
	cert, _, err := readModelCertificate(ctx, certID)
	if err != nil {
		return false, err
	}
	return cert.Status == StatusCertified && cert.ModelSHA256 == modelSha256, nil
}

// GetPipelineCertificate returns pipeline certificate certID as the JSON the
// ledger holds (see PipelineCertificate), so that its configuration text
// reaches the caller byte for byte.
func (c *Contract) GetPipelineCertificate(ctx contractapi.TransactionContextInterface, certID string) (string, error) {
	if err := validateID("certID", certID); err != nil {
		return "", err
	}
	value, err := readPipelineCertificate(ctx, certID)
	if err != nil {
		return "", err
	}
	if value == nil {
		return "", fmt.Errorf("pipeline certificate %q does not exist: record it with RecordPipelineCertificate first", certID)
	}
	if err := decodePipelineCertificate(certID, value); err != nil {
		return "", err
	}
	return string(value), nil
}

// readArtifact loads artifact id from state.
func readArtifact(ctx contractapi.TransactionContextInterface, id string) (*Artifact, error) {
	key, err := artifactKey(ctx, id)
	if err != nil {
		return nil, err
	}
	record, err := readState(ctx, fmt.Sprintf("artifact %q", id), key)
	if err != nil {
		return nil, err
	}
	if record == nil {
		return nil, fmt.Errorf("artifact %q does not exist: record it with RecordArtifact first", id)
	}
	var artifact Artifact
	if err := json.Unmarshal(record, &artifact); err != nil {
		return nil, fmt.Errorf("decoding artifact %q: %w", id, err)
	}
	// Records written before a list field existed read back as [] rather than
	// null, which contractapi's return schema would refuse.
	if artifact.Parents == nil {
		artifact.Parents = []string{}
	}
	if artifact.PinnedOn == nil {
		artifact.PinnedOn = []string{}
	}
	return &artifact, nil
}

// scan calls visit with the attributes and value of every record under
// objectType whose key starts with prefix, in key order; what names the
// records for errors.
func scan(ctx contractapi.TransactionContextInterface, what, objectType string, prefix []string, visit func(attributes []string, value []byte) error) error {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(objectType, prefix)
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	defer it.Close()
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		_, attributes, err := ctx.GetStub().SplitCompositeKey(kv.GetKey())
		if err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		if err := visit(attributes, kv.GetValue()); err != nil {
			return err
		}
	}
	return nil
}

// validateClientID checks a client id given as field.
func validateClientID(field, value string) error {
	if len(value) > 4096 || !utf8.ValidString(value) {
		return fmt.Errorf("%s is not a client id: give the id as the gateway reports it, \"x509::<subject DN>::<issuer DN>\", or \"\" for yourself", field)
	}
	for _, r := range value {
		if r == 0 || r == utf8.MaxRune {
			return fmt.Errorf("%s is not a client id: give the id as the gateway reports it, \"x509::<subject DN>::<issuer DN>\", or \"\" for yourself", field)
		}
	}
	return nil
}

// GetMembers returns the channel's member list, removed members included
// (marked removed), ordered by member id; [] before InitProject.
func (c *Contract) GetMembers(ctx contractapi.TransactionContextInterface) ([]*ProjectMember, error) {
	members := []*ProjectMember{}
	err := scan(ctx, "the member list", memberObjectType, nil, func(attributes []string, value []byte) error {
		if len(attributes) != 1 {
			return fmt.Errorf("decoding the member list: key has %d parts, not 1", len(attributes))
		}
		m, err := decodeProjectMember(attributes[0], value)
		if err != nil {
			return err
		}
		members = append(members, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].MemberID < members[j].MemberID })
	return members, nil
}

// GetProjectMember returns member memberID's entry of the member list, with
// its additions and removals.
func (c *Contract) GetProjectMember(ctx contractapi.TransactionContextInterface, memberID string) (*ProjectMember, error) {
	if err := validateID("memberID", memberID); err != nil {
		return nil, err
	}
	return readProjectMember(ctx, memberID)
}

// GetKeyEpoch returns key epoch epoch (decimal digits) with every member's
// copy, or an error saying it is not recorded.
func (c *Contract) GetKeyEpoch(ctx contractapi.TransactionContextInterface, epoch string) (*KeyEpoch, error) {
	n, err := parseWholeNumber("epoch", epoch, 1, "a key epoch's number, e.g. 1")
	if err != nil {
		return nil, err
	}
	e, err := readKeyEpoch(ctx, n)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, fmt.Errorf("key epoch %d is not recorded on project channel %s: GetKeyEpochs lists those that are", n, ctx.GetStub().GetChannelID())
	}
	return e, nil
}

// GetKeyEpochs returns every recorded epoch, oldest first, with the members
// it is wrapped for but not the copies; [] before the first.
func (c *Contract) GetKeyEpochs(ctx contractapi.TransactionContextInterface) ([]*KeyEpochSummary, error) {
	epochs := []*KeyEpochSummary{}
	err := scan(ctx, "the key epochs", keyEpochObjectType, nil, func(_ []string, value []byte) error {
		e, err := decodeKeyEpoch(value)
		if err != nil {
			return err
		}
		s := &KeyEpochSummary{Epoch: e.Epoch, Members: make([]string, 0, len(e.Wrapped)), CreatorMember: e.CreatorMember, TxID: e.TxID, Timestamp: e.Timestamp}
		for _, w := range e.Wrapped {
			s.Members = append(s.Members, w.MemberID)
		}
		sort.Strings(s.Members)
		epochs = append(epochs, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(epochs, func(i, j int) bool { return epochs[i].Epoch < epochs[j].Epoch })
	return epochs, nil
}
