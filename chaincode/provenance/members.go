package provenance

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// memberRoles are the registry's member roles (registry.Roles; a test keeps
// the two lists equal). Roles are the registry's: a channel lists a member
// under the role the committee certified, never one its admin chose.
var memberRoles = []string{
	"company", "customer", "domain-expert", "data-scientist", "quality-auditor", "condition-monitor", "admin", roleViewer,
}

// roleViewer only reads, on mainchain and on every project channel.
const roleViewer = "viewer"

// Bounds on the member list.
const (
	maxMembers       = 256
	maxClientID      = 1024
	maxRemovalReason = 256
)

// The cross-channel query every provenance write makes. The registry
// (chaincode "registry" on channel mainchain) answers
//
//	InvokeChaincode("registry", [][]byte{[]byte("registry:GetStanding"), []byte(memberID)}, "mainchain")
//
// with status 200 and the member's Standing as JSON. Fabric runs it on the
// endorsing peer, which has joined mainchain as every consortium peer has;
// it is read-only and not re-validated at commit, but every endorsing
// organisation's own peer runs it, and the channel's endorsement policy
// needs a majority of them.
const (
	registryChaincode = "registry"
	registryChannel   = "mainchain"
	standingFunction  = "registry:GetStanding"
	registryActive    = "active"
)

