package provenance

import (
	"bcmlp.local/chaincode/internal/validate"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// maxPeriodSeconds bounds a configured period at a (leap) year.
const maxPeriodSeconds int64 = 366 * 86400

// maxComment bounds a rating's comment, in bytes.
const maxComment = 2048

// maxEvidence bounds the evidence one rating may cite.
const maxEvidence = 16

// RateRecord gives feedback on artifact artifactID, which must have been
// recorded with requestFeedback true (the paper's attached transaction).
// Arguments, all strings:
//
//   - artifactID: the rated record
//   - score: a decimal in [-1, 1] with at most 6 decimals, e.g. "0.75" or
//     "-1"; stored fixed-point, 1.0 as 1000000
//   - comment: free text, "" for none, at most 2048 bytes
//   - evidence: a JSON array of the content the rating rests on,
//     [{"cid":"b...","sha256":"<64 hex>"}], "[]" for none
//
// Any channel member in good standing but a viewer may rate a record once,
// except its creator (client ids are compared). The rating counts in the trust period open on the channel
// when it commits, read from the ledger (see GetPeriodClock), never from the
// transaction's timestamp: a ClosePeriod ordered before it in the ledger
// invalidates it (the clock it read has changed), so no rating lands in a
// closed period. A rating whose transaction is dated before the open period
// opened (a backdated one: the client sets the timestamp) is refused, so that
// no record claims a time in a period it does not count in. The channel must
// be initialised (InitProject). A FeedbackGiven event announces it.
func (c *Contract) RateRecord(ctx contractapi.TransactionContextInterface, artifactID string, score string, comment string, evidence string) error {
	if err := validateID("artifactID", artifactID); err != nil {
		return err
	}
	points, err := parseScore(score)
	if err != nil {
		return err
	}
	if comment != "" {
		if err := validateText("comment", comment, maxComment, "a comment"); err != nil {
			return err
		}
	}
	cited, err := parseEvidence(evidence)
	if err != nil {
		return err
	}

	who, clock, err := requireWriter(ctx, "rating a record")
	if err != nil {
		return err
	}
	if err := refuseBackdated(who.stamp.Timestamp, clock); err != nil {
		return err
	}
	artifact, err := readArtifact(ctx, artifactID)
	if err != nil {
		return err
	}
	if !artifact.RequestFeedback {
		return fmt.Errorf("artifact %q does not request feedback: only records recorded with requestFeedback \"true\" can be rated", artifactID)
	}
	st := who.stamp
	if st.ID == artifact.Creator {
		return fmt.Errorf("the creator cannot rate its own record: artifact %q was recorded by you (%s); ask another member to rate it", artifactID, st.ID)
	}
	what := fmt.Sprintf("the feedback of %s on artifact %q", st.ID, artifactID)
	key, err := compositeKey(ctx, what, feedbackObjectType, artifactID, st.ID)
	if err != nil {
		return err
	}
	existing, err := readState(ctx, what, key)
	if err != nil {
		return err
	}
	if existing != nil {
		var earlier FeedbackRecord
		_ = json.Unmarshal(existing, &earlier)
		return fmt.Errorf("you already rated artifact %q (transaction %s): each member rates a record once", artifactID, earlier.TxID)
	}

	feedback := FeedbackRecord{
		ArtifactID:   artifactID,
		ArtifactTxID: artifact.TxID,
		Rater:        st.ID,
		RaterMSP:     st.MSPID,
		Ratee:        artifact.Creator,
		Score:        points,
		Comment:      comment,
		Evidence:     cited,
		Period:       clock.OpenPeriod,
		TxID:         st.TxID,
		Timestamp:    st.Timestamp,
	}
	record, err := writeRecord(ctx, what, key, feedback)
	if err != nil {
		return err
	}
	indexKey, err := compositeKey(ctx, "the period index of "+what, feedbackPeriodObjectType,
		strconv.FormatInt(feedback.Period, 10), feedback.Ratee, feedback.Rater, artifactID)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(indexKey, []byte(strconv.FormatInt(points, 10))); err != nil {
		return fmt.Errorf("writing the period index of %s: %w", what, err)
	}
	return emit(ctx, EventFeedbackGiven, what, record)
}

// refuseBackdated refuses a rating dated (by its transaction's timestamp)
// before the channel's open period opened.
func refuseBackdated(dated string, clock PeriodClock) error {
	at, err := time.Parse(time.RFC3339Nano, dated)
	if err != nil {
		return fmt.Errorf("reading the transaction's timestamp %q: %w", dated, err)
	}
	opened, err := time.Parse(time.RFC3339Nano, clock.OpenedAt)
	if err != nil {
		return fmt.Errorf("decoding the period clock: openedAt %q: %w", clock.OpenedAt, err)
	}
	if at.Before(opened) {
		return fmt.Errorf("the rating is dated %s, before period %d opened at %s: a rating counts in the period open when it commits and cannot be backdated into a closed one; send it again, dated now", dated, clock.OpenPeriod, clock.OpenedAt)
	}
	return nil
}

// parseScore reads a feedback score: a decimal in [-1, 1].
func parseScore(value string) (int64, error) {
	points, err := parseFixed("score", value)
	if err != nil {
		return 0, err
	}
	if points < -fixedScale || points > fixedScale {
		return 0, fmt.Errorf("score %q is outside [-1, 1]: give a decimal from -1 (very bad) to 1 (very good)", value)
	}
	return points, nil
}

// parseEvidence reads the evidence argument.
func parseEvidence(value string) ([]FeedbackEvidence, error) {
	var cited []FeedbackEvidence
	if err := decodeStrict("evidence", value, `[] or [{"cid":"bafkrei...","sha256":"<64 hex>"}]`, &cited); err != nil {
		return nil, err
	}
	if cited == nil {
		return nil, fmt.Errorf("evidence is not valid: null is not a list: give [] for none")
	}
	if len(cited) > maxEvidence {
		return nil, fmt.Errorf("evidence lists %d items: give at most %d", len(cited), maxEvidence)
	}
	for i, e := range cited {
		if err := validate.CID("cid", e.CID); err != nil {
			return nil, fmt.Errorf("evidence[%d]: %w", i, err)
		}
		if err := validate.SHA256(fmt.Sprintf("evidence[%d].sha256", i), e.SHA256); err != nil {
			return nil, err
		}
	}
	return cited, nil
}
