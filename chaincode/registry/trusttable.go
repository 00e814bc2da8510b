package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/trust"
)

// The cross-channel query SubmitTrustSnapshot makes. Its contract, which the
// provenance chaincode on every project channel implements (see
// provenance's GetTrustSnapshot):
//
//	InvokeChaincode("provenance",
//	    [][]byte{[]byte("provenance:GetTrustSnapshot"), []byte(period)},
//	    projectChannel)
//
// period is the aggregation period in canonical decimal (no sign, no leading
// zeros). The answer has status 200 and as payload the channel's trust
// snapshot of that period, a TrustSnapshot:
//
//	{"channel":"<channel>","period":<p>,"feedback":[{"rater":"<id>","ratee":"<id>","score":<int>},...]}
//
// rater and ratee being the members' client ids ("x509::<subject>::<issuer>",
// as provenance records them) or registry member ids, and score a fixed-point
// integer in [-1000000, 1000000]; "feedback" is [] for a period without
// feedback. provenance writes it canonically: encoding/json's compact output,
// fields in this order, entries in its own fixed order. The registry compares
// the SHA-256 of the canonical form (canonicalSnapshot: the same encoding of
// the decoded snapshot, entries in the order given) of the submitted snapshot
// and of the answer, so spacing may differ but content and order may not.
//
// Fabric runs such a query on the endorsing peer, which must have joined the
// project channel; the result is read-only and not re-validated at commit, so
// the endorsement policy of mainchain (a majority of organisations) is what
// makes one lying peer insufficient.
const (
	provenanceChaincode   = "provenance"
	trustSnapshotFunction = "provenance:GetTrustSnapshot"
)

// TrustSnapshot is a project channel's aggregated feedback of one period, in
// the form provenance:GetTrustSnapshot returns it.
type TrustSnapshot struct {
	Channel  string           `json:"channel"`
	Period   int64            `json:"period"`
	Feedback []trust.Feedback `json:"feedback"`
}

// maxSnapshotEntries bounds the feedback of one snapshot, which bounds the
// work of one transaction.
const maxSnapshotEntries = 10_000

// maxPeriodGap bounds how many periods one snapshot may move the clock on, so
// that the decay loop stays bounded.
const maxPeriodGap = 3660

// maxClientIDLength bounds the client ids a snapshot names.
const maxClientIDLength = 1024

var periodPattern = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

// parsePeriod reads a period number in canonical decimal.
func parsePeriod(value string) (int64, error) {
	if !periodPattern.MatchString(value) {
		return 0, fmt.Errorf("period %q is not a period number: give a whole number from 1 in decimal digits without leading zeros, e.g. 20148 (the Unix day of 2025-03-01)", value)
	}
	n, _ := strconv.ParseInt(value, 10, 64) // 18 digits always fit
	return n, nil
}

// snapshotJSON and entryJSON are a snapshot as written; pointers and raw
// numbers tell missing fields from zero values, and numbers from strings.
type snapshotJSON struct {
	Channel  *string         `json:"channel"`
	Period   json.RawMessage `json:"period"`
	Feedback []entryJSON     `json:"feedback"`
}

type entryJSON struct {
	Rater *string         `json:"rater"`
	Ratee *string         `json:"ratee"`
	Score json.RawMessage `json:"score"`
}

// parseSnapshot reads a TrustSnapshot, checking its form; field names it in errors.
func parseSnapshot(field string, raw []byte) (*TrustSnapshot, error) {
	var in snapshotJSON
	if err := decodeStrict(string(raw), &in); err != nil || in.Channel == nil || in.Period == nil || in.Feedback == nil {
		why := "channel, period or feedback is missing"
		if err != nil {
			why = err.Error()
		}
		return nil, fmt.Errorf(`%s is not a trust snapshot (%s): give what provenance:GetTrustSnapshot returned, {"channel":"<channel>","period":<p>,"feedback":[{"rater":"<id>","ratee":"<id>","score":<int>},...]}`, field, why)
	}
	if !integerPattern.Match(in.Period) {
		return nil, fmt.Errorf("%s.period %s is not a whole number", field, in.Period)
	}
	period, _ := strconv.ParseInt(string(in.Period), 10, 64) // at most 18 digits
	if len(in.Feedback) > maxSnapshotEntries {
		return nil, fmt.Errorf("%s holds %d feedback entries: give at most %d per snapshot", field, len(in.Feedback), maxSnapshotEntries)
	}
	out := &TrustSnapshot{Channel: *in.Channel, Period: period, Feedback: make([]trust.Feedback, len(in.Feedback))}
	for i, e := range in.Feedback {
		at := fmt.Sprintf("%s.feedback[%d]", field, i)
		if e.Rater == nil || e.Ratee == nil || e.Score == nil {
			return nil, fmt.Errorf("%s lacks one of rater, ratee and score: give all three", at)
		}
		for _, name := range []struct{ field, value string }{{"rater", *e.Rater}, {"ratee", *e.Ratee}} {
			if err := validateText(at+"."+name.field, name.value, maxClientIDLength); err != nil {
				return nil, fmt.Errorf("%w: give the member's client id or member id", err)
			}
		}
		if !integerPattern.Match(e.Score) {
			return nil, fmt.Errorf("%s.score %s is not a whole number: scores are fixed-point, %d = 1.0", at, e.Score, trust.Scale)
		}
		score, _ := strconv.ParseInt(string(e.Score), 10, 64) // at most 18 digits
		out.Feedback[i] = trust.Feedback{Rater: *e.Rater, Ratee: *e.Ratee, Score: score}
	}
	return out, nil
}

