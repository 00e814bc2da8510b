// Package registry is the main-chain contract ("registry" on channel mainchain):
// the consortium's members and organisations with their enrolment by k-of-n
// committee approval, certificates (local ones upgraded to global by experts),
// the consortium parameters changed only by committee vote, and the trust table
// fed by the project channels' trust snapshots (the paper's sections 5.2, 5.3,
// 5.6 and 5.7; DESIGN.md sections 1 and 2).
//
// Every record below keeps its fields in a fixed order with explicit JSON names
// because every endorsing peer must write byte-identical state for the same
// transaction; encoding/json emits struct fields in declaration order and map
// keys sorted, so fixed orders are what keep endorsements matching. No field is
// a float for the same reason: trust values and scores are fixed-point
// integers (package trust, 1_000_000 = 1.0). Slices and maps in records are
// never nil, so that they read back as [] and {} and pass contractapi's return
// schemas.
package registry

import (
	"fmt"
	"regexp"
	"strings"

	"bcmlp.local/chaincode/trust"
)

// Member is one certified participant of the consortium: a person or system
// acting through an X.509 identity issued by its organisation's CA.
type Member struct {
	// ID is the member's name in the consortium, chosen at enrolment.
	ID string `json:"id"`
	// MSPID is the MSP of the identity the member is bound to.
	MSPID string `json:"mspId"`
	// Identity is the bound X.509 identity, "x509::<subject>::<issuer>".
	Identity string `json:"identity"`
	// Role is one of Roles.
	Role string `json:"role"`
	// Organisation is the member's organisation, equal to MSPID.
	Organisation string `json:"organisation"`
	// Status is one of StatusPending, StatusActive, StatusSuspended, StatusRevoked.
	Status string `json:"status"`
	// Attributes are the role's certified attributes (see attributeSchemas),
	// integers written in decimal.
	Attributes map[string]string `json:"attributes"`
	// Documents are the enrolment documents on IPFS.
	Documents []Document `json:"documents"`
	// RequestID is the enrolment request that admitted the member; "" for founders.
	RequestID string `json:"requestId"`
	// Founder is true for the members recorded by InitConsortium.
	Founder bool `json:"founder"`
	// CreatedAt is the enrolling transaction's timestamp, RFC 3339 in UTC.
	CreatedAt string `json:"createdAt"`
	// UpdatedAt is the timestamp of the last status change.
	UpdatedAt string `json:"updatedAt"`
	// StatusReason is why the committee last changed the status; "" otherwise.
	StatusReason string `json:"statusReason"`
}

// Member statuses. Only active members write; revoked is final.
const (
	StatusPending   = "pending"
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusRevoked   = "revoked"
)

// Roles are the roles a member may hold, in the paper's language. Every role
// but RoleViewer is critical: its enrolment waits for committee approval.
var Roles = []string{
	"company",
	"customer",
	"domain-expert",
	"data-scientist",
	"quality-auditor",
	"condition-monitor",
	RoleAdmin,
	RoleViewer,
}

// RoleAdmin is an operator of its organisation in the consortium: it
// registers projects, closes periods and sponsors organisations.
const RoleAdmin = "admin"

// mainChannel is the main chain's channel, where the registry runs.
const mainChannel = "mainchain"

// RoleViewer only reads ML results, the paper's example of a non-critical
// participation that is enrolled automatically.
const RoleViewer = "viewer"

// Document is a file on IPFS that backs an enrolment or a certificate.
type Document struct {
	// CID is the IPFS content identifier.
	CID string `json:"cid"`
	// SHA256 is the lowercase hex SHA-256 of the document's bytes.
	SHA256 string `json:"sha256"`
	// Name says what the document is, e.g. "commercial register extract".
	Name string `json:"name"`
}

