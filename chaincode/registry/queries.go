package registry

import (
	"fmt"
	"strconv"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/trust"
)

// GetEvaluateTransactions marks the read-only transactions, so that the
// chaincode's metadata tells clients to evaluate rather than submit them.
func (c *Contract) GetEvaluateTransactions() []string {
	return []string{
		"GetMember", "GetEnrolment", "GetOrganisationEnrolment", "GetParameters", "GetProposal",
		"GetCommittee", "GetCertificate", "IsCertificateValid", "GetTrust", "GetTrustTable",
		"GetTrustClock", "GetAppliedSnapshot", "GetProject", "GetSubmittedSnapshots", "GetAppliedPeriod", "GetStatusRequest", "GetGenesisProposal", "GetStanding",
		"GetKeyAgreementKeys", "GetKeyAgreementKey",
	}
}

// GetMember returns member memberID, or an error saying it does not exist.
func (c *Contract) GetMember(ctx contractapi.TransactionContextInterface, memberID string) (*Member, error) {
	if err := validateID("memberID", memberID); err != nil {
		return nil, err
	}
	return readMember(ctx, memberID)
}

// GetEnrolment returns enrolment request requestID with its approvals.
func (c *Contract) GetEnrolment(ctx contractapi.TransactionContextInterface, requestID string) (*EnrolmentRequest, error) {
	if err := validateID("requestID", requestID); err != nil {
		return nil, err
	}
	return readRequest(ctx, requestID)
}

// GetOrganisationEnrolment returns organisation mspID and the status of its
// enrolment: the admin tool changes the channel configuration only when the
// status is "approved".
func (c *Contract) GetOrganisationEnrolment(ctx contractapi.TransactionContextInterface, mspID string) (*Organisation, error) {
	if err := validateID("mspID", mspID); err != nil {
		return nil, err
	}
	return readOrganisation(ctx, mspID)
}

// GetParameters returns the consortium parameters in force.
func (c *Contract) GetParameters(ctx contractapi.TransactionContextInterface) (*Parameters, error) {
	return readParameters(ctx)
}

// GetProposal returns parameter proposal proposalID with its votes.
func (c *Contract) GetProposal(ctx contractapi.TransactionContextInterface, proposalID string) (*Proposal, error) {
	if err := validateID("proposalID", proposalID); err != nil {
		return nil, err
	}
	return readProposal(ctx, proposalID)
}

// GetCommittee returns the committee, the most trusted first.
func (c *Contract) GetCommittee(ctx contractapi.TransactionContextInterface) ([]TrustRow, error) {
	params, err := readParameters(ctx)
	if err != nil {
		return nil, err
	}
	t, err := loadTable(ctx)
	if err != nil {
		return nil, err
	}
	seats := committee(t, params.Params)
	if seats == nil {
		seats = []TrustRow{}
	}
	return seats, nil
}

// GetCertificate returns certificate certID.
func (c *Contract) GetCertificate(ctx contractapi.TransactionContextInterface, certID string) (*Certificate, error) {
	if err := validateID("certID", certID); err != nil {
		return nil, err
	}
	return readExistingCertificate(ctx, certID)
}

// IsCertificateValid reports whether certificate certID is valid, that is
// not revoked; an unknown certificate is an error rather than false, so that
// a mistyped id is not taken for a revoked certificate.
func (c *Contract) IsCertificateValid(ctx contractapi.TransactionContextInterface, certID string) (bool, error) {
	cert, err := c.GetCertificate(ctx, certID)
	if err != nil {
		return false, err
	}
	return cert.Status == CertificateValid, nil
}

// GetTrust returns member memberID's trust, level and evidence under the
// parameters in force.
func (c *Contract) GetTrust(ctx contractapi.TransactionContextInterface, memberID string) (*TrustRow, error) {
	if err := validateID("memberID", memberID); err != nil {
		return nil, err
	}
	params, err := readParameters(ctx)
	if err != nil {
		return nil, err
	}
	r, found, err := readTrustRecord(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("member %q has no trust record: it does not exist or its enrolment is still pending", memberID)
	}
	row := trustRow(r, params.Params)
	return &row, nil
}

// GetTrustTable returns every member's trust, ordered by member id.
func (c *Contract) GetTrustTable(ctx contractapi.TransactionContextInterface) ([]TrustRow, error) {
	params, err := readParameters(ctx)
	if err != nil {
		return nil, err
	}
	t, err := loadTable(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]TrustRow, 0, len(t.ids))
	for _, id := range t.ids {
		rows = append(rows, t.row(id, params.Params))
	}
	return rows, nil
}

// GetTrustClock returns the period clock: the open period, when it opened,
// and the latest period applied to the trust table, so that the scheduler
// knows which periods to close, submit and apply.
func (c *Contract) GetTrustClock(ctx contractapi.TransactionContextInterface) (*TrustClock, error) {
	return readTrustClock(ctx)
}

