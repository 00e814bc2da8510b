// Package provenance is the per-project contract ("provenance" on each project
// channel): artifacts stored on IPFS and the lineage edges between them,
// feedback on them (the paper's attached transactions) with the per-period
// trust snapshot the registry aggregates, and the birth certificates of ML
// models and pipelines.
package provenance

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// The records below keep their fields in a fixed order with explicit JSON
// names because every endorsing peer must write byte-identical state for the
// same transaction; encoding/json emits struct fields in declaration order, so
// a fixed order is what keeps endorsements matching. No field is a float for
// the same reason: numbers are integers, fractions are fixed-point integers
// (see fixedpoint.go). Every record keeps the id and timestamp of the
// transaction that wrote it, so that a verifier can look up its block.

// Artifact is one piece of content stored on IPFS, named on chain by its CID,
// digest and size, with the artifacts it was derived from.
type Artifact struct {
	// ID is the artifact's name within the project, chosen by its creator.
	ID string `json:"id"`
	// Kind is what the artifact is, one of artifactKinds.
	Kind string `json:"kind"`
	// CID is the IPFS content identifier of the stored (encrypted) bytes.
	CID string `json:"cid"`
	// SHA256 is the lowercase hex SHA-256 of the plaintext.
	SHA256 string `json:"sha256"`
	// Size is the length of the plaintext in bytes.
	Size int64 `json:"size"`
	// MediaType is the plaintext's type/subtype, e.g. image/png.
	MediaType string `json:"mediaType"`
	// Parents are the IDs of the artifacts this one was derived from, in the
	// order the creator gave them; never null, [] for none.
	Parents []string `json:"parents"`
	// Bounds are the declared range of data artifacts; absent when none was
	// declared (contractapi's return schema needs the "optional" tag for that).
	Bounds *DataBounds `json:"bounds,omitempty" metadata:"bounds,optional"`
	// RequestFeedback is whether the creator asked the project's members to
	// rate this record (the paper's attached transaction).
	RequestFeedback bool `json:"requestFeedback"`
	// PinnedOn are the MSP ids of the organisations whose IPFS nodes pin the
	// content, in the order given; at least two, so one node's loss loses nothing.
	PinnedOn []string `json:"pinnedOn"`
	// WrappedKeyEpoch is the epoch of the project data key the content is
	// encrypted under, which tells readers which wrapped key to unwrap.
	WrappedKeyEpoch int64 `json:"wrappedKeyEpoch"`
	// Creator is the recording X.509 identity, "x509::<subject>::<issuer>".
	Creator string `json:"creator"`
	// CreatorMSP is the MSP id of Creator.
	CreatorMSP string `json:"creatorMsp"`
	// CreatorTrust is Creator's consortium trust when it recorded the artifact.
	CreatorTrust TrustAtWrite `json:"creatorTrust"`
	// TxID is the transaction that recorded the artifact.
	TxID string `json:"txId"`
	// Timestamp is that transaction's timestamp, RFC 3339 in UTC.
	Timestamp string `json:"timestamp"`
}

