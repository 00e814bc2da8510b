package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"

	"bcmlp.local/chaincode/trust"
)

// ContractName is the name clients prefix transactions with, as in
// "registry:RequestEnrolment".
const ContractName = "registry"

// Chaincode events, one per transaction (a peer keeps only a transaction's
// last event). Each payload is the JSON record named beside it.
const (
	EventConsortiumProposed            = "ConsortiumProposed"            // GenesisProposal
	EventConsortiumConfirmed           = "ConsortiumConfirmed"           // GenesisProposal, still pending
	EventConsortiumInitialised         = "ConsortiumInitialised"         // Genesis
	EventEnrolmentRequested            = "EnrolmentRequested"            // EnrolmentRequest
	EventEnrolmentApproved             = "EnrolmentApproved"             // EnrolmentRequest, still pending or just approved (organisations)
	EventEnrolmentRejected             = "EnrolmentRejected"             // EnrolmentRequest
	EventMemberEnrolled                = "MemberEnrolled"                // Member, just active
	EventOrganisationEnrolled          = "OrganisationEnrolled"          // Organisation, just approved
	EventMemberStatusRequested         = "MemberStatusRequested"         // StatusRequest, still pending
	EventMemberStatusChanged           = "MemberStatusChanged"           // Member
	EventParametersProposed            = "ParametersProposed"            // Proposal
	EventParametersVoted               = "ParametersVoted"               // Proposal, still pending
	EventParametersChanged             = "ParametersChanged"             // Parameters, just in force
	EventCertificateIssued             = "CertificateIssued"             // Certificate
	EventCertificateUpgradeApproved    = "CertificateUpgradeApproved"    // Certificate, still local
	EventCertificateUpgraded           = "CertificateUpgraded"           // Certificate, just global
	EventCertificateRevocationApproved = "CertificateRevocationApproved" // Certificate, still valid
	EventCertificateRevoked            = "CertificateRevoked"            // Certificate
	EventProjectRegistered             = "ProjectRegistered"             // Project
	EventPeriodClosed                  = "PeriodClosed"                  // TrustClock
	EventTrustSnapshotSubmitted        = "TrustSnapshotSubmitted"        // SnapshotReceipt
	EventPeriodApplied                 = "PeriodApplied"                 // AppliedPeriod
)

// Contract is the registry of the consortium.
type Contract struct {
	contractapi.Contract
}

// NewContract returns the registry contract under its fixed name.
func NewContract() *Contract {
	c := new(Contract)
	c.Name = ContractName
	c.Info = metadata.InfoMetadata{
		Title:       "bcmlp registry",
		Description: "Members, organisations, certificates, committee and trust table on the main chain",
		Version:     "0.3.0",
	}
	c.BeforeTransaction = checkArguments
	return c
}

// FounderEvidence is the genesis rule: each founder starts with its prior (as
// every member does) plus this much positive pseudo-evidence in
// trust.BandVeryHigh, as if the consortium's trusted core had vouched for it
// twenty times. With the default parameters a founder with a prior of 0 has
// r = 20.5 and s = 0.5, so trust 20/23 = 0.8696. InitConsortium refuses
// founders that the rule does not put at very high trust (possible only
// with a large priorWeight and a negative prior), since a committee must
// exist from the start.
const FounderEvidence = 20 * trust.Scale

// FounderFloor is the genesis standing that never decays: periods without
// feedback decay a founder's genesis evidence down to this, and no further.
// Six units alone give 6/(6+2) = 0.75, high trust, so idle founders keep
// their seats on the committee (members of at least high trust) however
// long nothing is rated, while members who earn very high trust by feedback
// rank above them; negative feedback still lowers a founder like anyone.
// InitConsortium refuses a founder whose prior would leave it at or below
// high trust at the floor.
const FounderFloor = 6 * trust.Scale

// maxFounders bounds the founders of InitConsortium.
const maxFounders = 16

// founderInput is one entry of InitConsortium's foundersJSON.
type founderInput struct {
	MemberID         string          `json:"memberId"`
	Role             string          `json:"role"`
	MSPID            string          `json:"mspId"`
	OrganisationName string          `json:"organisationName"`
	Identity         string          `json:"identity"`
	Prior            json.Number     `json:"prior"`
	Attributes       json.RawMessage `json:"attributes"`
}

// founder is a checked founderInput.
type founder struct {
	member   Member
	orgName  string
	evidence trust.Evidence
}