// Organisation is a consortium organisation (a Fabric MSP). The admin tool
// changes the channel configuration only for an approved one.
type Organisation struct {
	// MSPID is the organisation's MSP id.
	MSPID string `json:"mspId"`
	// Name is the organisation's legal or usual name.
	Name string `json:"name"`
	// Status is RequestPending, RequestApproved or RequestRejected.
	Status string `json:"status"`
	// Founding is true for the organisations of InitConsortium's founders.
	Founding bool `json:"founding"`
	// RequestID is the latest enrolment request; "" for founding organisations.
	RequestID string `json:"requestId"`
	// CreatedAt is when the organisation was first recorded or last requested.
	CreatedAt string `json:"createdAt"`
	// DecidedAt is when it was approved or rejected; "" while pending.
	DecidedAt string `json:"decidedAt"`
}

// EnrolmentRequest is a request to admit a member or an organisation, and the
// committee's answers to it.
type EnrolmentRequest struct {
	// ID is the requesting transaction's id.
	ID string `json:"id"`
	// Kind is KindMember or KindOrganisation.
	Kind string `json:"kind"`
	// Subject is the member id or the organisation's MSP id.
	Subject string `json:"subject"`
	// Role is the requested role; "" for organisations.
	Role string `json:"role"`
	// Name is the organisation's name; "" for members.
	Name string `json:"name"`
	// MSPID is the newcomer's MSP, or the organisation's.
	MSPID string `json:"mspId"`
	// Requester is the submitting X.509 identity: the newcomer itself for a
	// member, the sponsoring member's identity for an organisation.
	Requester string `json:"requester"`
	// RequesterMSP is the MSP id of Requester.
	RequesterMSP string `json:"requesterMsp"`
	// Sponsor is the member that requested an organisation's enrolment; "" for members.
	Sponsor string `json:"sponsor"`
	// Attributes are the member's attributes; {} for organisations.
	Attributes map[string]string `json:"attributes"`
	// Documents are the documents for the committee to review.
	Documents []Document `json:"documents"`
	// Status is RequestPending, RequestApproved or RequestRejected.
	Status string `json:"status"`
	// Approvals are the committee's approvals, in the order given.
	Approvals []Approval `json:"approvals"`
	// RejectedBy is the committee member that rejected the request; "" otherwise.
	RejectedBy string `json:"rejectedBy"`
	// Reason is the rejection's reason; "" otherwise.
	Reason string `json:"reason"`
	// CreatedAt is the requesting transaction's timestamp.
	CreatedAt string `json:"createdAt"`
	// DecidedAt is when the request was approved or rejected; "" while pending.
	DecidedAt string `json:"decidedAt"`
}

// Enrolment request kinds.
const (
	KindMember       = "member"
	KindOrganisation = "organisation"
)

// Request (and organisation) statuses.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRejected = "rejected"
)

// Approval is one member's approval or vote.
type Approval struct {
	// MemberID is the approving member.
	MemberID string `json:"memberId"`
	// Organisation is the approving member's organisation: committee
	// actions need approvals from at least two.
	Organisation string `json:"organisation"`
	// TxID is the approving transaction.
	TxID string `json:"txId"`
	// At is that transaction's timestamp.
	At string `json:"at"`
}

// ConsortiumParams are the consortium's parameters, changed only by committee vote.
type ConsortiumParams struct {
	// CommitteeSize is n: the committee is at most the n most trusted active
	// members of at least high trust.
	CommitteeSize int64 `json:"committeeSize"`
	// Approvals is k: the approvals, from members of at least two
	// organisations, that every committee action needs (enrolment of a
	// critical role or an organisation, a member's status, a global
	// certificate, a certificate revoked by others than its issuer, a
	// parameter change).
	Approvals int64 `json:"approvals"`
	// TrustFloor is the least trust (fixed-point) a member needs to write.
	TrustFloor int64 `json:"trustFloor"`
	// PeriodSeconds is the length of a trust aggregation period: ClosePeriod
	// closes the open period no earlier than this many seconds after it
	// opened. Project channels copy it when they are created.
	PeriodSeconds int64 `json:"periodSeconds"`
	// Trust are the trust rule's parameters.
	Trust trust.Params `json:"trust"`
}

// DefaultParams are the parameters InitConsortium starts from.
func DefaultParams() ConsortiumParams {
	return ConsortiumParams{
		CommitteeSize: 7,
		Approvals:     2,
		TrustFloor:    0,
		PeriodSeconds: 86400,
		Trust:         trust.DefaultParams(),
	}
}

