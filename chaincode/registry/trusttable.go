package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

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
// project channel; the result is read-only and not re-validated at commit.
// What makes one lying peer insufficient is the key-level endorsement policy
// of the project's snapshot record, the one record SubmitTrustSnapshot
// writes: a peer of every one of the project's organisations must endorse
// the submission, and each of those has joined the channel (endorseBy).
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

// maxClientIDLength bounds the client ids a snapshot names.
const maxClientIDLength = 1024

var periodPattern = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

// parsePeriod reads a period number in canonical decimal.
func parsePeriod(value string) (int64, error) {
	if !periodPattern.MatchString(value) {
		return 0, fmt.Errorf("period %q is not a period number: give a whole number from 1 in decimal digits without leading zeros, e.g. 12 (periods count from 1 at genesis; GetTrustClock tells the open one)", value)
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

// resolver maps the raters and ratees of snapshots, client ids or member
// ids, onto members of the trust table.
type resolver struct {
	t          *table
	byIdentity map[string][]string
}

func newResolver(t *table) *resolver {
	r := &resolver{t: t, byIdentity: map[string][]string{}}
	for _, id := range t.ids {
		if m, ok := t.members[id]; ok {
			r.byIdentity[m.Identity] = append(r.byIdentity[m.Identity], id)
		}
	}
	return r
}

// member returns the member id name stands for as role ("rater" or
// "ratee"), or why it stands for none that may rate or be rated.
func (r *resolver) member(role, name string) (string, string) {
	var id string
	if strings.HasPrefix(name, "x509::") {
		switch ids := r.byIdentity[name]; len(ids) {
		case 0:
		case 1:
			id = ids[0]
		default:
			return "", fmt.Sprintf("%s %q is the client id of members %s of different organisations: the snapshot cannot say which one it means", role, name, strings.Join(ids, " and "))
		}
	} else if _, ok := r.t.records[name]; ok && r.t.members[name] != nil {
		id = name
	}
	if id == "" {
		return "", fmt.Sprintf("%s %q is not a member of the trust table: only members that were ever active rate and are rated", role, name)
	}
	if status := r.t.members[id].Status; status == StatusSuspended || status == StatusRevoked {
		return "", fmt.Sprintf("%s %q is %s: ratings by and of suspended and revoked members do not count", role, id, status)
	}
	return id, ""
}

// entry resolves one feedback entry, or says why it is rejected: unknown,
// suspended or revoked rater or ratee, or a self-rating. Scores were checked
// when the snapshot was submitted.
func (r *resolver) entry(f trust.Feedback) (trust.Feedback, string) {
	rater, why := r.member("rater", f.Rater)
	if why != "" {
		return trust.Feedback{}, why
	}
	ratee, why := r.member("ratee", f.Ratee)
	if why != "" {
		return trust.Feedback{}, why
	}
	if rater == ratee {
		return trust.Feedback{}, fmt.Sprintf("%v (%s)", trust.ErrSelfRating, rater)
	}
	return trust.Feedback{Rater: rater, Ratee: ratee, Score: f.Score}, ""
}

// maxWaitingSnapshots bounds the snapshots of one project that wait for
// ApplyPeriod, which bounds the project's snapshot record.
const maxWaitingSnapshots = 4

// ClosePeriod closes the open trust period and opens the next, no earlier
// than periodSeconds after the open one opened (both timestamps being those
// of ledger transactions). Only closed periods have snapshots, so a period
// ends by the order of transactions on the ledger, never by a clock a client
// reads. The caller is an admin or a committee member. At most two closed
// periods wait for ApplyPeriod: the older of them must be applied before a
// third closes.
func (c *Contract) ClosePeriod(ctx contractapi.TransactionContextInterface) error {
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	m, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return err
	}
	if m.Role != RoleAdmin {
		if _, _, err := requireCommittee(ctx, params.Params, "closing a period needs an admin or the committee"); err != nil {
			return err
		}
	}
	clock, err := readTrustClock(ctx)
	if err != nil {
		return err
	}
	if waiting := clock.OpenPeriod - 1 - clock.LatestPeriod; waiting >= 2 {
		return fmt.Errorf("periods %d to %d are closed but not applied: apply period %d with ApplyPeriod before closing period %d", clock.LatestPeriod+1, clock.OpenPeriod-1, clock.LatestPeriod+1, clock.OpenPeriod)
	}
	now, at, err := txTimes(ctx)
	if err != nil {
		return err
	}
	opened, err := time.Parse(time.RFC3339Nano, clock.OpenedAt)
	if err != nil {
		return fmt.Errorf("decoding the trust clock: openedAt %q: %w", clock.OpenedAt, err)
	}
	if closes := opened.Add(time.Duration(params.Params.PeriodSeconds) * time.Second); at.Before(closes) {
		return fmt.Errorf("period %d opened at %s and closes no earlier than %s (periodSeconds %d): close it then", clock.OpenPeriod, clock.OpenedAt, closes.UTC().Format(time.RFC3339Nano), params.Params.PeriodSeconds)
	}
	next := TrustClock{LatestPeriod: clock.LatestPeriod, UpdatedAt: clock.UpdatedAt, OpenPeriod: clock.OpenPeriod + 1, OpenedAt: now}
	raw, err := putRecord(ctx, "the trust clock", next, trustClockObjectType)
	if err != nil {
		return err
	}
	return emit(ctx, EventPeriodClosed, raw, fmt.Sprintf("period %d", clock.OpenPeriod))
}

// SnapshotReceipt is the payload of TrustSnapshotSubmitted: a submitted
// snapshot without its feedback.
type SnapshotReceipt struct {
	Channel     string `json:"channel"`
	Period      int64  `json:"period"`
	SHA256      string `json:"sha256"`
	Feedback    int64  `json:"feedback"`
	Submitter   string `json:"submitter"`
	TxID        string `json:"txId"`
	SubmittedAt string `json:"submittedAt"`
}

// SubmitTrustSnapshot submits registered project channel projectChannel's
// trust snapshot for period: snapshotJSON, the TrustSnapshot the channel's
// provenance:GetTrustSnapshot returned for that closed period. The caller is
// a member of one of the project's organisations that may write. The
// snapshot must name this channel and period, equal the channel's own record
// (see provenanceChaincode), and not have been submitted or applied before;
// the period must be closed (ClosePeriod) and not before the project was
// registered. It waits in the project's snapshot record, the only record this
// transaction writes, until ApplyPeriod applies it.
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
	for i, f := range snapshot.Feedback {
		if f.Score < -trust.Scale || f.Score > trust.Scale {
			return fmt.Errorf("snapshotJSON.feedback[%d].score %d is outside [%d, %d] (fixed-point, %d = 1.0)", i, f.Score, -trust.Scale, trust.Scale, trust.Scale)
		}
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	submitter, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return err
	}
	if err := requireNotViewer(submitter, "submitting a trust snapshot"); err != nil {
		return err
	}
	project, err := readRegisteredProject(ctx, projectChannel)
	if err != nil {
		return err
	}
	if !contains(project.Organisations, submitter.Organisation) {
		return fmt.Errorf("member %q of %s is not of project %q's organisations (%s): a member of one of them submits its snapshots", submitter.ID, submitter.Organisation, projectChannel, joinQuoted(project.Organisations))
	}
	clock, err := readTrustClock(ctx)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("the trust snapshot of channel %q for period %d", projectChannel, p)
	switch {
	case p >= clock.OpenPeriod:
		return fmt.Errorf("period %d is not closed (period %d is open): snapshots are for closed periods only, and a period closes by ClosePeriod", p, clock.OpenPeriod)
	case p < project.FirstPeriod:
		return fmt.Errorf("period %d is before period %d, in which project %q was registered: its snapshots count from then on", p, project.FirstPeriod, projectChannel)
	}
	if earlier, found, err := readApplied(ctx, projectChannel, p); err != nil {
		return err
	} else if found {
		return fmt.Errorf("%s was already applied in transaction %s: each snapshot is applied once", what, earlier.TxID)
	}
	inbox, err := readSubmitted(ctx, projectChannel)
	if err != nil {
		return err
	}
	waiting, err := unapplied(ctx, projectChannel, inbox.Snapshots)
	if err != nil {
		return err
	}
	for _, s := range waiting {
		if s.Period == p {
			return fmt.Errorf("%s was already submitted in transaction %s and waits for ApplyPeriod: each snapshot is submitted once", what, s.TxID)
		}
	}
	if len(waiting) >= maxWaitingSnapshots {
		return fmt.Errorf("project %q has %d snapshots waiting for ApplyPeriod: submit period %d once they are applied", projectChannel, len(waiting), p)
	}
	hash := snapshotHash(snapshot)
	if err := crossCheck(ctx, projectChannel, strconv.FormatInt(p, 10), hash); err != nil {
		return err
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	entry := SubmittedSnapshot{Period: p, SHA256: hash, Feedback: snapshot.Feedback, Submitter: submitter.ID, TxID: ctx.GetStub().GetTxID(), SubmittedAt: now}
	waiting = append(waiting, entry)
	sort.SliceStable(waiting, func(i, j int) bool { return waiting[i].Period < waiting[j].Period })
	if _, err := putRecord(ctx, submittedWhat(projectChannel), SubmittedSnapshots{Channel: projectChannel, Snapshots: waiting}, submittedObjectType, projectChannel); err != nil {
		return err
	}
	receipt := SnapshotReceipt{Channel: projectChannel, Period: p, SHA256: hash, Feedback: int64(len(entry.Feedback)), Submitter: entry.Submitter, TxID: entry.TxID, SubmittedAt: now}
	return emit(ctx, EventTrustSnapshotSubmitted, receipt, what)
}

// readApplied returns the record of channel's applied snapshot of period, if any.
func readApplied(ctx contractapi.TransactionContextInterface, channel string, period int64) (*AppliedSnapshot, bool, error) {
	var a AppliedSnapshot
	what := fmt.Sprintf("the trust snapshot of channel %q for period %d", channel, period)
	found, err := getRecord(ctx, what, &a, snapshotObjectType, channel, strconv.FormatInt(period, 10))
	if err != nil || !found {
		return nil, false, err
	}
	return &a, true, nil
}

// unapplied returns the snapshots of channel that no ApplyPeriod has applied
// yet; the record keeps applied ones until the next submission, since only a
// submission, which the project's organisations endorse, may rewrite it.
func unapplied(ctx contractapi.TransactionContextInterface, channel string, snapshots []SubmittedSnapshot) ([]SubmittedSnapshot, error) {
	out := []SubmittedSnapshot{}
	for _, s := range snapshots {
		_, applied, err := readApplied(ctx, channel, s.Period)
		if err != nil {
			return nil, err
		}
		if !applied {
			out = append(out, s)
		}
	}
	return out, nil
}

// pendingSnapshot is a submitted snapshot that ApplyPeriod applies.
type pendingSnapshot struct {
	channel  string
	snapshot SubmittedSnapshot
}

// ApplyPeriod applies closed period period (the one after the latest
// applied) to the trust table: all evidence decays once (a founder's
// very-high evidence no further than FounderFloor); each member's trust
// just before becomes its weight for the period; then the feedback of every
// registered project's snapshot of the period, and of snapshots of earlier
// periods that came after their period was applied, adds to its ratee's
// evidence weighed by its rater's weight, all of one rater's ratings of one
// ratee counting once at their mean score (trust.Combine). Entries of
// unknown, suspended or revoked members and self-ratings are rejected one by
// one and recorded with their reason. It waits until every registered
// project has submitted the period, or until the next period has closed too
// (a period's grace); projects late by then are listed in the period's
// record, and their snapshot is applied with a later period. Any member that
// may write may apply a period: the result depends only on the ledger.
func (c *Contract) ApplyPeriod(ctx contractapi.TransactionContextInterface, period string) error {
	p, err := parsePeriod(period)
	if err != nil {
		return err
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	rule := params.Params.Trust
	applier, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return err
	}
	if err := requireNotViewer(applier, "applying a period"); err != nil {
		return err
	}
	clock, err := readTrustClock(ctx)
	if err != nil {
		return err
	}
	switch {
	case p <= clock.LatestPeriod:
		return fmt.Errorf("period %d was already applied: periods are applied once, in order, and %d is the latest", p, clock.LatestPeriod)
	case p != clock.LatestPeriod+1:
		return fmt.Errorf("period %d is not next: apply period %d first", p, clock.LatestPeriod+1)
	case p >= clock.OpenPeriod:
		return fmt.Errorf("period %d is not closed (period %d is open): close it with ClosePeriod first", p, clock.OpenPeriod)
	}
	batch, late, err := collectSnapshots(ctx, p)
	if err != nil {
		return err
	}
	if len(late) > 0 && p+1 >= clock.OpenPeriod {
		return fmt.Errorf("period %d waits for the snapshots of %s: it is applied once every registered project has submitted it, or once period %d has closed too", p, joinQuoted(late), p+1)
	}
	tab, err := loadTable(ctx)
	if err != nil {
		return err
	}
	for _, id := range tab.ids {
		r := tab.records[id]
		r.Weight = r.Evidence.Trust(rule)
		before := r.Evidence.Positive[trust.BandVeryHigh]
		r.Evidence.Decay(rule)
		// A founder's genesis standing decays to its floor and no further.
		if floor := min(before, r.Floor); r.Evidence.Positive[trust.BandVeryHigh] < floor {
			r.Evidence.Positive[trust.BandVeryHigh] = floor
		}
	}
	res := newResolver(tab)
	applied := make([]AppliedSnapshot, len(batch))
	var accepted []trust.Feedback
	for i, b := range batch {
		a := AppliedSnapshot{
			ProjectChannel: b.channel, Period: b.snapshot.Period, AppliedInPeriod: p, SHA256: b.snapshot.SHA256,
			Submitter: b.snapshot.Submitter, SubmittedTxID: b.snapshot.TxID, Rejected: []Rejection{},
		}
		for j, entry := range b.snapshot.Feedback {
			f, why := res.entry(entry)
			if why != "" {
				a.Rejected = append(a.Rejected, Rejection{Index: int64(j), Rater: entry.Rater, Ratee: entry.Ratee, Score: entry.Score, Reason: why})
				continue
			}
			accepted = append(accepted, f)
			a.Feedback++
		}
		applied[i] = a
	}
	// A rater's ratings of one ratee, from every channel, count once.
	for _, f := range trust.Combine(accepted) {
		sameOrg := tab.members[f.Rater].Organisation == tab.members[f.Ratee].Organisation
		if err := tab.records[f.Ratee].Evidence.AddFeedback(f.Rater, f.Ratee, f.Score, tab.records[f.Rater].Weight, sameOrg, rule); err != nil {
			return fmt.Errorf("applying period %d: %w", p, err) // scores were checked at submission and self-ratings rejected above
		}
	}

	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	txID := ctx.GetStub().GetTxID()
	for _, id := range tab.ids {
		if err := writeTrustRecord(ctx, tab.records[id]); err != nil {
			return err
		}
	}
	record := AppliedPeriod{Period: p, Snapshots: []SnapshotRef{}, Late: late, TxID: txID, AppliedAt: now}
	for _, a := range applied {
		a.TxID, a.AppliedAt = txID, now
		what := fmt.Sprintf("the trust snapshot of channel %q for period %d", a.ProjectChannel, a.Period)
		if _, err := putRecord(ctx, what, a, snapshotObjectType, a.ProjectChannel, strconv.FormatInt(a.Period, 10)); err != nil {
			return err
		}
		record.Snapshots = append(record.Snapshots, SnapshotRef{Channel: a.ProjectChannel, Period: a.Period})
	}
	next := TrustClock{LatestPeriod: p, UpdatedAt: now, OpenPeriod: clock.OpenPeriod, OpenedAt: clock.OpenedAt}
	if _, err := putRecord(ctx, "the trust clock", next, trustClockObjectType); err != nil {
		return err
	}
	raw, err := putRecord(ctx, fmt.Sprintf("applied period %d", p), record, periodObjectType, strconv.FormatInt(p, 10))
	if err != nil {
		return err
	}
	return emit(ctx, EventPeriodApplied, raw, fmt.Sprintf("period %d", p))
}

// collectSnapshots returns the unapplied snapshots of period p or earlier of
// every registered project, by channel then period, and the projects that
// have not submitted p.
func collectSnapshots(ctx contractapi.TransactionContextInterface, p int64) ([]pendingSnapshot, []string, error) {
	var projects []Project
	err := scanRecords(ctx, projectObjectType, "projects", func(raw []byte) error {
		var pr Project
		if err := json.Unmarshal(raw, &pr); err != nil {
			return err
		}
		projects = append(projects, pr)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	batch := []pendingSnapshot{}
	late := []string{}
	for _, pr := range projects {
		if pr.FirstPeriod > p {
			continue
		}
		inbox, err := readSubmitted(ctx, pr.Channel)
		if err != nil {
			return nil, nil, err
		}
		waiting, err := unapplied(ctx, pr.Channel, inbox.Snapshots)
		if err != nil {
			return nil, nil, err
		}
		submitted := false
		for _, s := range waiting {
			if s.Period <= p {
				batch = append(batch, pendingSnapshot{channel: pr.Channel, snapshot: s})
				submitted = submitted || s.Period == p
			}
		}
		if !submitted {
			late = append(late, pr.Channel)
		}
	}
	return batch, late, nil
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
