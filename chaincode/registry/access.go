package registry

import (
	"bcmlp.local/chaincode/internal/identity"
	"fmt"
	"sort"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/trust"
)

// caller is the identity that signed the proposal.
type caller struct {
	mspID    string
	identity string
}

// callerOf reads the caller's MSP id and client id.
func callerOf(ctx contractapi.TransactionContextInterface) (caller, error) {
	mspID, err := identity.MSPID(ctx)
	if err != nil {
		return caller{}, err
	}
	id, err := identity.ID(ctx)
	if err != nil {
		return caller{}, err
	}
	return caller{mspID: mspID, identity: id}, nil
}

// callerAdmin returns the caller, refusing one whose certificate is not an
// admin certificate of its organisation; action names what it tried. The
// peer has checked that the certificate was issued by the caller's MSP, so
// the OU tells the organisation's own administrators from its clients.
func callerAdmin(ctx contractapi.TransactionContextInterface, action string) (caller, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return caller{}, err
	}
	if admin, err := identity.IsAdmin(ctx); err != nil {
		return caller{}, err
	} else if admin {
		return c, nil
	}
	return caller{}, fmt.Errorf("%s needs an admin identity of a founding organisation (NodeOU %q): your identity %q of %s is not one; submit with your organisation's admin certificate", action, identity.AdminOU, c.identity, c.mspID)
}

// callerMember returns the member bound to the caller's identity, refusing an
// identity bound to none.
func callerMember(ctx contractapi.TransactionContextInterface) (*Member, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := boundMember(ctx, c.mspID, c.identity)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, fmt.Errorf("your identity %q of %s is not bound to any member: enrol it with RequestEnrolment first", c.identity, c.mspID)
	}
	return readMember(ctx, id)
}

// checkActive refuses a member that is not active, naming its status.
func checkActive(m *Member) error {
	switch m.Status {
	case StatusActive:
		return nil
	case StatusPending:
		return fmt.Errorf("member %q is pending: it cannot write until the committee approves its enrolment request %q", m.ID, m.RequestID)
	case StatusSuspended:
		return fmt.Errorf("member %q is suspended: suspended members cannot write until the committee reinstates them (RequestMemberStatus)", m.ID)
	case StatusRevoked:
		return fmt.Errorf("member %q is revoked: revoked members can never write again; enrol a new member with a new identity", m.ID)
	default:
		return fmt.Errorf("member %q has the unknown status %q: it cannot write", m.ID, m.Status)
	}
}

// memberTrust returns member m's trust under p.
func memberTrust(ctx contractapi.TransactionContextInterface, m *Member, p ConsortiumParams) (int64, error) {
	r, found, err := readTrustRecord(ctx, m.ID)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("member %q has no trust record: it is not active", m.ID)
	}
	return r.Evidence.Trust(p.Trust), nil
}