// minApprovals is the least k: committee actions need approvals from members
// of at least two organisations, so one organisation never acts alone.
const minApprovals = 2

// maxCommitteeSize bounds n so that committee checks stay cheap.
const maxCommitteeSize = 100

// maxTrustFloor keeps the floor at most the committee's threshold, so that the
// committee itself can always write.
const maxTrustFloor = 750_000

// maxPeriodSeconds bounds the period length at a (leap) year, as provenance does.
const maxPeriodSeconds = 366 * 86400

// Validate reports the first parameter outside its range, naming it.
func (p ConsortiumParams) Validate() error {
	if p.CommitteeSize < 1 || p.CommitteeSize > maxCommitteeSize {
		return fmt.Errorf("committeeSize %d is outside [1, %d]", p.CommitteeSize, maxCommitteeSize)
	}
	if p.Approvals < minApprovals || p.Approvals > p.CommitteeSize {
		return fmt.Errorf("approvals %d is outside [%d, committeeSize %d]: committee actions need approvals from two organisations, all within the committee", p.Approvals, minApprovals, p.CommitteeSize)
	}
	if p.TrustFloor < -trust.Scale || p.TrustFloor > maxTrustFloor {
		return fmt.Errorf("trustFloor %d is outside [%d, %d] (fixed-point, %d = 1.0; above %d even the committee could not write)", p.TrustFloor, -trust.Scale, maxTrustFloor, trust.Scale, maxTrustFloor)
	}
	if p.PeriodSeconds < 1 || p.PeriodSeconds > maxPeriodSeconds {
		return fmt.Errorf("periodSeconds %d is outside [1, %d] (a period is at most a year)", p.PeriodSeconds, maxPeriodSeconds)
	}
	if err := p.Trust.Validate(); err != nil {
		return fmt.Errorf("trust.%w", err)
	}
	return nil
}

// Parameters is the stored parameter set and where it came from.
type Parameters struct {
	// Version counts the parameter sets: 1 at genesis, +1 per applied proposal.
	Version int64 `json:"version"`
	// Params are the parameters in force.
	Params ConsortiumParams `json:"params"`
	// ProposalID is the proposal that set them; "" at genesis.
	ProposalID string `json:"proposalId"`
	// ChangedAt is the timestamp of the transaction that set them.
	ChangedAt string `json:"changedAt"`
}

// Proposal is a proposed parameter set and the committee's votes on it.
type Proposal struct {
	// ID is the proposing transaction's id.
	ID string `json:"id"`
	// Proposer is the committee member that proposed it; proposing counts as its vote.
	Proposer string `json:"proposer"`
	// BaseVersion is the parameter version it was proposed against; it can
	// only be applied while that version is in force.
	BaseVersion int64 `json:"baseVersion"`
	// Params is the complete parameter set it would put in force.
	Params ConsortiumParams `json:"params"`
	// Votes are the committee's votes, the proposer's first.
	Votes []Approval `json:"votes"`
	// Status is RequestPending or ProposalApplied.
	Status string `json:"status"`
	// CreatedAt is the proposing transaction's timestamp.
	CreatedAt string `json:"createdAt"`
	// AppliedAt is when it was applied; "" while pending.
	AppliedAt string `json:"appliedAt"`
}

// StatusRequest is a committee request to change a member's status
// (suspend, reinstate or revoke it) and the committee's approvals of it.
type StatusRequest struct {
	// ID is the requesting transaction's id.
	ID string `json:"id"`
	// MemberID is the member whose status would change.
	MemberID string `json:"memberId"`
	// Status is the status requested: active (reinstatement), suspended or revoked.
	Status string `json:"status"`
	// Reason is why.
	Reason string `json:"reason"`
	// RequestedBy is the committee member that requested it; requesting
	// counts as its approval.
	RequestedBy string `json:"requestedBy"`
	// Approvals are the committee's approvals, the requester's first.
	Approvals []Approval `json:"approvals"`
	// State is RequestPending or RequestApproved (the status was changed).
	State string `json:"state"`
	// CreatedAt is the requesting transaction's timestamp.
	CreatedAt string `json:"createdAt"`
	// DecidedAt is when the status was changed; "" while pending.
	DecidedAt string `json:"decidedAt"`
}