// GetAppliedSnapshot returns the record of projectChannel's applied trust
// snapshot for period, or an error saying it was not applied.
func (c *Contract) GetAppliedSnapshot(ctx contractapi.TransactionContextInterface, projectChannel string, period string) (*AppliedSnapshot, error) {
	if err := validateChannel("projectChannel", projectChannel); err != nil {
		return nil, err
	}
	p, err := parsePeriod(period)
	if err != nil {
		return nil, err
	}
	var s AppliedSnapshot
	what := fmt.Sprintf("the trust snapshot of channel %q for period %d", projectChannel, p)
	found, err := getRecord(ctx, what, &s, snapshotObjectType, projectChannel, strconv.FormatInt(p, 10))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s was not applied: submit it with SubmitTrustSnapshot, then ApplyPeriod applies it", what)
	}
	return &s, nil
}

// GetProject returns registered project channel projectChannel.
func (c *Contract) GetProject(ctx contractapi.TransactionContextInterface, projectChannel string) (*Project, error) {
	if err := validateChannel("projectChannel", projectChannel); err != nil {
		return nil, err
	}
	return readRegisteredProject(ctx, projectChannel)
}

// GetSubmittedSnapshots returns project channel projectChannel's submitted
// snapshots that no ApplyPeriod has applied yet, oldest period first.
func (c *Contract) GetSubmittedSnapshots(ctx contractapi.TransactionContextInterface, projectChannel string) (*SubmittedSnapshots, error) {
	if err := validateChannel("projectChannel", projectChannel); err != nil {
		return nil, err
	}
	if _, err := readRegisteredProject(ctx, projectChannel); err != nil {
		return nil, err
	}
	inbox, err := readSubmitted(ctx, projectChannel)
	if err != nil {
		return nil, err
	}
	waiting, err := unapplied(ctx, projectChannel, inbox.Snapshots)
	if err != nil {
		return nil, err
	}
	return &SubmittedSnapshots{Channel: projectChannel, Snapshots: waiting}, nil
}

// GetAppliedPeriod returns what ApplyPeriod applied for period: the
// snapshots and the projects that were late.
func (c *Contract) GetAppliedPeriod(ctx contractapi.TransactionContextInterface, period string) (*AppliedPeriod, error) {
	p, err := parsePeriod(period)
	if err != nil {
		return nil, err
	}
	var a AppliedPeriod
	found, err := getRecord(ctx, fmt.Sprintf("applied period %d", p), &a, periodObjectType, strconv.FormatInt(p, 10))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("period %d was not applied: close it with ClosePeriod, then apply it with ApplyPeriod", p)
	}
	return &a, nil
}

// GetStatusRequest returns member status request requestID with its approvals.
func (c *Contract) GetStatusRequest(ctx contractapi.TransactionContextInterface, requestID string) (*StatusRequest, error) {
	if err := validateID("requestID", requestID); err != nil {
		return nil, err
	}
	return readStatusRequest(ctx, requestID)
}

// GetGenesisProposal returns genesis proposal proposalID with its
// confirmations; it answers before the consortium starts.
func (c *Contract) GetGenesisProposal(ctx contractapi.TransactionContextInterface, proposalID string) (*GenesisProposal, error) {
	if err := validateID("proposalID", proposalID); err != nil {
		return nil, err
	}
	var p GenesisProposal
	what := fmt.Sprintf("genesis proposal %q", proposalID)
	found, err := getRecord(ctx, what, &p, genesisObjectType, proposalID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s does not exist: give the id InitConsortium returned", what)
	}
	return &p, nil
}

// GetStanding returns member memberID's standing: its bound identity, role,
// organisation, status and trust with the trust floor in force. Project
// channels ask it by cross-channel query before every write (provenance's
// requireWriter), so it answers in one call what they check.
func (c *Contract) GetStanding(ctx contractapi.TransactionContextInterface, memberID string) (*Standing, error) {
	if err := validateID("memberID", memberID); err != nil {
		return nil, err
	}
	params, err := readParameters(ctx)
	if err != nil {
		return nil, err
	}
	m, err := readMember(ctx, memberID)
	if err != nil {
		return nil, err
	}
	s := &Standing{
		MemberID:     m.ID,
		Identity:     m.Identity,
		Role:         m.Role,
		Organisation: m.Organisation,
		Status:       m.Status,
		Level:        trust.LevelOf(0),
		TrustFloor:   params.Params.TrustFloor,
	}
	r, found, err := readTrustRecord(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if found {
		row := trustRow(r, params.Params)
		s.Trust, s.Level = row.Trust, row.Level
	}
	return s, nil
}

// GetKeyAgreementKeys returns member memberID's key-agreement keys, oldest
// first: every key it registered, each earlier one with the transaction
// that retired it; [] when it has registered none.
func (c *Contract) GetKeyAgreementKeys(ctx contractapi.TransactionContextInterface, memberID string) ([]KeyAgreementKey, error) {
	if err := validateID("memberID", memberID); err != nil {
		return nil, err
	}
	if _, err := readMember(ctx, memberID); err != nil {
		return nil, err
	}
	return readKeyAgreementKeys(ctx, memberID)
}

// GetKeyAgreementKey returns member memberID's current key-agreement key,
// the one new data keys are wrapped for, or an error saying it has none.
func (c *Contract) GetKeyAgreementKey(ctx contractapi.TransactionContextInterface, memberID string) (*KeyAgreementKey, error) {
	keys, err := c.GetKeyAgreementKeys(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("member %q has registered no key-agreement key, so no data key can be wrapped for it: it makes a key pair and registers the public key with RegisterKeyAgreementKey", memberID)
	}
	return &keys[len(keys)-1], nil
}
