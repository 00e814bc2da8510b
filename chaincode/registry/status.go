package registry

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// statusChanges are the status changes the committee makes, from each status.
// Pending members are decided by ApproveEnrolment and RejectEnrolment;
// revoked is final.
var statusChanges = map[string][]string{
	StatusActive:    {StatusSuspended, StatusRevoked},
	StatusSuspended: {StatusActive, StatusRevoked},
}

// checkStatusChange refuses a change of m's status to status that the
// committee cannot make.
func checkStatusChange(m *Member, status string) error {
	switch {
	case m.Status == StatusPending:
		return fmt.Errorf("member %q is pending: decide its enrolment with ApproveEnrolment or RejectEnrolment", m.ID)
	case m.Status == StatusRevoked:
		return fmt.Errorf("member %q is revoked, which is final: its status cannot change", m.ID)
	case m.Status == status:
		return fmt.Errorf("member %q is already %s", m.ID, status)
	}
	for _, s := range statusChanges[m.Status] {
		if s == status {
			return nil
		}
	}
	return fmt.Errorf("member %q has the unknown status %q: the committee cannot change it", m.ID, m.Status)
}

// RequestMemberStatus asks the committee to change member memberID's status
// to status, for reason: "suspended" (from active), "active" (reinstating a
// suspended member) or "revoked" (final). The caller is a committee member
// other than memberID, and its request counts as its approval; with k
// approvals from members of at least two organisations (ApproveMemberStatus)
// the status changes (MemberStatusChanged), before that the request waits
// (MemberStatusRequested). Returns the request id, the transaction id.
func (c *Contract) RequestMemberStatus(ctx contractapi.TransactionContextInterface, memberID string, status string, reason string) (string, error) {
	if err := validateID("memberID", memberID); err != nil {
		return "", err
	}
	if err := oneOf("status", status, "a status the committee sets", []string{StatusActive, StatusSuspended, StatusRevoked}); err != nil {
		return "", err
	}
	if err := validateText("reason", reason, maxTextLength); err != nil {
		return "", fmt.Errorf("%w: say why the status changes", err)
	}
	params, err := readParameters(ctx)
	if err != nil {
		return "", err
	}
	requester, _, err := requireCommittee(ctx, params.Params, "RequestMemberStatus needs the committee")
	if err != nil {
		return "", err
	}
	if requester.ID == memberID {
		return "", fmt.Errorf("member %q cannot request a change of its own status: nobody approves their own case", memberID)
	}
	m, err := readMember(ctx, memberID)
	if err != nil {
		return "", err
	}
	if err := checkStatusChange(m, status); err != nil {
		return "", err
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	req := &StatusRequest{
		ID: ctx.GetStub().GetTxID(), MemberID: memberID, Status: status, Reason: reason, RequestedBy: requester.ID,
		Approvals: []Approval{approvalBy(ctx, requester, now)}, State: RequestPending, CreatedAt: now,
	}
	return req.ID, recordStatusApproval(ctx, req, m, params.Params, now)
}

// ApproveMemberStatus records the calling committee member's approval of
// status request requestID. The member whose status it would change does not
// approve it, nor does anyone twice; an approval by anyone not on the
// committee is refused as forged. The request must still be possible: a
// member suspended by another request meanwhile cannot be suspended again.
func (c *Contract) ApproveMemberStatus(ctx contractapi.TransactionContextInterface, requestID string) error {
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
	req, err := readStatusRequest(ctx, requestID)
	if err != nil {
		return err
	}
	switch {
	case req.State != RequestPending:
		return fmt.Errorf("status request %q was already carried out (%s)", requestID, req.DecidedAt)
	case req.MemberID == approver.ID:
		return fmt.Errorf("member %q cannot approve status request %q about itself: nobody approves their own case", approver.ID, requestID)
	case hasApproved(req.Approvals, approver.ID):
		return fmt.Errorf("member %q has already approved status request %q: each committee member approves once", approver.ID, requestID)
	}
	m, err := readMember(ctx, req.MemberID)
	if err != nil {
		return err
	}
	if err := checkStatusChange(m, req.Status); err != nil {
		return fmt.Errorf("status request %q can no longer be carried out: %w", requestID, err)
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	req.Approvals = append(req.Approvals, approvalBy(ctx, approver, now))
	return recordStatusApproval(ctx, req, m, params.Params, now)
}

// recordStatusApproval writes req after an approval and, when it is decided,
// changes its member's status.
func recordStatusApproval(ctx contractapi.TransactionContextInterface, req *StatusRequest, m *Member, p ConsortiumParams, now string) error {
	done := decided(req.Approvals, p.Approvals)
	if done {
		req.State, req.DecidedAt = RequestApproved, now
	}
	what := fmt.Sprintf("status request %q", req.ID)
	raw, err := putRecord(ctx, what, req, statusObjectType, req.ID)
	if err != nil {
		return err
	}
	if !done {
		return emit(ctx, EventMemberStatusRequested, raw, what)
	}
	m.Status, m.StatusReason, m.UpdatedAt = req.Status, req.Reason, now
	if err := writeMember(ctx, *m); err != nil {
		return err
	}
	return emit(ctx, EventMemberStatusChanged, m, fmt.Sprintf("member %q", m.ID))
}

// readStatusRequest returns status request id, refusing one that does not exist.
func readStatusRequest(ctx contractapi.TransactionContextInterface, id string) (*StatusRequest, error) {
	var r StatusRequest
	found, err := getRecord(ctx, fmt.Sprintf("status request %q", id), &r, statusObjectType, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("status request %q does not exist: give the id RequestMemberStatus returned", id)
	}
	return &r, nil
}
