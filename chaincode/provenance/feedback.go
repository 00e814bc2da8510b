package provenance

import (
	"bcmlp.local/chaincode/internal/validate"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// defaultPeriodSeconds is a trust aggregation period unless the project
// configures another: a day, as the paper's daily aggregation asks.
const defaultPeriodSeconds int64 = 86400

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
// Any project member may rate a record once, except its creator (client ids
// are compared). The rating counts in the trust period of this transaction's
// timestamp (see GetPeriodLength); a FeedbackGiven event announces it.
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

	artifact, err := readArtifact(ctx, artifactID)
	if err != nil {
		return err
	}
	if !artifact.RequestFeedback {
		return fmt.Errorf("artifact %q does not request feedback: only records recorded with requestFeedback \"true\" can be rated", artifactID)
	}
	st, err := newStamp(ctx)
	if err != nil {
		return err
	}
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
		var earlier Feedback
		_ = json.Unmarshal(existing, &earlier)
		return fmt.Errorf("you already rated artifact %q (transaction %s): each member rates a record once", artifactID, earlier.TxID)
	}
	length, err := readPeriodLength(ctx)
	if err != nil {
		return err
	}

	feedback := Feedback{
		ArtifactID:   artifactID,
		ArtifactTxID: artifact.TxID,
		Rater:        st.ID,
		RaterMSP:     st.MSPID,
		Ratee:        artifact.Creator,
		Score:        points,
		Comment:      comment,
		Evidence:     cited,
		Period:       periodOf(st.Seconds, length.Seconds),
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

// SetPeriodLength sets the length of this channel's trust aggregation
// periods to seconds (decimal digits, 1 to 31622400). Any member may set it,
// once, and only before the first feedback, so that every rating on the
// channel is counted in periods of one length. Until then a period is a day:
// period = timestamp seconds / 86400, the Unix day number.
func (c *Contract) SetPeriodLength(ctx contractapi.TransactionContextInterface, seconds string) error {
	n, err := parseWholeNumber("seconds", seconds, 1, "the period length in seconds")
	if err != nil {
		return err
	}
	if n > maxPeriodSeconds {
		return fmt.Errorf("seconds %q is longer than a year: give at most %d", seconds, maxPeriodSeconds)
	}
	current, err := readPeriodLength(ctx)
	if err != nil {
		return err
	}
	if current.Configured {
		return fmt.Errorf("the period length is already set to %d seconds (transaction %s): it can be set only once per project channel", current.Seconds, current.TxID)
	}
	rated, err := anyFeedback(ctx)
	if err != nil {
		return err
	}
	if rated {
		return fmt.Errorf("feedback has already been given on this channel: the period length can only be set before the first feedback, so that all periods have one length")
	}
	st, err := newStamp(ctx)
	if err != nil {
		return err
	}
	key, err := periodLengthKey(ctx)
	if err != nil {
		return err
	}
	record, err := writeRecord(ctx, "the period length", key, PeriodLength{
		Seconds:    n,
		Configured: true,
		SetBy:      st.ID,
		SetByMSP:   st.MSPID,
		TxID:       st.TxID,
		Timestamp:  st.Timestamp,
	})
	if err != nil {
		return err
	}
	return emit(ctx, EventPeriodLengthSet, "the period length", record)
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

// periodOf is the period holding Unix time seconds for periods of length
// seconds, rounding down also before 1970.
func periodOf(seconds, length int64) int64 {
	p := seconds / length
	if seconds%length < 0 {
		p--
	}
	return p
}

// periodLengthKey is the state key of the configured period length.
func periodLengthKey(ctx contractapi.TransactionContextInterface) (string, error) {
	return compositeKey(ctx, "the period length", configObjectType, periodLengthConfigName)
}

// readPeriodLength returns the configured period length, or the default.
func readPeriodLength(ctx contractapi.TransactionContextInterface) (PeriodLength, error) {
	key, err := periodLengthKey(ctx)
	if err != nil {
		return PeriodLength{}, err
	}
	value, err := readState(ctx, "the period length", key)
	if err != nil {
		return PeriodLength{}, err
	}
	if value == nil {
		return PeriodLength{Seconds: defaultPeriodSeconds}, nil
	}
	var length PeriodLength
	if err := json.Unmarshal(value, &length); err != nil {
		return PeriodLength{}, fmt.Errorf("decoding the period length: %w", err)
	}
	if length.Seconds < 1 {
		return PeriodLength{}, fmt.Errorf("decoding the period length: %d seconds is not a length", length.Seconds)
	}
	return length, nil
}

// anyFeedback reports whether any feedback has been given on this channel.
func anyFeedback(ctx contractapi.TransactionContextInterface) (bool, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(feedbackObjectType, nil)
	if err != nil {
		return false, fmt.Errorf("looking for feedback: %w", err)
	}
	defer it.Close()
	return it.HasNext(), nil
}