// ProposalApplied is the status of a proposal whose parameters were put in force.
const ProposalApplied = "applied"

// Certificate is a typed certificate (the paper's table 9 and section 5.7):
// local to a project channel or global to the consortium.
type Certificate struct {
	// ID is the certificate's name, chosen by its issuer.
	ID string `json:"id"`
	// Kind is one of CertificateKinds.
	Kind string `json:"kind"`
	// Subject is what it certifies: a member, an organisation's MSP id, an
	// artifact or a data set id.
	Subject string `json:"subject"`
	// Scope is ScopeLocal or ScopeGlobal.
	Scope string `json:"scope"`
	// ProjectChannel is the channel a local certificate was issued for; kept
	// after an upgrade as its origin; "" for certificates issued global.
	ProjectChannel string `json:"projectChannel"`
	// Attributes are the kind's certified attributes (see attributeSchemas).
	Attributes map[string]string `json:"attributes"`
	// Evidence are the documents on IPFS the certificate rests on.
	Evidence []Document `json:"evidence"`
	// Issuer is the issuing member.
	Issuer string `json:"issuer"`
	// IssuerMSP is the issuer's MSP id.
	IssuerMSP string `json:"issuerMsp"`
	// Status is CertificateValid or CertificateRevoked; revoked is final.
	Status string `json:"status"`
	// UpgradeApprovals are the approvals to make a local certificate global.
	UpgradeApprovals []Approval `json:"upgradeApprovals"`
	// RevocationApprovals are the committee's approvals to revoke it, when
	// others than its issuer revoke it.
	RevocationApprovals []Approval `json:"revocationApprovals"`
	// RevokedBy is the member that revoked it; "" otherwise.
	RevokedBy string `json:"revokedBy"`
	// RevocationReason is why it was revoked; "" otherwise.
	RevocationReason string `json:"revocationReason"`
	// IssuedAt is the issuing transaction's timestamp.
	IssuedAt string `json:"issuedAt"`
	// UpgradedAt is when it became global by upgrade; "" otherwise.
	UpgradedAt string `json:"upgradedAt"`
	// RevokedAt is when it was revoked; "" otherwise.
	RevokedAt string `json:"revokedAt"`
	// TxID is the issuing transaction.
	TxID string `json:"txId"`
}

// CertificateKinds are the kinds of certificate, the entities of the paper's table 9.
var CertificateKinds = []string{
	"company",
	"customer",
	"domain-expert",
	"data-scientist",
	"model",
	"data-source",
	"data",
	"public-dataset",
}

// certificateIssuers are, per certificate kind, the roles that issue it (the
// role table of README "Ledger rules"): organisations' admins vouch for
// companies, companies and admins for their people, data scientists for
// models, the owners of machines and data for data sources and data, experts
// for public data sets.
var certificateIssuers = map[string][]string{
	"company":        {RoleAdmin},
	"customer":       {RoleAdmin, "company"},
	"domain-expert":  {RoleAdmin, "company"},
	"data-scientist": {RoleAdmin, "company"},
	"model":          {"data-scientist"},
	"data-source":    {"company", "condition-monitor"},
	"data":           {"company", "condition-monitor", "data-scientist"},
	"public-dataset": {"data-scientist", "domain-expert"},
}

// Certificate scopes and statuses.
const (
	ScopeLocal         = "local"
	ScopeGlobal        = "global"
	CertificateValid   = "valid"
	CertificateRevoked = "revoked"
)

// TrustRecord is one member's row of the trust table as stored.
type TrustRecord struct {
	// MemberID is the member.
	MemberID string `json:"memberId"`
	// Evidence is the member's evidence under the trust rule.
	Evidence trust.Evidence `json:"evidence"`
	// Weight is the member's trust when the latest applied period began (or
	// when it was activated, if later): the weight its feedback carries in
	// that period, as trust.Table.Period weighs raters.
	Weight int64 `json:"weight"`
	// Floor is the positive very-high evidence that decay never takes the
	// member below: FounderFloor for founders (their genesis standing), 0
	// for everyone else.
	Floor int64 `json:"floor"`
}