// canonicalSnapshot is the form whose SHA-256 identifies a snapshot:
// encoding/json's compact encoding of TrustSnapshot, entries in the order
// given. For provenance's answer, which is already canonical, these are its
// very bytes.
func canonicalSnapshot(s *TrustSnapshot) []byte {
	raw, _ := json.Marshal(s) // strings and integers always encode
	return raw
}

// snapshotHash is the hex SHA-256 of the canonical snapshot.
func snapshotHash(s *TrustSnapshot) string {
	sum := sha256.Sum256(canonicalSnapshot(s))
	return hex.EncodeToString(sum[:])
}

// resolveFeedback maps the raters and ratees of a snapshot, client ids or
// member ids, onto members of the trust table, refusing what the trust rule
// would refuse, in the order trust.Table.Period checks it: unknown rater,
// unknown ratee, self-rating, score out of range.
func resolveFeedback(t *table, feedback []trust.Feedback) ([]trust.Feedback, error) {
	byIdentity := map[string][]string{}
	for _, id := range t.ids {
		if m, ok := t.members[id]; ok {
			byIdentity[m.Identity] = append(byIdentity[m.Identity], id)
		}
	}
	resolve := func(at, role, name string) (string, error) {
		var id string
		if strings.HasPrefix(name, "x509::") {
			switch ids := byIdentity[name]; len(ids) {
			case 0:
			case 1:
				id = ids[0]
			default:
				return "", fmt.Errorf("%s: %s %q is the client id of members %s of different organisations: the snapshot cannot say which one it means", at, role, name, strings.Join(ids, " and "))
			}
		} else if _, ok := t.records[name]; ok && t.members[name] != nil {
			id = name
		}
		if id == "" {
			return "", fmt.Errorf("%s: %s %q is not a member of the trust table: only members that were ever active rate and are rated", at, role, name)
		}
		return id, nil
	}
	out := make([]trust.Feedback, len(feedback))
	for i, f := range feedback {
		at := fmt.Sprintf("snapshotJSON.feedback[%d]", i)
		rater, err := resolve(at, "rater", f.Rater)
		if err != nil {
			return nil, err
		}
		ratee, err := resolve(at, "ratee", f.Ratee)
		if err != nil {
			return nil, err
		}
		if rater == ratee {
			return nil, fmt.Errorf("%s: %w (%s)", at, trust.ErrSelfRating, rater)
		}
		if f.Score < -trust.Scale || f.Score > trust.Scale {
			return nil, fmt.Errorf("%s: score %d is outside [%d, %d] (fixed-point, %d = 1.0)", at, f.Score, -trust.Scale, trust.Scale, trust.Scale)
		}
		out[i] = trust.Feedback{Rater: rater, Ratee: ratee, Score: f.Score}
	}
	return out, nil
}