// DataBounds is the range a data artifact's values were declared to lie in,
// so that consumers can check what they read against what was promised.
type DataBounds struct {
	// Source is where the data comes from, e.g. a sensor or a public data set.
	Source string `json:"source"`
	// DataType is the values' type, e.g. uint8 or temperature-celsius.
	DataType string `json:"dataType"`
	// Min and Max are the declared bounds, fixed-point (1.0 is 1000000), Min <= Max.
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// FeedbackRecord is one rating of a record by a project member (the
// paper's attached transaction), referring to the rated record's
// transaction. Not named Feedback: contractapi names schemas by type name
// alone, and trust.Feedback, which the registry returns, would share its
// schema (TestNoTwoSchemaTypesShareAName in cmd/bcmlp-cc).
type FeedbackRecord struct {
	// ArtifactID is the rated record.
	ArtifactID string `json:"artifactId"`
	// ArtifactTxID is the transaction that recorded it.
	ArtifactTxID string `json:"artifactTxId"`
	// Rater is the rating member's client id.
	Rater string `json:"rater"`
	// RaterMSP is the MSP id of Rater.
	RaterMSP string `json:"raterMsp"`
	// Ratee is the rated record's creator, the member the rating is about.
	Ratee string `json:"ratee"`
	// Score is in [-1, 1], fixed-point: 1.0 is 1000000.
	Score int64 `json:"score"`
	// Comment is the rater's free text, "" for none.
	Comment string `json:"comment"`
	// Evidence is what the rater based the rating on; never null.
	Evidence []FeedbackEvidence `json:"evidence"`
	// Period is the trust aggregation period the rating counts in.
	Period int64 `json:"period"`
	// TxID is the rating transaction.
	TxID string `json:"txId"`
	// Timestamp is that transaction's timestamp, RFC 3339 in UTC.
	Timestamp string `json:"timestamp"`
}

// FeedbackEvidence is one piece of content on IPFS a rating refers to.
type FeedbackEvidence struct {
	CID    string `json:"cid"`
	SHA256 string `json:"sha256"`
}

// PeriodClock is this channel's project settings and trust period clock:
// InitProject writes it once, each ClosePeriod advances OpenPeriod. Before
// InitProject GetPeriodClock answers the zero clock, Initialised false.
type PeriodClock struct {
	// Initialised is whether InitProject has run on this channel.
	Initialised bool `json:"initialised"`
	// PeriodSeconds is the shortest time a period stays open, copied from
	// the registry's periodSeconds when the channel was made.
	PeriodSeconds int64 `json:"periodSeconds"`
	// FirstPeriod is the period open at InitProject, the registry's open
	// period when the project was registered.
	FirstPeriod int64 `json:"firstPeriod"`
	// Organisations are the project's organisations' MSP ids, sorted; their
	// admins close periods.
	Organisations []string `json:"organisations"`
	// InitialisedBy and InitialisedByMSP are the admin who ran InitProject,
	// InitTxID its transaction.
	InitialisedBy    string `json:"initialisedBy"`
	InitialisedByMSP string `json:"initialisedByMsp"`
	InitTxID         string `json:"initTxId"`
	// OpenPeriod is the period ratings committed now count in; every period
	// from FirstPeriod below it is closed.
	OpenPeriod int64 `json:"openPeriod"`
	// OpenedAt is the timestamp (RFC 3339, UTC) of the transaction that
	// opened OpenPeriod (InitProject or ClosePeriod), OpenedTxID that
	// transaction and OpenedBy its signer.
	OpenedAt   string `json:"openedAt"`
	OpenedTxID string `json:"openedTxId"`
	OpenedBy   string `json:"openedBy"`
	// CertificateApprovals is k for every model certificate of the channel:
	// the approvals, from members of at least two organisations, that
	// certify one; copied from the registry's approvals.
	CertificateApprovals int64 `json:"certificateApprovals"`
	// PhaseWriters are, per model life-cycle phase in order, the roles and
	// organisations whose members may write it; never null.
	PhaseWriters []PhaseWriters `json:"phaseWriters"`
}

// PhaseWriters is who may write one phase of a model certificate: a channel
// member whose registry role is one of Roles and whose organisation is one
// of Organisations.
type PhaseWriters struct {
	Phase         string   `json:"phase"`
	Roles         []string `json:"roles"`
	Organisations []string `json:"organisations"`
}

// ProjectMember is one entry of the channel's member list: a registry
// member whose identity may write on this channel while it is listed.
// Removed members stay listed, marked removed, so old records still resolve.
type ProjectMember struct {
	// MemberID is the member's registry id.
	MemberID string `json:"memberId"`
	// Identity is its client id, "x509::<subject>::<issuer>", as the
	// registry binds it.
	Identity string `json:"identity"`
	// Role is its registry role; Organisation its MSP id, a project organisation.
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
	// Status is MemberListed or MemberRemoved.
	Status string `json:"status"`
	// Changes are the additions and removals, oldest first; never null.
	Changes []MembershipChange `json:"changes"`
}

// MembershipChange is one addition to or removal from the member list.
type MembershipChange struct {
	// Action is MemberListed (added) or MemberRemoved.
	Action string `json:"action"`
	// By and ByMSP are the admin identity that made the change.
	By    string `json:"by"`
	ByMSP string `json:"byMsp"`
	// Reason is why a member was removed; "" for additions.
	Reason    string `json:"reason"`
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`
}

// Member list statuses, the values of ProjectMember.Status.
const (
	MemberListed  = "listed"
	MemberRemoved = "removed"
)

// ProjectSettings is InitProject's paramsJSON.
type ProjectSettings struct {
	// PeriodSeconds is the registry's periodSeconds, 1 to 31622400.
	PeriodSeconds int64 `json:"periodSeconds"`
	// FirstPeriod is the registry's open period when the project was
	// registered, at least 1.
	FirstPeriod int64 `json:"firstPeriod"`
	// Organisations are the project's organisations' MSP ids, 2 to 16,
	// distinct, the caller's among them.
	Organisations []string `json:"organisations"`
	// CertificateApprovals is the registry's approvals (k), at least 2.
	CertificateApprovals int64 `json:"certificateApprovals"`
	// PhaseWriters maps each of the nine phases to the roles and
	// organisations that write it.
	PhaseWriters map[string]phaseWritersArgument `json:"phaseWriters"`
	// Members is the initial member list.
	Members []memberArgument `json:"members"`
}

// phaseWritersArgument is one phase's writers as InitProject receives them.
type phaseWritersArgument struct {
	Roles         []string `json:"roles"`
	Organisations []string `json:"organisations"`
}

// memberArgument is a member as InitProject and AddMember receive it.
type memberArgument struct {
	MemberID     string `json:"memberId"`
	Identity     string `json:"identity"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
}

// TrustSnapshot is a period's feedback on this channel in the canonical form
// the registry on mainchain hashes; see GetTrustSnapshot.
type TrustSnapshot struct {
	Channel  string             `json:"channel"`
	Period   int64              `json:"period"`
	Feedback []SnapshotFeedback `json:"feedback"`
}

// SnapshotFeedback is one rating in a trust snapshot; its fields are those,
// in the order, of the trust package's Feedback.
type SnapshotFeedback struct {
	Rater string `json:"rater"`
	Ratee string `json:"ratee"`
	Score int64  `json:"score"`
}

// ModelCertificate is a model's birth certificate: the nine life-cycle
// phases, each naming its creator, and the approvals that certify it.
type ModelCertificate struct {
	// ID is the certificate's name within the project.
	ID string `json:"id"`
	// ModelName and Version name the model certified.
	ModelName string `json:"modelName"`
	Version   string `json:"version"`
	// Policy is how many approvals, from how many organisations, certify
	// it: the channel's certificateApprovals when it was opened.
	Policy ApprovalPolicy `json:"policy"`
	// Status is "open" until all nine phases are recorded, then "complete",
	// then "certified" once Policy.Approvals members approved.
	Status string `json:"status"`
	// ModelArtifactID and ModelSHA256 are the trained model named by the
	// training phase; "" before it.
	ModelArtifactID string `json:"modelArtifactId"`
	ModelSHA256     string `json:"modelSha256"`
	// Phases are the recorded phases in life-cycle order; never null.
	Phases []PhaseEntry `json:"phases"`
	// Approvals are in the order given; never null.
	Approvals []CertificateApproval `json:"approvals"`
	// Creator, CreatorMSP, TxID and Timestamp are who opened it and when;
	// CreatorMember is the opener's member id, its author.
	Creator       string       `json:"creator"`
	CreatorMSP    string       `json:"creatorMsp"`
	CreatorMember string       `json:"creatorMember"`
	CreatorTrust  TrustAtWrite `json:"creatorTrust"`
	TxID          string       `json:"txId"`
	Timestamp     string       `json:"timestamp"`
	// CompletedTxID and CompletedAt are the transaction that added the ninth
	// phase; CertifiedTxID and CertifiedAt the approval that certified it;
	// "" until then.
	CompletedTxID string `json:"completedTxId"`
	CompletedAt   string `json:"completedAt"`
	CertifiedTxID string `json:"certifiedTxId"`
	CertifiedAt   string `json:"certifiedAt"`
}

// ApprovalPolicy is a model certificate's k-of-n approval rule, copied from
// the channel's parameters when it is opened, never from its opener.
type ApprovalPolicy struct {
	// Approvals is k: the approvals needed, at least 2. Each member approves
	// at most once, and never its own certificate (opener or phase writer).
	Approvals int64 `json:"approvals"`
	// MinOrganisations is how many organisations the approvers come from at
	// least: 2, so that no organisation certifies alone.
	MinOrganisations int64 `json:"minOrganisations"`
}

// PhaseEntry is one life-cycle phase of a model certificate.
type PhaseEntry struct {
	// Phase is one of modelPhases.
	Phase string `json:"phase"`
	// Fields is the phase's information as a JSON object whose keys follow
	// the phase's field list (see phaseSpecs), values as given, compacted.
	Fields json.RawMessage `json:"fields"`
	// Artifacts are the IDs of the artifacts the phase used or produced; never null.
	Artifacts []string `json:"artifacts"`
	// CreatorCertificateID is the certificate of the phase's creator, as the
	// paper asks each entry to name: a registry certificate that AddPhase
	// found valid and about the writer (or its organisation) when it wrote
	// the entry.
	CreatorCertificateID string `json:"creatorCertificateId"`
	// Creator, CreatorMSP, TxID and Timestamp are who recorded it and when;
	// CreatorMember is the writer's member id, CreatorTrust its trust then.
	Creator       string       `json:"creator"`
	CreatorMSP    string       `json:"creatorMsp"`
	CreatorMember string       `json:"creatorMember"`
	CreatorTrust  TrustAtWrite `json:"creatorTrust"`
	TxID          string       `json:"txId"`
	Timestamp     string       `json:"timestamp"`
}

// CertificateApproval is one member's approval of a complete model certificate.
type CertificateApproval struct {
	Approver       string       `json:"approver"`
	ApproverMSP    string       `json:"approverMsp"`
	ApproverMember string       `json:"approverMember"`
	ApproverTrust  TrustAtWrite `json:"approverTrust"`
	TxID           string       `json:"txId"`
	Timestamp      string       `json:"timestamp"`
}

// TrustAtWrite is a writer's consortium trust when its transaction was
// endorsed: the registry standing requireWriter read across channels to let
// it write, kept in the record so that an audit shows each creator's trust
// at the time rather than today's. A transaction endorsed while an
// ApplyPeriod is committed on one endorsing peer but not yet on another
// carries two different values and fails as an endorsement mismatch; the
// client submits it again (trust changes once a period, so this is rare).
type TrustAtWrite struct {
	// Trust is fixed-point in (-1, 1) (1.0 is 1000000).
	Trust int64 `json:"trust"`
	// Level is Trust's level (the paper's table 10).
	Level string `json:"level"`
}

// PipelineCertificate is an ML pipeline's birth certificate: its ordered
// components, their steps and software, and its configuration with digest.
type PipelineCertificate struct {
	// ID is the certificate's name within the project.
	ID string `json:"id"`
	// Version is the pipeline's version.
	Version string `json:"version"`
	// Components are in execution order.
	Components []PipelineComponent `json:"components"`
	// Configuration is the configuration JSON text exactly as given, kept as
	// a string so that its bytes, and so its digest, survive re-encoding.
	Configuration string `json:"configuration"`
	// ConfigurationSHA256 is the lowercase hex SHA-256 of Configuration's bytes.
	ConfigurationSHA256 string `json:"configurationSha256"`
	// Creator, CreatorMSP, TxID and Timestamp are who recorded it and when;
	// CreatorTrust is Creator's trust then.
	Creator      string       `json:"creator"`
	CreatorMSP   string       `json:"creatorMsp"`
	CreatorTrust TrustAtWrite `json:"creatorTrust"`
	TxID         string       `json:"txId"`
	Timestamp    string       `json:"timestamp"`
}

// PipelineComponent is one component of a pipeline's architecture.
type PipelineComponent struct {
	// Name is unique within the pipeline.
	Name string `json:"name"`
	// Stage is one of pipelineStages.
	Stage string `json:"stage"`
	// Owner is the MSP id of the organisation that runs the component.
	Owner string `json:"owner"`
	// Steps are the component's processing steps in execution order.
	Steps []string `json:"steps"`
	// Software is what the component runs, with versions.
	Software []SoftwareVersion `json:"software"`
	// Inputs are artifact kinds produced earlier or names of earlier components.
	Inputs []string `json:"inputs"`
	// Outputs are the artifact kinds the component produces.
	Outputs []string `json:"outputs"`
	// Model is the model certificate the component uses, "" for none (omitted).
	Model string `json:"model,omitempty"`
	// ModelSHA256 is that certificate's model digest when recorded, "" when
	// it had none yet (omitted).
	ModelSHA256 string `json:"modelSha256,omitempty"`
}

// SoftwareVersion is one piece of software a component runs.
type SoftwareVersion struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// maxIDLength bounds IDs so that keys and events stay small.
const maxIDLength = 64

// Composite-key object types under which the records live.
const (
	artifactObjectType = "artifact"
	// feedbackRequestObjectType indexes the artifacts that request feedback,
	// by ID, so that ListAwaitingFeedback reads no other artifact.
	feedbackRequestObjectType = "feedbackRequest"
	// feedbackObjectType keys a Feedback by (artifact ID, rater).
	feedbackObjectType = "feedback"
	// feedbackPeriodObjectType indexes feedback by (period, ratee, rater,
	// artifact ID), the order of a trust snapshot; the value is the score.
	feedbackPeriodObjectType = "feedbackPeriod"
	// configObjectType keys channel-wide settings by name.
	configObjectType       = "config"
	modelCertObjectType    = "modelCertificate"
	pipelineCertObjectType = "pipelineCertificate"
	periodClockConfigName  = "periodClock"
	// memberObjectType keys a ProjectMember by member id.
	memberObjectType = "projectMember"
	// memberIdentityObjectType indexes the member list by client id; the
	// value is the member id.
	memberIdentityObjectType = "projectMemberIdentity"
)

var (
	idPattern        = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	mspIDPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	versionPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+_-]*$`)
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

// validateMSPID checks an organisation's MSP id given as field.
func validateMSPID(field, value string) error {
	if value == "" {
		return fmt.Errorf("%s must not be empty: give an organisation's MSP id, e.g. Org1MSP", field)
	}
	if len(value) > maxIDLength {
		return fmt.Errorf("%s %q is %d characters long: an MSP id has at most %d", field, value, len(value), maxIDLength)
	}
	if !mspIDPattern.MatchString(value) {
		return fmt.Errorf("%s %q is not an MSP id: give the organisation's MSP id as in its channel configuration, e.g. Org1MSP", field, value)
	}
	return nil
}

// validateVersion checks a version string such as 1.2.0 or 2025.03-rc1.
func validateVersion(field, value string) error {
	if value == "" {
		return fmt.Errorf("%s must not be empty: give a version such as 1.0.0", field)
	}
	if len(value) > maxIDLength || !versionPattern.MatchString(value) {
		return fmt.Errorf("%s %q is not a version: give up to %d characters from A-Z, a-z, 0-9, '.', '+', '_' and '-', starting with a letter or digit, e.g. 1.0.0", field, value, maxIDLength)
	}
	return nil
}

// validateText checks free text given as field: not empty (unless optional),
// at most maxLen bytes, valid UTF-8 and free of control characters other than
// tab and line breaks. what describes the text for the "must not be empty"
// message.
func validateText(field, value string, maxLen int, what string) error {
	if value == "" {
		return fmt.Errorf("%s must not be empty: give %s", field, what)
	}
	if len(value) > maxLen {
		return fmt.Errorf("%s is %d bytes long: give at most %d", field, len(value), maxLen)
	}
	if !utf8.ValidString(value) {
		return fmt.Errorf("%s is not valid UTF-8: send the text UTF-8 encoded", field)
	}
	for i, r := range value {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return fmt.Errorf("%s has the control character %U at byte %d: remove it", field, r, i)
		}
	}
	return nil
}

// parseWholeNumber reads value, decimal digits, as an integer of at least min;
// field names the argument and unit what is counted, for messages.
func parseWholeNumber(field, value string, min int64, unit string) (int64, error) {
	if !digitsPattern.MatchString(value) {
		return 0, fmt.Errorf("%s %q is not a whole number: give %s in decimal digits, at least %d", field, value, unit, min)
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is too large: give %s, at most 9223372036854775807", field, value, unit)
	}
	if n < min {
		return 0, fmt.Errorf("%s %q is less than %d: give %s, at least %d", field, value, min, unit, min)
	}
	return n, nil
}