// TrustClock is the consortium's one period clock. Periods are numbered
// 1, 2, ... from genesis; period OpenPeriod is open, every earlier one is
// closed (by a ClosePeriod transaction, so by ledger order), and every period
// up to LatestPeriod has been applied to the trust table (ApplyPeriod).
type TrustClock struct {
	// LatestPeriod is the latest applied period; 0 before the first.
	LatestPeriod int64 `json:"latestPeriod"`
	// UpdatedAt is when the latest period was applied; "" before the first.
	UpdatedAt string `json:"updatedAt"`
	// OpenPeriod is the period open now; 1 at genesis.
	OpenPeriod int64 `json:"openPeriod"`
	// OpenedAt is the timestamp of the transaction that opened it.
	OpenedAt string `json:"openedAt"`
}

// Project is a registered project channel: the registry applies a period
// once every registered project has submitted its trust snapshot of it.
type Project struct {
	// Channel is the project channel's name.
	Channel string `json:"channel"`
	// Organisations are the MSP ids of the project's organisations, sorted;
	// they alone endorse the project's trust snapshots.
	Organisations []string `json:"organisations"`
	// FirstPeriod is the period open when the project was registered: the
	// first whose snapshot the registry waits for.
	FirstPeriod int64 `json:"firstPeriod"`
	// PeriodSeconds is the period length in force at registration, the one
	// the channel copies.
	PeriodSeconds int64 `json:"periodSeconds"`
	// RegisteredBy is the registering member.
	RegisteredBy string `json:"registeredBy"`
	// TxID is the registering transaction.
	TxID string `json:"txId"`
	// RegisteredAt is that transaction's timestamp.
	RegisteredAt string `json:"registeredAt"`
}

// SubmittedSnapshots is a project's trust snapshots that were submitted and
// not yet applied; it is the one record SubmitTrustSnapshot writes.
type SubmittedSnapshots struct {
	// Channel is the project channel.
	Channel string `json:"channel"`
	// Snapshots are the submitted snapshots, oldest period first.
	Snapshots []SubmittedSnapshot `json:"snapshots"`
}

// SubmittedSnapshot is one project channel's trust snapshot of one period,
// checked against the channel and waiting for ApplyPeriod.
type SubmittedSnapshot struct {
	// Period is the period whose feedback it aggregates.
	Period int64 `json:"period"`
	// SHA256 is the hex SHA-256 of the snapshot's canonical JSON.
	SHA256 string `json:"sha256"`
	// Feedback is the snapshot's feedback as the channel recorded it.
	Feedback []trust.Feedback `json:"feedback"`
	// Submitter is the member that submitted it.
	Submitter string `json:"submitter"`
	// TxID is the submitting transaction.
	TxID string `json:"txId"`
	// SubmittedAt is that transaction's timestamp.
	SubmittedAt string `json:"submittedAt"`
}

// AppliedSnapshot records that a project channel's trust snapshot for a
// period was applied, so that it is never applied twice.
type AppliedSnapshot struct {
	// ProjectChannel is the channel whose feedback the snapshot aggregates.
	ProjectChannel string `json:"projectChannel"`
	// Period is the snapshot's period.
	Period int64 `json:"period"`
	// AppliedInPeriod is the period whose ApplyPeriod applied it: Period, or
	// a later one for a snapshot that came late.
	AppliedInPeriod int64 `json:"appliedInPeriod"`
	// SHA256 is the hex SHA-256 of the snapshot's canonical JSON.
	SHA256 string `json:"sha256"`
	// Feedback is the number of feedback entries applied.
	Feedback int64 `json:"feedback"`
	// Rejected are the entries that were not applied, each with its reason.
	Rejected []Rejection `json:"rejected"`
	// Submitter is the member that submitted it.
	Submitter string `json:"submitter"`
	// SubmittedTxID is the submitting transaction.
	SubmittedTxID string `json:"submittedTxId"`
	// TxID is the applying transaction.
	TxID string `json:"txId"`
	// AppliedAt is that transaction's timestamp.
	AppliedAt string `json:"appliedAt"`
}