// InitConsortium proposes to start the consortium. paramsJSON overrides any
// of DefaultParams' fields ({} keeps them all); foundersJSON is a JSON array
// of {"memberId", "role", "mspId", "organisationName", "identity", "prior",
// "attributes"}, one founder per founding organisation (at least k, so at
// least two), identity being the founder's client id
// "x509::<subject>::<issuer>" and prior its attribute-based prior
// (fixed-point, default 0). The caller is an admin identity (NodeOU "admin")
// of one of the founding organisations, and proposing counts as its
// organisation's confirmation; the consortium starts once an admin of every
// founding organisation has confirmed (ConfirmConsortium), so that nobody
// can found it in others' names by submitting first. Several proposals may
// wait; the first one confirmed by all its organisations wins. Certificate
// attributes of founders (companyCertificate) are checked for form only,
// since no certificate exists yet. Returns the proposal id, the transaction
// id.
func (c *Contract) InitConsortium(ctx contractapi.TransactionContextInterface, paramsJSON string, foundersJSON string) (string, error) {
	params := DefaultParams()
	if err := decodeStrict(paramsJSON, &params); err != nil {
		return "", fmt.Errorf("paramsJSON %q is not a parameters object (%v): give {} for the defaults or e.g. {\"approvals\":3,\"trust\":{\"decay\":950000}}, whole fixed-point numbers (1000000 = 1.0)", paramsJSON, err)
	}
	if err := params.Validate(); err != nil {
		return "", fmt.Errorf("paramsJSON: %w", err)
	}
	founders, err := parseFounders(foundersJSON, params)
	if err != nil {
		return "", err
	}
	if int64(len(founders)) < params.Approvals {
		return "", fmt.Errorf("approvals %d exceeds the %d founders, who are the first committee: no request could ever be approved; lower approvals or add founders", params.Approvals, len(founders))
	}
	admin, err := callerAdmin(ctx, "InitConsortium")
	if err != nil {
		return "", err
	}
	if err := requireNotInitialised(ctx); err != nil {
		return "", err
	}
	stored := make([]GenesisFounder, len(founders))
	for i, f := range founders {
		stored[i] = GenesisFounder{Member: f.member, OrganisationName: f.orgName, Evidence: f.evidence}
	}
	if !foundedBy(stored, admin.mspID) {
		return "", fmt.Errorf("InitConsortium must be submitted by an admin of a founding organisation: your organisation %s founds none in foundersJSON", admin.mspID)
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	id := ctx.GetStub().GetTxID()
	prop := GenesisProposal{
		ID: id, Params: params, Founders: stored,
		Confirmations: []Confirmation{{MSPID: admin.mspID, Admin: admin.identity, TxID: id, At: now}},
		Status:        RequestPending, CreatedAt: now,
	}
	raw, err := putRecord(ctx, fmt.Sprintf("genesis proposal %q", id), prop, genesisObjectType, id)
	if err != nil {
		return "", err
	}
	return id, emit(ctx, EventConsortiumProposed, raw, fmt.Sprintf("genesis proposal %q", id))
}

// ConfirmConsortium records the confirmation of genesis proposal proposalID
// by the calling admin identity (NodeOU "admin") of one of its founding
// organisations, once per organisation. With every founding organisation's
// confirmation the consortium starts (ConsortiumInitialised): its parameters
// and period clock are written, the founders become active members with
// FounderEvidence, so that they form the first committee, and their
// organisations are enrolled; before that each confirmation emits
// ConsortiumConfirmed.
func (c *Contract) ConfirmConsortium(ctx contractapi.TransactionContextInterface, proposalID string) error {
	if err := validateID("proposalID", proposalID); err != nil {
		return err
	}
	admin, err := callerAdmin(ctx, "ConfirmConsortium")
	if err != nil {
		return err
	}
	if err := requireNotInitialised(ctx); err != nil {
		return err
	}
	var prop GenesisProposal
	what := fmt.Sprintf("genesis proposal %q", proposalID)
	if found, err := getRecord(ctx, what, &prop, genesisObjectType, proposalID); err != nil {
		return err
	} else if !found {
		return fmt.Errorf("%s does not exist: give the id InitConsortium returned", what)
	}
	if !foundedBy(prop.Founders, admin.mspID) {
		return fmt.Errorf("%s does not found your organisation %s: only admins of its founding organisations confirm it", what, admin.mspID)
	}
	for _, c := range prop.Confirmations {
		if c.MSPID == admin.mspID {
			return fmt.Errorf("%s was already confirmed for %s (transaction %s): each founding organisation confirms once", what, admin.mspID, c.TxID)
		}
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	prop.Confirmations = append(prop.Confirmations, Confirmation{MSPID: admin.mspID, Admin: admin.identity, TxID: ctx.GetStub().GetTxID(), At: now})
	if len(prop.Confirmations) < len(prop.Founders) {
		raw, err := putRecord(ctx, what, prop, genesisObjectType, proposalID)
		if err != nil {
			return err
		}
		return emit(ctx, EventConsortiumConfirmed, raw, what)
	}
	prop.Status, prop.AppliedAt = RequestApproved, now
	if _, err := putRecord(ctx, what, prop, genesisObjectType, proposalID); err != nil {
		return err
	}
	stored := Parameters{Version: 1, Params: prop.Params, ChangedAt: now}
	if _, err := putRecord(ctx, "the consortium parameters", stored, parametersObjectType); err != nil {
		return err
	}
	if _, err := putRecord(ctx, "the trust clock", TrustClock{OpenPeriod: 1, OpenedAt: now}, trustClockObjectType); err != nil {
		return err
	}
	genesis := Genesis{Parameters: stored, ProposalID: proposalID, Founders: []Member{}}
	for _, f := range prop.Founders {
		m := f.Member
		m.CreatedAt, m.UpdatedAt = now, now
		org := Organisation{MSPID: m.MSPID, Name: f.OrganisationName, Status: RequestApproved, Founding: true, CreatedAt: now, DecidedAt: now}
		if _, err := putRecord(ctx, fmt.Sprintf("organisation %q", m.MSPID), org, organisationObjectType, m.MSPID); err != nil {
			return err
		}
		if err := writeNewMember(ctx, m, f.Evidence, prop.Params); err != nil {
			return err
		}
		genesis.Founders = append(genesis.Founders, m)
	}
	return emit(ctx, EventConsortiumInitialised, genesis, "the consortium")
}

// requireNotInitialised refuses once the consortium has started.
func requireNotInitialised(ctx contractapi.TransactionContextInterface) error {
	if _, err := readParameters(ctx); err == nil {
		return fmt.Errorf("the consortium is already initialised: it is founded once; change parameters with ProposeParameters")
	} else if !errors.Is(err, errNotInitialised) {
		return err
	}
	return nil
}

// foundedBy reports whether mspID is a founding organisation among founders.
func foundedBy(founders []GenesisFounder, mspID string) bool {
	for _, f := range founders {
		if f.Member.MSPID == mspID {
			return true
		}
	}
	return false
}

// parseFounders reads and checks foundersJSON, giving each founder its genesis evidence.
func parseFounders(foundersJSON string, params ConsortiumParams) ([]founder, error) {
	var inputs []founderInput
	if err := decodeStrict(foundersJSON, &inputs); err != nil || len(inputs) == 0 {
		why := "no founders"
		if err != nil {
			why = err.Error()
		}
		return nil, fmt.Errorf(`foundersJSON is not a non-empty JSON array of founders (%s): give e.g. [{"memberId":"org1-admin","role":"admin","mspId":"Org1MSP","identity":"x509::CN=...::CN=...","prior":0,"attributes":{}}]`, why)
	}
	if len(inputs) > maxFounders {
		return nil, fmt.Errorf("foundersJSON lists %d founders: give at most %d, one per founding organisation", len(inputs), maxFounders)
	}
	out := make([]founder, 0, len(inputs))
	byMember := map[string]int{}
	byOrg := map[string]int{}
	for i, in := range inputs {
		at := fmt.Sprintf("founders[%d]", i)
		if err := validateID(at+".memberId", in.MemberID); err != nil {
			return nil, err
		}
		if j, dup := byMember[in.MemberID]; dup {
			return nil, fmt.Errorf("%s repeats memberId %q of founders[%d]: give each founder its own id", at, in.MemberID, j)
		}
		byMember[in.MemberID] = i
		if err := oneOf(at+".role", in.Role, "a member role", Roles); err != nil {
			return nil, err
		}
		if err := validateID(at+".mspId", in.MSPID); err != nil {
			return nil, err
		}
		if j, dup := byOrg[in.MSPID]; dup {
			return nil, fmt.Errorf("%s repeats organisation %q of founders[%d]: give one founder per founding organisation", at, in.MSPID, j)
		}
		byOrg[in.MSPID] = i
		if !strings.HasPrefix(in.Identity, "x509::") || len(in.Identity) > 1024 {
			return nil, fmt.Errorf("%s.identity %q is not a client id: give the founder's \"x509::<subject DN>::<issuer DN>\" as Fabric's cid package reports it", at, in.Identity)
		}
		orgName := in.OrganisationName
		if orgName == "" {
			orgName = in.MSPID
		}
		if err := validateText(at+".organisationName", orgName, maxTextLength); err != nil {
			return nil, err
		}
		prior := int64(0)
		if in.Prior != "" {
			p, err := strconv.ParseInt(string(in.Prior), 10, 64)
			if err != nil || p < -trust.Scale || p > trust.Scale {
				return nil, fmt.Errorf("%s.prior %s is not a whole number in [%d, %d] (fixed-point, %d = 1.0)", at, in.Prior, -trust.Scale, trust.Scale, trust.Scale)
			}
			prior = p
		}
		rawAttrs := string(in.Attributes)
		if rawAttrs == "" {
			rawAttrs = "{}"
		}
		attrs, err := parseAttributes(in.Role, false, rawAttrs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		var ev trust.Evidence
		if err := ev.AddPrior(prior, params.Trust); err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		atFloor := ev
		atFloor.Positive[trust.BandVeryHigh] += FounderFloor
		ev.Positive[trust.BandVeryHigh] += FounderEvidence
		if t := ev.Trust(params.Trust); trust.LevelOf(t) != trust.VeryHighTrust {
			return nil, fmt.Errorf("%s %q would start at trust %d (%s), not very high trust: with priorWeight %d its prior %d outweighs the genesis evidence; raise its prior", at, in.MemberID, t, trust.LevelOf(t), params.Trust.PriorWeight, prior)
		}
		// Decay shrinks the prior's evidence too, so between genesis and the
		// floor a founder's trust lies between these two values.
		if t := atFloor.Trust(params.Trust); t <= highTrust {
			return nil, fmt.Errorf("%s %q would fall to trust %d (%s) at its genesis floor: with priorWeight %d its prior %d could leave the committee without approvers; raise its prior", at, in.MemberID, t, trust.LevelOf(t), params.Trust.PriorWeight, prior)
		}
		out = append(out, founder{
			member: Member{
				ID: in.MemberID, MSPID: in.MSPID, Identity: in.Identity, Role: in.Role, Organisation: in.MSPID,
				Status: StatusActive, Attributes: attrs, Documents: []Document{}, Founder: true,
			},
			orgName:  orgName,
			evidence: ev,
		})
	}
	return out, nil
}

// writeNewMember writes an active member with its identity binding and its
// trust record holding evidence; its weight is its trust now.
func writeNewMember(ctx contractapi.TransactionContextInterface, m Member, evidence trust.Evidence, p ConsortiumParams) error {
	if err := writeMember(ctx, m); err != nil {
		return err
	}
	binding := identityBinding{MemberID: m.ID}
	if _, err := putRecord(ctx, fmt.Sprintf("the binding of identity %q", m.Identity), binding, identityObjectType, m.MSPID, m.Identity); err != nil {
		return err
	}
	if m.Status == StatusActive {
		r := &TrustRecord{MemberID: m.ID, Evidence: evidence, Weight: evidence.Trust(p.Trust)}
		if m.Founder {
			r.Floor = FounderFloor
		}
		return writeTrustRecord(ctx, r)
	}
	return nil
}

// writeMember writes member m.
func writeMember(ctx contractapi.TransactionContextInterface, m Member) error {
	_, err := putRecord(ctx, fmt.Sprintf("member %q", m.ID), m, memberObjectType, m.ID)
	return err
}

// writeTrustRecord writes a member's trust record.
func writeTrustRecord(ctx contractapi.TransactionContextInterface, r *TrustRecord) error {
	_, err := putRecord(ctx, fmt.Sprintf("the trust of member %q", r.MemberID), r, trustObjectType, r.MemberID)
	return err
}

// RequestEnrolment asks for the caller's own identity to be enrolled as
// member memberID in role, with the role's attributes (attributesJSON, a JSON
// object; see attributeSchemas) and documentsJSON, a JSON array of
// {"cid", "sha256", "name"} documents on IPFS. The member's organisation is
// the caller's MSP, which must be an enrolled organisation. A viewer is
// enrolled at once (MemberEnrolled); every other role is critical and stays
// pending until the committee approves (EnrolmentRequested), and needs at
// least one document. Returns the request id, the transaction id.
func (c *Contract) RequestEnrolment(ctx contractapi.TransactionContextInterface, memberID string, role string, attributesJSON string, documentsJSON string) (string, error) {
	if err := validateID("memberID", memberID); err != nil {
		return "", err
	}
	if err := validateRole(role); err != nil {
		return "", err
	}
	attrs, err := parseAttributes(role, false, attributesJSON)
	if err != nil {
		return "", err
	}
	docs, err := parseDocuments("documentsJSON", documentsJSON)
	if err != nil {
		return "", err
	}
	if isCritical(role) && len(docs) == 0 {
		return "", fmt.Errorf("documentsJSON lists no documents: the role %q is critical, so give at least one document on IPFS for the committee to review", role)
	}
	params, err := readParameters(ctx)
	if err != nil {
		return "", err
	}
	who, err := callerOf(ctx)
	if err != nil {
		return "", err
	}
	if err := requireEnrolledOrganisation(ctx, who.mspID); err != nil {
		return "", err
	}
	var existing Member
	if found, err := getRecord(ctx, fmt.Sprintf("member %q", memberID), &existing, memberObjectType, memberID); err != nil {
		return "", err
	} else if found {
		return "", fmt.Errorf("member %q already exists: choose another memberID", memberID)
	}
	bound, err := boundMember(ctx, who.mspID, who.identity)
	if err != nil {
		return "", err
	}
	if bound != "" {
		return "", fmt.Errorf("your identity %q of %s is already bound to member %q: one identity enrols one member", who.identity, who.mspID, bound)
	}
	if err := checkCertificateReferences(ctx, role, attrs); err != nil {
		return "", err
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	requestID := ctx.GetStub().GetTxID()
	m := Member{
		ID: memberID, MSPID: who.mspID, Identity: who.identity, Role: role, Organisation: who.mspID,
		Status: StatusPending, Attributes: attrs, Documents: docs, RequestID: requestID, CreatedAt: now, UpdatedAt: now,
	}
	req := EnrolmentRequest{
		ID: requestID, Kind: KindMember, Subject: memberID, Role: role, MSPID: who.mspID,
		Requester: who.identity, RequesterMSP: who.mspID, Attributes: attrs, Documents: docs,
		Status: RequestPending, Approvals: []Approval{}, CreatedAt: now,
	}
	if !isCritical(role) {
		m.Status = StatusActive
		req.Status, req.DecidedAt = RequestApproved, now
	}
	var evidence trust.Evidence
	if err := evidence.AddPrior(priorFromAttributes(attrs), params.Params.Trust); err != nil {
		return "", err
	}
	if err := writeNewMember(ctx, m, evidence, params.Params); err != nil {
		return "", err
	}
	if _, err := putRecord(ctx, fmt.Sprintf("enrolment request %q", requestID), req, enrolmentObjectType, requestID); err != nil {
		return "", err
	}
	if m.Status == StatusActive {
		return requestID, emit(ctx, EventMemberEnrolled, m, fmt.Sprintf("member %q", memberID))
	}
	return requestID, emit(ctx, EventEnrolmentRequested, req, fmt.Sprintf("member %q", memberID))
}

// readOrganisation returns organisation mspID, refusing one never requested.
func readOrganisation(ctx contractapi.TransactionContextInterface, mspID string) (*Organisation, error) {
	var org Organisation
	found, err := getRecord(ctx, fmt.Sprintf("organisation %q", mspID), &org, organisationObjectType, mspID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("organisation %q is not enrolled in the consortium: a member must first request its enrolment with RequestOrganisationEnrolment", mspID)
	}
	return &org, nil
}

// requireEnrolledOrganisation refuses an MSP that is not an approved organisation.
func requireEnrolledOrganisation(ctx contractapi.TransactionContextInterface, mspID string) error {
	org, err := readOrganisation(ctx, mspID)
	if err != nil {
		return err
	}
	if org.Status != RequestApproved {
		return fmt.Errorf("organisation %q is not enrolled in the consortium: its enrolment request %q is %s", mspID, org.RequestID, org.Status)
	}
	return nil
}

// checkCertificateReferences refuses attributes of kind that name a
// certificate which does not exist, is of another kind, or is revoked.
func checkCertificateReferences(ctx contractapi.TransactionContextInterface, kind string, attrs map[string]string) error {
	for _, ref := range certificateReferences(kind, attrs) {
		id := attrs[ref.name]
		cert, found, err := readCertificate(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case !found:
			return fmt.Errorf("attribute %q names certificate %q, which does not exist: give the id of a valid %s certificate", ref.name, id, ref.certificateKind)
		case cert.Kind != ref.certificateKind:
			return fmt.Errorf("attribute %q names certificate %q, a %s certificate: give the id of a valid %s certificate", ref.name, id, cert.Kind, ref.certificateKind)
		case cert.Status != CertificateValid:
			return fmt.Errorf("attribute %q names certificate %q, which is revoked: a revoked certificate is never valid again", ref.name, id)
		}
	}
	return nil
}

// RequestOrganisationEnrolment asks for organisation mspID, called name, to
// join the consortium, with documentsJSON (at least one document on IPFS).
// The caller is the sponsoring member: the newcomer cannot submit on the main
// chain before the channel configuration admits it. The request follows the
// committee's k-of-n approval; the admin tool checks GetOrganisationEnrolment
// before changing the channel configuration. Returns the request id.
func (c *Contract) RequestOrganisationEnrolment(ctx contractapi.TransactionContextInterface, mspID string, name string, documentsJSON string) (string, error) {
	if err := validateID("mspID", mspID); err != nil {
		return "", err
	}
	if err := validateText("name", name, maxTextLength); err != nil {
		return "", fmt.Errorf("%w: give the organisation's name", err)
	}
	docs, err := parseDocuments("documentsJSON", documentsJSON)
	if err != nil {
		return "", err
	}
	if len(docs) == 0 {
		return "", fmt.Errorf("documentsJSON lists no documents: give at least one document on IPFS for the committee to review")
	}
	params, err := readParameters(ctx)
	if err != nil {
		return "", err
	}
	sponsor, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return "", err
	}
	if err := requireRole(sponsor, "sponsoring an organisation", RoleAdmin, "company"); err != nil {
		return "", err
	}
	var existing Organisation
	found, err := getRecord(ctx, fmt.Sprintf("organisation %q", mspID), &existing, organisationObjectType, mspID)
	if err != nil {
		return "", err
	}
	if found && existing.Status == RequestApproved {
		return "", fmt.Errorf("organisation %q is already enrolled", mspID)
	}
	if found && existing.Status == RequestPending {
		return "", fmt.Errorf("organisation %q already has the pending enrolment request %q: approve or reject it first", mspID, existing.RequestID)
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	requestID := ctx.GetStub().GetTxID()
	org := Organisation{MSPID: mspID, Name: name, Status: RequestPending, RequestID: requestID, CreatedAt: now}
	req := EnrolmentRequest{
		ID: requestID, Kind: KindOrganisation, Subject: mspID, Name: name, MSPID: mspID,
		Requester: sponsor.Identity, RequesterMSP: sponsor.MSPID, Sponsor: sponsor.ID,
		Attributes: map[string]string{}, Documents: docs, Status: RequestPending, Approvals: []Approval{}, CreatedAt: now,
	}
	if _, err := putRecord(ctx, fmt.Sprintf("organisation %q", mspID), org, organisationObjectType, mspID); err != nil {
		return "", err
	}
	if _, err := putRecord(ctx, fmt.Sprintf("enrolment request %q", requestID), req, enrolmentObjectType, requestID); err != nil {
		return "", err
	}
	return requestID, emit(ctx, EventEnrolmentRequested, req, fmt.Sprintf("organisation %q", mspID))
}

// readRequest returns enrolment request id, refusing one that does not exist.
func readRequest(ctx contractapi.TransactionContextInterface, id string) (*EnrolmentRequest, error) {
	var req EnrolmentRequest
	found, err := getRecord(ctx, fmt.Sprintf("enrolment request %q", id), &req, enrolmentObjectType, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("enrolment request %q does not exist: give the id RequestEnrolment or RequestOrganisationEnrolment returned", id)
	}
	return &req, nil
}

// readPendingRequest returns enrolment request id, refusing one already decided.
func readPendingRequest(ctx contractapi.TransactionContextInterface, id string) (*EnrolmentRequest, error) {
	req, err := readRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if req.Status != RequestPending {
		return nil, fmt.Errorf("enrolment request %q is already %s (%s): it can no longer be approved or rejected", id, req.Status, req.DecidedAt)
	}
	return req, nil
}

// hasApproved reports whether memberID is among approvals.
func hasApproved(approvals []Approval, memberID string) bool {
	for _, a := range approvals {
		if a.MemberID == memberID {
			return true
		}
	}
	return false
}

// ApproveEnrolment records the calling committee member's approval of
// enrolment request requestID. Each committee member approves once; an
// approval by anyone else is refused as forged; the sponsor of an
// organisation does not approve its own request. With Approvals (k, as in
// force at the time of the approval) approvals the request is approved: a member becomes active with its
// attribute-based prior as its trust evidence (MemberEnrolled), an
// organisation becomes enrolled (OrganisationEnrolled); before that each
// approval emits EnrolmentApproved.
func (c *Contract) ApproveEnrolment(ctx contractapi.TransactionContextInterface, requestID string) error {
	if err := validateID("requestID", requestID); err != nil {
		return err
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	approver, _, err := requireCommittee(ctx, params.Params, "forged approval")
	if err != nil {
		return err
	}
	req, err := readPendingRequest(ctx, requestID)
	if err != nil {
		return err
	}
	if hasApproved(req.Approvals, approver.ID) {
		return fmt.Errorf("member %q has already approved enrolment request %q: each committee member approves once", approver.ID, requestID)
	}
	if req.Sponsor == approver.ID {
		return fmt.Errorf("member %q sponsors enrolment request %q and cannot approve it: other committee members must", approver.ID, requestID)
	}
	if req.Subject == approver.ID || (req.Kind == KindOrganisation && req.Subject == approver.Organisation) {
		return fmt.Errorf("member %q is the subject of enrolment request %q and cannot approve it: nobody approves their own case", approver.ID, requestID)
	}
	var member *Member
	var org *Organisation
	if req.Kind == KindMember {
		if member, err = readMember(ctx, req.Subject); err != nil {
			return err
		}
		if member.Status != StatusPending {
			return fmt.Errorf("member %q of enrolment request %q is %s, not pending: the request cannot be approved", member.ID, requestID, member.Status)
		}
	} else if org, err = readOrganisation(ctx, req.Subject); err != nil {
		return err
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	req.Approvals = append(req.Approvals, approvalBy(ctx, approver, now))
	approved := decided(req.Approvals, params.Params.Approvals)
	if approved {
		req.Status, req.DecidedAt = RequestApproved, now
	}
	if _, err := putRecord(ctx, fmt.Sprintf("enrolment request %q", requestID), req, enrolmentObjectType, requestID); err != nil {
		return err
	}
	if !approved {
		return emit(ctx, EventEnrolmentApproved, req, fmt.Sprintf("enrolment request %q", requestID))
	}
	if req.Kind == KindOrganisation {
		org.Status, org.DecidedAt = RequestApproved, now
		if _, err := putRecord(ctx, fmt.Sprintf("organisation %q", org.MSPID), org, organisationObjectType, org.MSPID); err != nil {
			return err
		}
		return emit(ctx, EventOrganisationEnrolled, org, fmt.Sprintf("organisation %q", org.MSPID))
	}
	member.Status, member.UpdatedAt = StatusActive, now
	if err := writeMember(ctx, *member); err != nil {
		return err
	}
	var evidence trust.Evidence
	if err := evidence.AddPrior(priorFromAttributes(member.Attributes), params.Params.Trust); err != nil {
		return err
	}
	if err := writeTrustRecord(ctx, &TrustRecord{MemberID: member.ID, Evidence: evidence, Weight: evidence.Trust(params.Params.Trust)}); err != nil {
		return err
	}
	return emit(ctx, EventMemberEnrolled, member, fmt.Sprintf("member %q", member.ID))
}

// RejectEnrolment rejects enrolment request requestID for reason; one
// committee member's rejection is enough. A rejected member's pending record
// and identity binding are removed, so that the newcomer may request again
// with better documents; the request stays on record.
func (c *Contract) RejectEnrolment(ctx contractapi.TransactionContextInterface, requestID string, reason string) error {
	if err := validateID("requestID", requestID); err != nil {
		return err
	}
	if err := validateText("reason", reason, maxTextLength); err != nil {
		return fmt.Errorf("%w: say why the request is rejected", err)
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	rejecter, _, err := requireCommittee(ctx, params.Params, "RejectEnrolment needs the committee")
	if err != nil {
		return err
	}
	req, err := readPendingRequest(ctx, requestID)
	if err != nil {
		return err
	}
	var org *Organisation
	if req.Kind == KindOrganisation {
		if org, err = readOrganisation(ctx, req.Subject); err != nil {
			return err
		}
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	req.Status, req.RejectedBy, req.Reason, req.DecidedAt = RequestRejected, rejecter.ID, reason, now
	if _, err := putRecord(ctx, fmt.Sprintf("enrolment request %q", requestID), req, enrolmentObjectType, requestID); err != nil {
		return err
	}
	if req.Kind == KindOrganisation {
		org.Status, org.DecidedAt = RequestRejected, now
		if _, err := putRecord(ctx, fmt.Sprintf("organisation %q", org.MSPID), org, organisationObjectType, org.MSPID); err != nil {
			return err
		}
	} else {
		if err := delRecord(ctx, fmt.Sprintf("member %q", req.Subject), memberObjectType, req.Subject); err != nil {
			return err
		}
		if err := delRecord(ctx, fmt.Sprintf("the binding of identity %q", req.Requester), identityObjectType, req.MSPID, req.Requester); err != nil {
			return err
		}
	}
	return emit(ctx, EventEnrolmentRejected, req, fmt.Sprintf("enrolment request %q", requestID))
}

// ProposeParameters proposes new consortium parameters: paramsJSON overrides
// any fields of those in force. Only committee members propose, and
// proposing counts as the proposer's vote; with Approvals (k) votes the
// parameters take effect (ParametersChanged), before that the proposal waits
// (ParametersProposed). A proposal whose k would exceed the committee it
// leaves is refused, since no request could be approved afterwards. Returns
// the proposal id, the transaction id.
func (c *Contract) ProposeParameters(ctx contractapi.TransactionContextInterface, paramsJSON string) (string, error) {
	current, err := readParameters(ctx)
	if err != nil {
		return "", err
	}
	proposer, tab, err := requireCommittee(ctx, current.Params, "ProposeParameters needs the committee")
	if err != nil {
		return "", err
	}
	next := current.Params
	if err := decodeStrict(paramsJSON, &next); err != nil {
		return "", fmt.Errorf("paramsJSON %q is not a parameters object (%v): give the fields to change, e.g. {\"trustFloor\":100000}, whole fixed-point numbers (1000000 = 1.0)", paramsJSON, err)
	}
	if err := next.Validate(); err != nil {
		return "", fmt.Errorf("paramsJSON: %w", err)
	}
	if next == current.Params {
		return "", fmt.Errorf("paramsJSON %q changes nothing: give at least one field with a new value", paramsJSON)
	}
	if err := checkCommitteeCanApprove(tab, next); err != nil {
		return "", err
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	id := ctx.GetStub().GetTxID()
	prop := Proposal{
		ID: id, Proposer: proposer.ID, BaseVersion: current.Version, Params: next,
		Votes: []Approval{approvalBy(ctx, proposer, now)}, Status: RequestPending, CreatedAt: now,
	}
	return id, recordVote(ctx, current, &prop, now)
}

// checkCommitteeCanApprove refuses parameters under which the committee
// could approve nothing: fewer than k seats, or seats of one organisation.
func checkCommitteeCanApprove(t *table, p ConsortiumParams) error {
	seats := committee(t, p)
	if n := int64(len(seats)); n < p.Approvals {
		return fmt.Errorf("approvals %d exceeds the %d members the committee would have under these parameters: no request could be approved; lower approvals", p.Approvals, n)
	}
	orgs := map[string]bool{}
	for _, s := range seats {
		orgs[t.members[s.MemberID].Organisation] = true
	}
	if len(orgs) < 2 {
		return fmt.Errorf("the committee would have members of %d organisation under these parameters: committee actions need two, so no request could be approved", len(orgs))
	}
	return nil
}

// recordVote writes proposal prop after a vote and applies it when it has k votes.
func recordVote(ctx contractapi.TransactionContextInterface, current *Parameters, prop *Proposal, now string) error {
	applied := decided(prop.Votes, current.Params.Approvals)
	if applied {
		prop.Status, prop.AppliedAt = ProposalApplied, now
	}
	if _, err := putRecord(ctx, fmt.Sprintf("proposal %q", prop.ID), prop, proposalObjectType, prop.ID); err != nil {
		return err
	}
	if !applied {
		name := EventParametersVoted
		if len(prop.Votes) == 1 {
			name = EventParametersProposed
		}
		return emit(ctx, name, prop, fmt.Sprintf("proposal %q", prop.ID))
	}
	next := Parameters{Version: current.Version + 1, Params: prop.Params, ProposalID: prop.ID, ChangedAt: now}
	if _, err := putRecord(ctx, "the consortium parameters", next, parametersObjectType); err != nil {
		return err
	}
	return emit(ctx, EventParametersChanged, next, fmt.Sprintf("proposal %q", prop.ID))
}

// VoteParameters records the calling committee member's vote for proposal
// proposalID; with k votes its parameters take effect. A member votes once;
// a vote by anyone not on the committee is refused as forged; a proposal made
// against parameters no longer in force cannot be voted on.
func (c *Contract) VoteParameters(ctx contractapi.TransactionContextInterface, proposalID string) error {
	if err := validateID("proposalID", proposalID); err != nil {
		return err
	}
	current, err := readParameters(ctx)
	if err != nil {
		return err
	}
	voter, tab, err := requireCommittee(ctx, current.Params, "forged approval")
	if err != nil {
		return err
	}
	prop, err := readProposal(ctx, proposalID)
	if err != nil {
		return err
	}
	if prop.Status == ProposalApplied {
		return fmt.Errorf("proposal %q was already applied (%s)", proposalID, prop.AppliedAt)
	}
	if prop.BaseVersion != current.Version {
		return fmt.Errorf("proposal %q was made against parameters version %d, but version %d is in force: propose the change again", proposalID, prop.BaseVersion, current.Version)
	}
	if hasApproved(prop.Votes, voter.ID) {
		return fmt.Errorf("member %q has already voted for proposal %q: each committee member votes once", voter.ID, proposalID)
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	prop.Votes = append(prop.Votes, approvalBy(ctx, voter, now))
	if decided(prop.Votes, current.Params.Approvals) {
		if err := checkCommitteeCanApprove(tab, prop.Params); err != nil {
			return fmt.Errorf("proposal %q cannot be applied now: %w", proposalID, err)
		}
	}
	return recordVote(ctx, current, prop, now)
}

// readProposal returns proposal id, refusing one that does not exist.
func readProposal(ctx contractapi.TransactionContextInterface, id string) (*Proposal, error) {
	var p Proposal
	found, err := getRecord(ctx, fmt.Sprintf("proposal %q", id), &p, proposalObjectType, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("proposal %q does not exist: give the id ProposeParameters returned", id)
	}
	return &p, nil
}