// requireWriter returns the caller's member and its trust, refusing callers
// that are not members, not active, or below the trust floor: the trust gate
// of every write (DESIGN.md section 2: "below a threshold a member cannot
// record").
func requireWriter(ctx contractapi.TransactionContextInterface, p ConsortiumParams) (*Member, int64, error) {
	m, err := callerMember(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := checkActive(m); err != nil {
		return nil, 0, err
	}
	t, err := memberTrust(ctx, m, p)
	if err != nil {
		return nil, 0, err
	}
	if t < p.TrustFloor {
		return nil, 0, fmt.Errorf("member %q has trust %d (%s), below the trust floor %d: members below the floor cannot write until feedback in the project channels lifts their trust", m.ID, t, trust.LevelOf(t), p.TrustFloor)
	}
	return m, t, nil
}

// requireRole refuses member m unless its role is one of roles; action says
// what m tried, e.g. "issuing a company certificate".
func requireRole(m *Member, action string, roles ...string) error {
	for _, r := range roles {
		if m.Role == r {
			return nil
		}
	}
	return fmt.Errorf("%s needs the role %s: member %q has the role %s", action, strings.Join(roles, " or "), m.ID, m.Role)
}

// requireNotViewer refuses a viewer, which only reads.
func requireNotViewer(m *Member, action string) error {
	if m.Role == RoleViewer {
		return fmt.Errorf("%s needs a role other than viewer: member %q is a viewer, and viewers only read", action, m.ID)
	}
	return nil
}

// highTrust is the trust above which a member approves certificate upgrades
// (trust > 0.5: high or very high trust, the paper's "blockchain experts").
const highTrust = 500_000

// requireHighTrust returns the caller's member, refusing one that may not
// write or whose trust is not above highTrust.
func requireHighTrust(ctx contractapi.TransactionContextInterface, p ConsortiumParams, action string) (*Member, error) {
	m, t, err := requireWriter(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := requireNotViewer(m, action); err != nil {
		return nil, err
	}
	if t <= highTrust {
		return nil, fmt.Errorf("%s needs at least high trust (above %d): member %q has trust %d (%s)", action, highTrust, m.ID, t, trust.LevelOf(t))
	}
	return m, nil
}

// committee returns the committee: the active members of at least high
// trust (above highTrust) other than viewers, the most trusted first (ties
// by member id), at most CommitteeSize of them. Founders never decay below
// high trust (FounderFloor), so idle periods cannot empty it; should
// negative feedback and suspensions leave fewer than k members of two
// organisations, the active admins at or above the trust floor join it, so
// that the consortium can still act through its organisations' operators.
func committee(t *table, p ConsortiumParams) []TrustRow {
	var seats, admins []TrustRow
	for _, id := range t.ids {
		m, ok := t.members[id]
		if !ok || m.Status != StatusActive || m.Role == RoleViewer {
			continue
		}
		row := t.row(id, p)
		switch {
		case row.Trust > highTrust:
			seats = append(seats, row)
		case m.Role == RoleAdmin && row.Trust >= p.TrustFloor:
			admins = append(admins, row)
		}
	}
	if !canAct(t, seats, p.Approvals) {
		seats = append(seats, admins...)
	}
	sort.SliceStable(seats, func(i, j int) bool {
		if seats[i].Trust != seats[j].Trust {
			return seats[i].Trust > seats[j].Trust
		}
		return seats[i].MemberID < seats[j].MemberID
	})
	if int64(len(seats)) > p.CommitteeSize {
		seats = seats[:p.CommitteeSize]
	}
	return seats
}

// canAct reports whether seats hold k members of at least two organisations.
func canAct(t *table, seats []TrustRow, k int64) bool {
	orgs := map[string]bool{}
	for _, s := range seats {
		orgs[t.members[s.MemberID].Organisation] = true
	}
	return int64(len(seats)) >= k && len(orgs) >= 2
}

// requireCommittee returns the caller's member and the table the committee
// was computed from, refusing a caller that is not on the committee. refusal
// begins the error, e.g. "forged approval".
func requireCommittee(ctx contractapi.TransactionContextInterface, p ConsortiumParams, refusal string) (*Member, *table, error) {
	m, err := callerMember(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", refusal, err)
	}
	if err := checkActive(m); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", refusal, err)
	}
	t, err := loadTable(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range committee(t, p) {
		if s.MemberID == m.ID {
			return m, t, nil
		}
	}
	if _, ok := t.records[m.ID]; !ok {
		return nil, nil, fmt.Errorf("%s: member %q has no trust record, so it is not on the committee", refusal, m.ID)
	}
	row := t.row(m.ID, p)
	if row.Trust > highTrust && m.Role != RoleViewer {
		return nil, nil, fmt.Errorf("%s: member %q has %s (%d) but is not among the %d most trusted, so it is not on the committee", refusal, m.ID, row.Level, row.Trust, p.CommitteeSize)
	}
	return nil, nil, fmt.Errorf("%s: member %q is not on the committee: it has trust %d (%s), and only active members of at least high trust (above 500000), viewers excepted, sit on it", refusal, m.ID, row.Trust, row.Level)
}

// approvalBy is member m's approval in this transaction at now.
func approvalBy(ctx contractapi.TransactionContextInterface, m *Member, now string) Approval {
	return Approval{MemberID: m.ID, Organisation: m.Organisation, TxID: ctx.GetStub().GetTxID(), At: now}
}

// decided reports whether approvals complete a committee action: k of them,
// from members of at least two organisations, so that neither one committee
// member nor one organisation acts alone.
func decided(approvals []Approval, k int64) bool {
	orgs := map[string]bool{}
	for _, a := range approvals {
		orgs[a.Organisation] = true
	}
	return int64(len(approvals)) >= k && len(orgs) >= 2
}