// Rejection is one feedback entry of a snapshot that ApplyPeriod did not
// apply, and why: its rater or ratee is unknown, suspended or revoked, or it
// rates its own work. The rest of the snapshot applies regardless.
type Rejection struct {
	// Index is the entry's position in the snapshot's feedback.
	Index int64 `json:"index"`
	// Rater, Ratee and Score are the entry as the channel recorded it.
	Rater string `json:"rater"`
	Ratee string `json:"ratee"`
	Score int64  `json:"score"`
	// Reason says why it was rejected.
	Reason string `json:"reason"`
}

// AppliedPeriod records what ApplyPeriod applied for one period.
type AppliedPeriod struct {
	// Period is the applied period.
	Period int64 `json:"period"`
	// Snapshots are the snapshots applied, by channel then period.
	Snapshots []SnapshotRef `json:"snapshots"`
	// Late are the registered channels that had not submitted the period;
	// their snapshot, when it comes, is applied with a later period.
	Late []string `json:"late"`
	// TxID is the applying transaction.
	TxID string `json:"txId"`
	// AppliedAt is that transaction's timestamp.
	AppliedAt string `json:"appliedAt"`
}

// SnapshotRef names one channel's snapshot of one period.
type SnapshotRef struct {
	Channel string `json:"channel"`
	Period  int64  `json:"period"`
}

// TrustRow is a member's trust as the queries report it, computed from its
// evidence under the parameters in force.
type TrustRow struct {
	// MemberID is the member.
	MemberID string `json:"memberId"`
	// Trust is the member's trust in (-1, 1), fixed-point.
	Trust int64 `json:"trust"`
	// Level is Trust's level (the paper's table 10).
	Level trust.Level `json:"level"`
	// Evidence is the member's evidence.
	Evidence trust.Evidence `json:"evidence"`
}

// Standing is what a project channel needs to know about a member before
// it lets the member write (provenance's cross-channel check): who the member
// is bound to, its role and organisation, its status, and its trust against
// the consortium's trust floor, in one answer so that one cross-channel query
// suffices.
type Standing struct {
	// MemberID is the member.
	MemberID string `json:"memberId"`
	// Identity is the X.509 client id the member is bound to.
	Identity string `json:"identity"`
	// Role and Organisation are the member's role and organisation (MSP id).
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
	// Status is the member's status: only active members write.
	Status string `json:"status"`
	// Trust is the member's trust under the parameters in force, 0 while it
	// has no trust record (pending); Level is its level.
	Trust int64       `json:"trust"`
	Level trust.Level `json:"level"`
	// TrustFloor is the parameter in force: below it a member cannot write.
	TrustFloor int64 `json:"trustFloor"`
}

// KeyAgreementKey is one public key-agreement key a member registered for
// itself (RegisterKeyAgreementKey): project data keys are wrapped for it,
// never for the member's signing key. A member's keys form its history,
// numbered from 1; the newest is current, and each earlier one records the
// transaction that retired it, so that data keys wrapped for it stay
// attributable and its holder can still open them.
type KeyAgreementKey struct {
	// MemberID is the member that registered the key for itself.
	MemberID string `json:"memberId"`
	// Number is the key's place in the member's history: 1 for its first.
	Number int64 `json:"number"`
	// KeyID is the lowercase hex SHA-256 of the key's SubjectPublicKeyInfo
	// (DER): the name wrapped data keys give their recipient key by.
	KeyID string `json:"keyId"`
	// Algorithm is the key's algorithm, KeyAgreementX25519.
	Algorithm string `json:"algorithm"`
	// PublicKey is the key as a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo),
	// re-encoded from its DER so that every peer stores the same bytes.
	PublicKey string `json:"publicKey"`
	// RegisteredAt is the registering transaction's timestamp.
	RegisteredAt string `json:"registeredAt"`
	// TxID is the registering transaction.
	TxID string `json:"txId"`
	// RetiredAt is the timestamp of the registration that superseded the
	// key; "" while it is current.
	RetiredAt string `json:"retiredAt"`
	// RetiredTxID is that transaction; "" while the key is current.
	RetiredTxID string `json:"retiredTxId"`
}

// KeyAgreementX25519 is the one key-agreement algorithm members register.
const KeyAgreementX25519 = "X25519"