// standing is the registry's answer to GetStanding (registry.Standing).
type standing struct {
	MemberID     string `json:"memberId"`
	Identity     string `json:"identity"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
	Status       string `json:"status"`
	Trust        int64  `json:"trust"`
	Level        string `json:"level"`
	TrustFloor   int64  `json:"trustFloor"`
}

// readStanding asks the registry on mainchain for member memberID's standing.
func readStanding(ctx contractapi.TransactionContextInterface, memberID string) (*standing, error) {
	resp := ctx.GetStub().InvokeChaincode(registryChaincode, [][]byte{[]byte(standingFunction), []byte(memberID)}, registryChannel)
	if resp == nil || resp.Status != shim.OK {
		status, message := int32(0), "no response"
		if resp != nil {
			status, message = resp.Status, resp.Message
		}
		return nil, fmt.Errorf("checking member %q in the registry on %s failed (status %d: %s): the endorsing peer must have joined %s, where %s answers %s", memberID, registryChannel, status, message, registryChannel, registryChaincode, standingFunction)
	}
	var s standing
	if err := json.Unmarshal(resp.Payload, &s); err != nil || s.MemberID != memberID {
		return nil, fmt.Errorf("checking member %q in the registry on %s: %s returned %q, not that member's standing", memberID, registryChannel, standingFunction, resp.Payload)
	}
	return &s, nil
}

// certificateFunction is the registry query AddPhase makes for the phase
// writer's certificate: it answers registry.Certificate as JSON, and
// refuses an unknown id with certificateUnknown's message.
const certificateFunction = "registry:GetCertificate"

// certificateUnknown is how the registry's GetCertificate begins its refusal
// of a certificate it does not hold (registry readExistingCertificate; a
// test in cmd/bcmlp-cc runs the real registry to keep the two agreeing).
const certificateUnknown = "certificate %q does not exist"

// Registry certificate scopes and statuses (registry.ScopeLocal,
// ScopeGlobal, CertificateValid, CertificateRevoked; a test keeps them equal).
const (
	scopeLocal         = "local"
	scopeGlobal        = "global"
	certificateValid   = "valid"
	certificateRevoked = "revoked"
)

// registryCertificate is the registry's answer to GetCertificate
// (registry.Certificate), the fields AddPhase checks.
type registryCertificate struct {
	ID               string `json:"id"`
	Kind             string `json:"kind"`
	Subject          string `json:"subject"`
	Scope            string `json:"scope"`
	ProjectChannel   string `json:"projectChannel"`
	Status           string `json:"status"`
	RevokedBy        string `json:"revokedBy"`
	RevocationReason string `json:"revocationReason"`
	RevokedAt        string `json:"revokedAt"`
}

// readRegistryCertificate asks the registry on mainchain for certificate
// certID; it returns nil and no error when the registry does not hold it,
// so that the caller can name an unknown certificate apart from a registry
// that cannot be reached.
func readRegistryCertificate(ctx contractapi.TransactionContextInterface, certID string) (*registryCertificate, error) {
	resp := ctx.GetStub().InvokeChaincode(registryChaincode, [][]byte{[]byte(certificateFunction), []byte(certID)}, registryChannel)
	if resp != nil && resp.Status != shim.OK && strings.HasPrefix(resp.Message, fmt.Sprintf(certificateUnknown, certID)) {
		return nil, nil
	}
	if resp == nil || resp.Status != shim.OK {
		status, message := int32(0), "no response"
		if resp != nil {
			status, message = resp.Status, resp.Message
		}
		return nil, fmt.Errorf("checking certificate %q in the registry on %s failed (status %d: %s): the endorsing peer must have joined %s, where %s answers %s", certID, registryChannel, status, message, registryChannel, registryChaincode, certificateFunction)
	}
	var c registryCertificate
	if err := json.Unmarshal(resp.Payload, &c); err != nil || c.ID != certID {
		return nil, fmt.Errorf("checking certificate %q in the registry on %s: %s returned %q, not that certificate", certID, registryChannel, certificateFunction, resp.Payload)
	}
	return &c, nil
}

// checkRegistryAgrees refuses a listed member whose registry record binds
// another identity, role or organisation: the list copies the registry, and
// an admin must not list its staff under roles the committee never gave.
func checkRegistryAgrees(channel string, m memberArgument, s *standing) error {
	switch {
	case s.Identity != m.Identity:
		return fmt.Errorf("member %q of project channel %s is bound in the registry to identity %q, not %q: the channel writes only as the identity the registry binds", m.MemberID, channel, s.Identity, m.Identity)
	case s.Organisation != m.Organisation:
		return fmt.Errorf("member %q of project channel %s belongs to %s in the registry, not %s: list it under its registry organisation", m.MemberID, channel, s.Organisation, m.Organisation)
	case s.Role != m.Role:
		return fmt.Errorf("member %q of project channel %s has the role %s in the registry, not %s: list it under its registry role", m.MemberID, channel, s.Role, m.Role)
	}
	return nil
}

// writer is the channel member signing a write, checked against the registry.
type writer struct {
	stamp
	Member *ProjectMember
	Trust  TrustAtWrite // its standing's trust, read while checking it
}

// requireWriter returns the caller as a channel member that may write now,
// with its stamp: the channel is initialised, the caller's identity is on
// the member list and not removed, the registry binds that member to the
// same identity, role and organisation, the member is active there, at or
// above the trust floor, and not a viewer. action names the write for
// messages, e.g. "recording an artifact".
func requireWriter(ctx contractapi.TransactionContextInterface, action string) (*writer, PeriodClock, error) {
	st, err := newStamp(ctx)
	if err != nil {
		return nil, PeriodClock{}, err
	}
	clock, err := readInitialisedClock(ctx, action)
	if err != nil {
		return nil, PeriodClock{}, err
	}
	channel := ctx.GetStub().GetChannelID()
	memberID, err := memberOfIdentity(ctx, st.ID)
	if err != nil {
		return nil, PeriodClock{}, err
	}
	if memberID == "" {
		return nil, PeriodClock{}, fmt.Errorf("%s: not a member of project channel %s: your identity %q of %s is on no entry of its member list; an admin of your organisation adds you with AddMember", action, channel, st.ID, st.MSPID)
	}
	m, err := readProjectMember(ctx, memberID)
	if err != nil {
		return nil, PeriodClock{}, err
	}
	if m.Status != MemberListed {
		last := m.Changes[len(m.Changes)-1]
		return nil, PeriodClock{}, fmt.Errorf("%s: not a member of project channel %s: member %q was removed in transaction %s (%s); an admin of %s adds it again with AddMember", action, channel, m.MemberID, last.TxID, last.Reason, m.Organisation)
	}
	if m.Identity != st.ID || m.Organisation != st.MSPID {
		return nil, PeriodClock{}, fmt.Errorf("%s: not a member of project channel %s: member %q is listed with identity %q of %s now, not yours (%q of %s)", action, channel, m.MemberID, m.Identity, m.Organisation, st.ID, st.MSPID)
	}
	s, err := readStanding(ctx, m.MemberID)
	if err != nil {
		return nil, PeriodClock{}, fmt.Errorf("%s: %w", action, err)
	}
	listed := memberArgument{MemberID: m.MemberID, Identity: m.Identity, Role: m.Role, Organisation: m.Organisation}
	if err := checkRegistryAgrees(channel, listed, s); err != nil {
		return nil, PeriodClock{}, fmt.Errorf("%s: %w", action, err)
	}
	if s.Status != registryActive {
		return nil, PeriodClock{}, fmt.Errorf("%s: member %q is %s in the registry: only active members write; %s", action, m.MemberID, s.Status, statusRemedy(s.Status))
	}
	if s.Trust < s.TrustFloor {
		return nil, PeriodClock{}, fmt.Errorf("%s: member %q has trust %d (%s), below the registry's trust floor %d: members below the floor cannot write until feedback lifts their trust", action, m.MemberID, s.Trust, s.Level, s.TrustFloor)
	}
	if m.Role == roleViewer {
		return nil, PeriodClock{}, fmt.Errorf("%s needs a role other than viewer: member %q is a viewer, and viewers only read", action, m.MemberID)
	}
	return &writer{stamp: st, Member: m, Trust: TrustAtWrite{Trust: s.Trust, Level: s.Level}}, clock, nil
}

// statusRemedy says what a member of status can do about it.
func statusRemedy(status string) string {
	switch status {
	case "suspended":
		return "the committee reinstates suspended members (registry RequestMemberStatus)"
	case "revoked":
		return "revoked members never write again; enrol a new member with a new identity"
	case "pending":
		return "the committee must approve its enrolment first"
	}
	return "ask the committee"
}

// AddMember lists a registry member on this project channel, or lists a
// removed one again. memberJSON is
//
//	{"memberId":"m-7","identity":"x509::<subject>::<issuer>","role":"data-scientist","organisation":"Org2MSP"}
//
// the member as the registry records it (its bound identity, role and
// organisation, which the contract checks by cross-channel query). The
// caller is an admin identity of the member's own organisation, which must
// be a project organisation. A MemberAdded event carries the ProjectMember.
func (c *Contract) AddMember(ctx contractapi.TransactionContextInterface, memberJSON string) error {
	var arg memberArgument
	if err := decodeStrict("memberJSON", memberJSON, memberExample, &arg); err != nil {
		return err
	}
	clock, err := readInitialisedClock(ctx, "adding a member")
	if err != nil {
		return err
	}
	if err := validateMember("memberJSON", arg, clock.Organisations); err != nil {
		return err
	}
	if _, err := requireOrganisationAdmin(ctx, "AddMember", arg.Organisation); err != nil {
		return err
	}
	st, err := newStamp(ctx)
	if err != nil {
		return err
	}
	listing, err := prepareListing(ctx, arg, st)
	if err != nil {
		return err
	}
	if err := listing.write(ctx); err != nil {
		return err
	}
	record, err := json.Marshal(listing.record)
	if err != nil {
		return fmt.Errorf("encoding member %q: %w", arg.MemberID, err)
	}
	return emit(ctx, EventMemberAdded, fmt.Sprintf("member %q", arg.MemberID), record)
}

// RemoveMember marks member memberID removed from this channel's member list
// (it stays listed as removed, so its records still resolve); from then on
// its writes are refused. reason (1 to 256 bytes) says why. The caller is an
// admin identity of the member's organisation. A MemberRemoved event carries
// the ProjectMember.
func (c *Contract) RemoveMember(ctx contractapi.TransactionContextInterface, memberID string, reason string) error {
	if err := validateID("memberID", memberID); err != nil {
		return err
	}
	if err := validateText("reason", reason, maxRemovalReason, "why the member is removed"); err != nil {
		return err
	}
	if _, err := readInitialisedClock(ctx, "removing a member"); err != nil {
		return err
	}
	m, err := readProjectMember(ctx, memberID)
	if err != nil {
		return err
	}
	if _, err := requireOrganisationAdmin(ctx, "RemoveMember", m.Organisation); err != nil {
		return err
	}
	if m.Status == MemberRemoved {
		last := m.Changes[len(m.Changes)-1]
		return fmt.Errorf("member %q was already removed in transaction %s: nothing to do", memberID, last.TxID)
	}
	st, err := newStamp(ctx)
	if err != nil {
		return err
	}
	m.Status = MemberRemoved
	m.Changes = append(m.Changes, MembershipChange{Action: MemberRemoved, By: st.ID, ByMSP: st.MSPID, Reason: reason, TxID: st.TxID, Timestamp: st.Timestamp})
	what := fmt.Sprintf("member %q", memberID)
	key, err := compositeKey(ctx, what, memberObjectType, memberID)
	if err != nil {
		return err
	}
	record, err := writeRecord(ctx, what, key, m)
	if err != nil {
		return err
	}
	return emit(ctx, EventMemberRemoved, what, record)
}

// requireOrganisationAdmin returns the caller, refusing one that is not an
// admin identity of organisation mspID.
func requireOrganisationAdmin(ctx contractapi.TransactionContextInterface, action, mspID string) (caller, error) {
	who, err := callerAdmin(ctx, action)
	if err != nil {
		return caller{}, err
	}
	if who.MSPID != mspID {
		return caller{}, fmt.Errorf("%s needs an admin of the member's own organisation %s: you are an admin of %s", action, mspID, who.MSPID)
	}
	return who, nil
}

// memberExample is a valid memberJSON, for errors.
const memberExample = `{"memberId":"m-7","identity":"x509::CN=m-7,OU=client::CN=ca.org2","role":"data-scientist","organisation":"Org2MSP"}`

// validateMember checks one member entry; field names it ("memberJSON",
// "paramsJSON.members[2]").
func validateMember(field string, m memberArgument, organisations []string) error {
	if err := validateID(field+".memberId", m.MemberID); err != nil {
		return err
	}
	if err := validateIdentity(field+".identity", m.Identity); err != nil {
		return err
	}
	if !isOneOf(m.Role, memberRoles) {
		return fmt.Errorf("%s.role %q is not a registry role: give the member's role in the registry, one of %s", field, m.Role, strings.Join(memberRoles, ", "))
	}
	if !isOneOf(m.Organisation, organisations) {
		return fmt.Errorf("%s.organisation %q is not one of the project's organisations %v: only members of those are listed", field, m.Organisation, organisations)
	}
	return nil
}

// validateIdentity checks a client id given as field.
func validateIdentity(field, value string) error {
	if !strings.HasPrefix(value, "x509::") || len(value) > maxClientID {
		return fmt.Errorf("%s %.80q is not a client id: give the member's identity as the registry binds it, \"x509::<subject DN>::<issuer DN>\", at most %d bytes", field, value, maxClientID)
	}
	return validateClientID(field, value)
}

// memberListing is a member entry checked and ready to be written.
type memberListing struct {
	record *ProjectMember
	key    string
}

// prepareListing checks that m may be listed now (not listed already, its
// identity no other member's, the registry agreeing) and returns the entry
// to write; it writes nothing, so that InitProject checks every member
// before it writes any.
func prepareListing(ctx contractapi.TransactionContextInterface, m memberArgument, st stamp) (*memberListing, error) {
	channel := ctx.GetStub().GetChannelID()
	what := fmt.Sprintf("member %q", m.MemberID)
	key, err := compositeKey(ctx, what, memberObjectType, m.MemberID)
	if err != nil {
		return nil, err
	}
	record := &ProjectMember{MemberID: m.MemberID, Changes: []MembershipChange{}}
	existing, err := readState(ctx, what, key)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if record, err = decodeProjectMember(m.MemberID, existing); err != nil {
			return nil, err
		}
		if record.Status == MemberListed {
			return nil, fmt.Errorf("member %q is already listed on project channel %s (since transaction %s): remove it first to change its entry", m.MemberID, channel, record.Changes[len(record.Changes)-1].TxID)
		}
	}
	holder, err := memberOfIdentity(ctx, m.Identity)
	if err != nil {
		return nil, err
	}
	if holder != "" && holder != m.MemberID {
		return nil, fmt.Errorf("identity %q is already member %q's on project channel %s: one identity, one member", m.Identity, holder, channel)
	}
	s, err := readStanding(ctx, m.MemberID)
	if err != nil {
		return nil, err
	}
	if err := checkRegistryAgrees(channel, m, s); err != nil {
		return nil, err
	}
	record.Identity, record.Role, record.Organisation, record.Status = m.Identity, m.Role, m.Organisation, MemberListed
	record.Changes = append(record.Changes, MembershipChange{Action: MemberListed, By: st.ID, ByMSP: st.MSPID, TxID: st.TxID, Timestamp: st.Timestamp})
	return &memberListing{record: record, key: key}, nil
}

// write stores the entry and its identity index.
func (l *memberListing) write(ctx contractapi.TransactionContextInterface) error {
	what := fmt.Sprintf("member %q", l.record.MemberID)
	if _, err := writeRecord(ctx, what, l.key, l.record); err != nil {
		return err
	}
	indexKey, err := compositeKey(ctx, "the identity index of "+what, memberIdentityObjectType, l.record.Identity)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(indexKey, []byte(l.record.MemberID)); err != nil {
		return fmt.Errorf("writing the identity index of %s: %w", what, err)
	}
	return nil
}

// memberOfIdentity returns the id of the member listed with client id, "" for none.
func memberOfIdentity(ctx contractapi.TransactionContextInterface, clientID string) (string, error) {
	key, err := compositeKey(ctx, "the member of an identity", memberIdentityObjectType, clientID)
	if err != nil {
		return "", err
	}
	value, err := readState(ctx, fmt.Sprintf("the member of identity %q", clientID), key)
	if err != nil {
		return "", err
	}
	return string(value), nil
}

// readProjectMember loads member memberID of the list.
func readProjectMember(ctx contractapi.TransactionContextInterface, memberID string) (*ProjectMember, error) {
	what := fmt.Sprintf("member %q", memberID)
	key, err := compositeKey(ctx, what, memberObjectType, memberID)
	if err != nil {
		return nil, err
	}
	value, err := readState(ctx, what, key)
	if err != nil {
		return nil, err
	}
	if value == nil {
		return nil, fmt.Errorf("member %q is not on the member list of project channel %s: an admin of its organisation adds it with AddMember", memberID, ctx.GetStub().GetChannelID())
	}
	return decodeProjectMember(memberID, value)
}

// decodeProjectMember reads a stored ProjectMember.
func decodeProjectMember(memberID string, value []byte) (*ProjectMember, error) {
	var m ProjectMember
	if err := json.Unmarshal(value, &m); err != nil {
		return nil, fmt.Errorf("decoding member %q: %w", memberID, err)
	}
	if len(m.Changes) == 0 {
		return nil, fmt.Errorf("decoding member %q: it records no change", memberID)
	}
	return &m, nil
}