// SubmitTrustSnapshot applies project channel projectChannel's trust snapshot
// for period (a whole number from 1): snapshotJSON, the TrustSnapshot the
// channel's provenance:GetTrustSnapshot returned for that period. The caller
// must be a member that may write; the snapshot must name this channel and
// period, equal the channel's own record (see provenanceChaincode), not have
// been applied before, and not be older than the latest applied period; every
// entry is checked before anything is written.
//
// The semantics are trust.Table.Period's, persisted per member: when the
// snapshot opens a new period, all evidence decays once per period elapsed
// since the latest (once for the very first period), and each member's trust
// just before the new period's decay becomes its weight for that period;
// then each feedback adds to its ratee's evidence, weighed by its rater's
// weight. Every snapshot of the same period, from any channel, uses the same
// weights, so the order in which channels submit does not matter.
func (c *Contract) SubmitTrustSnapshot(ctx contractapi.TransactionContextInterface, projectChannel string, period string, snapshotJSON string) error {
	if err := validateChannel("projectChannel", projectChannel); err != nil {
		return err
	}
	p, err := parsePeriod(period)
	if err != nil {
		return err
	}
	snapshot, err := parseSnapshot("snapshotJSON", []byte(snapshotJSON))
	if err != nil {
		return err
	}
	if snapshot.Channel != projectChannel {
		return fmt.Errorf("snapshotJSON.channel %q is not projectChannel %q: submit the snapshot of the channel you name", snapshot.Channel, projectChannel)
	}
	if snapshot.Period != p {
		return fmt.Errorf("snapshotJSON.period %d is not period %d: submit the snapshot of the period you name", snapshot.Period, p)
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	rule := params.Params.Trust
	submitter, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return err
	}
	clock, err := readTrustClock(ctx)
	if err != nil {
		return err
	}
	canonicalPeriod := strconv.FormatInt(p, 10)
	var earlier AppliedSnapshot
	what := fmt.Sprintf("the trust snapshot of channel %q for period %d", projectChannel, p)
	if found, err := getRecord(ctx, what, &earlier, snapshotObjectType, projectChannel, canonicalPeriod); err != nil {
		return err
	} else if found {
		return fmt.Errorf("%s was already applied in transaction %s: each snapshot is applied once", what, earlier.TxID)
	}
	if p < clock.LatestPeriod {
		return fmt.Errorf("period %d is before period %d, the latest applied: snapshots are applied in period order, so %s comes too late", p, clock.LatestPeriod, what)
	}
	if clock.LatestPeriod > 0 && p-clock.LatestPeriod > maxPeriodGap {
		return fmt.Errorf("period %d is %d periods after the latest applied, %d: at most %d periods may pass between snapshots; check the period number", p, p-clock.LatestPeriod, clock.LatestPeriod, maxPeriodGap)
	}
	tab, err := loadTable(ctx)
	if err != nil {
		return err
	}
	feedback, err := resolveFeedback(tab, snapshot.Feedback)
	if err != nil {
		return err
	}
	hash := snapshotHash(snapshot)
	if err := crossCheck(ctx, projectChannel, canonicalPeriod, hash); err != nil {
		return err
	}

	changed := map[string]bool{}
	if p > clock.LatestPeriod {
		steps := p - clock.LatestPeriod
		if clock.LatestPeriod == 0 {
			steps = 1
		}
		for _, id := range tab.ids {
			r := tab.records[id]
			// Periods without feedback only decay; stop once decay changes
			// nothing, since it never will again.
			for i := int64(1); i < steps; i++ {
				before := r.Evidence
				r.Evidence.Decay(rule)
				if r.Evidence == before {
					break
				}
			}
			r.Weight = r.Evidence.Trust(rule)
			r.Evidence.Decay(rule)
			changed[id] = true
		}
	}
	for i, f := range feedback {
		sameOrg := tab.members[f.Rater].Organisation == tab.members[f.Ratee].Organisation
		if err := tab.records[f.Ratee].Evidence.AddFeedback(f.Rater, f.Ratee, f.Score, tab.records[f.Rater].Weight, sameOrg, rule); err != nil {
			return fmt.Errorf("snapshotJSON[%d]: %w", i, err) // checked above; kept so a broken record cannot pass silently
		}
		changed[f.Ratee] = true
	}

	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	for _, id := range tab.ids {
		if changed[id] {
			if err := writeTrustRecord(ctx, tab.records[id]); err != nil {
				return err
			}
		}
	}
	if p > clock.LatestPeriod {
		if _, err := putRecord(ctx, "the trust clock", TrustClock{LatestPeriod: p, UpdatedAt: now}, trustClockObjectType); err != nil {
			return err
		}
	}
	applied := AppliedSnapshot{
		ProjectChannel: projectChannel, Period: p, SHA256: hash, Feedback: int64(len(feedback)),
		Submitter: submitter.ID, TxID: ctx.GetStub().GetTxID(), AppliedAt: now,
	}
	raw, err := putRecord(ctx, what, applied, snapshotObjectType, projectChannel, canonicalPeriod)
	if err != nil {
		return err
	}
	return emit(ctx, EventTrustSnapshotApplied, raw, what)
}

// crossCheck asks the project channel's provenance chaincode for its record of
// the period and refuses a submitted snapshot whose hash differs from it.
func crossCheck(ctx contractapi.TransactionContextInterface, channel, period, hash string) error {
	resp := ctx.GetStub().InvokeChaincode(provenanceChaincode, [][]byte{[]byte(trustSnapshotFunction), []byte(period)}, channel)
	if resp == nil || resp.Status != shim.OK {
		status, message := int32(0), "no response"
		if resp != nil {
			status, message = resp.Status, resp.Message
		}
		return fmt.Errorf("channel %q could not be asked for its trust snapshot of period %s (status %d: %s): this peer must have joined the channel, and provenance there must offer GetTrustSnapshot", channel, period, status, message)
	}
	theirs, err := parseSnapshot("the answer", resp.Payload)
	if err != nil {
		return fmt.Errorf("channel %q's %s returned no trust snapshot: %w", channel, trustSnapshotFunction, err)
	}
	if want := snapshotHash(theirs); want != hash {
		return fmt.Errorf("snapshot differs from channel %q's record for period %s: the submitted snapshot's sha256 is %s, the channel's is %s; submit exactly what %s returns", channel, period, hash, want, trustSnapshotFunction)
	}
	return nil
}