// keyAgreementOwner is the index from a key id to the member that
// registered it: a key belongs to one member, once.
type keyAgreementOwner struct {
	MemberID string `json:"memberId"`
	Number   int64  `json:"number"`
}

// Genesis is the payload of the ConsortiumInitialised event.
type Genesis struct {
	Parameters Parameters `json:"parameters"`
	ProposalID string     `json:"proposalId"`
	Founders   []Member   `json:"founders"`
}

// GenesisProposal is a proposal to found the consortium (InitConsortium)
// and its founding organisations' confirmations (ConfirmConsortium).
type GenesisProposal struct {
	// ID is the proposing transaction's id.
	ID string `json:"id"`
	// Params are the parameters the consortium would start with.
	Params ConsortiumParams `json:"params"`
	// Founders are the founders, one per founding organisation.
	Founders []GenesisFounder `json:"founders"`
	// Confirmations are the founding organisations' admins' confirmations,
	// the proposer's first.
	Confirmations []Confirmation `json:"confirmations"`
	// Status is RequestPending, or RequestApproved once the consortium
	// started from it.
	Status string `json:"status"`
	// CreatedAt is the proposing transaction's timestamp.
	CreatedAt string `json:"createdAt"`
	// AppliedAt is when the consortium started from it; "" while pending.
	AppliedAt string `json:"appliedAt"`
}

// GenesisFounder is one founder of a GenesisProposal.
type GenesisFounder struct {
	// Member is the founder's member record, active once the consortium starts.
	Member Member `json:"member"`
	// OrganisationName is its organisation's name.
	OrganisationName string `json:"organisationName"`
	// Evidence is its genesis evidence: its prior and FounderEvidence.
	Evidence trust.Evidence `json:"evidence"`
}

// Confirmation is a founding organisation's consent to a genesis proposal.
type Confirmation struct {
	// MSPID is the confirming organisation.
	MSPID string `json:"mspId"`
	// Admin is the client id of the admin identity that confirmed.
	Admin string `json:"admin"`
	// TxID is the confirming transaction.
	TxID string `json:"txId"`
	// At is that transaction's timestamp.
	At string `json:"at"`
}

// maxIDLength bounds IDs so that keys and events stay small.
const maxIDLength = 64

// Composite-key object types, one per kind of record.
const (
	memberObjectType       = "member"
	identityObjectType     = "identity"
	organisationObjectType = "organisation"
	enrolmentObjectType    = "enrolment"
	parametersObjectType   = "parameters"
	proposalObjectType     = "proposal"
	certificateObjectType  = "certificate"
	trustObjectType        = "trust"
	trustClockObjectType   = "trustclock"
	snapshotObjectType     = "snapshot"
	projectObjectType      = "project"
	submittedObjectType    = "submitted"
	periodObjectType       = "period"
	statusObjectType       = "statusrequest"
	genesisObjectType      = "genesis"
	// keyAgreementObjectType keys a member's key history by member id and
	// number (zero-padded, so that key order is number order).
	keyAgreementObjectType = "keyagreementkey"
	keyOwnerObjectType     = "keyagreementowner"
)

var (
	idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	// channelPattern is Fabric's rule for channel names.
	channelPattern = regexp.MustCompile(`^[a-z][a-z0-9.-]{0,248}$`)
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

// validateChannel checks a channel name given in the argument named field.
func validateChannel(field, value string) error {
	if !channelPattern.MatchString(value) {
		return fmt.Errorf("%s %q is not a channel name: give the project channel's name, lowercase, starting with a letter, then a-z, 0-9, '.' and '-'", field, value)
	}
	return nil
}

// oneOf checks that value is one of allowed; what names the list, e.g. "a member role".
func oneOf(field, value, what string, allowed []string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return fmt.Errorf("%s %q is not %s: use one of %s", field, value, what, strings.Join(allowed, ", "))
}

// validateRole checks that role is one of Roles.
func validateRole(role string) error {
	return oneOf("role", role, "a member role", Roles)
}

// isCritical reports whether enrolment in role needs committee approval.
func isCritical(role string) bool {
	return role != RoleViewer
}
