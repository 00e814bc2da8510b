package registry

import (
	"fmt"
	"sort"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// maxProjectOrganisations bounds the organisations of one project.
const maxProjectOrganisations = 32

// minProjectOrganisations is the fewest organisations a project may have: a
// project's snapshots are endorsed by its own organisations alone, so one
// organisation by itself could vouch for any feedback about its own members.
const minProjectOrganisations = 2

// parseOrganisations reads field, a JSON array of distinct MSP ids, sorted on return.
func parseOrganisations(field, value string) ([]string, error) {
	var orgs []string
	if err := decodeStrict(value, &orgs); err != nil || orgs == nil {
		why := "null"
		if err != nil {
			why = err.Error()
		}
		return nil, fmt.Errorf(`%s is not a JSON array of MSP ids (%s): give e.g. ["Org1MSP","Org2MSP"]`, field, why)
	}
	if len(orgs) < minProjectOrganisations || len(orgs) > maxProjectOrganisations {
		return nil, fmt.Errorf("%s lists %d organisations: a project has %d to %d", field, len(orgs), minProjectOrganisations, maxProjectOrganisations)
	}
	seen := map[string]int{}
	for i, o := range orgs {
		at := fmt.Sprintf("%s[%d]", field, i)
		if err := validateID(at, o); err != nil {
			return nil, err
		}
		if j, dup := seen[o]; dup {
			return nil, fmt.Errorf("%s repeats %q of %s[%d]: list each organisation once", at, o, field, j)
		}
		seen[o] = i
	}
	sort.Strings(orgs)
	return orgs, nil
}

// RegisterProject registers project channel projectChannel of the
// organisations organisationsJSON (a JSON array of at least two enrolled
// organisations' MSP ids), so that the registry waits for its trust snapshots
// from the period open now on. The caller is a committee member, or an
// admin of one of the project's organisations. Registration creates the
// project's snapshot record, the only record SubmitTrustSnapshot writes.
// A channel is registered once.
func (c *Contract) RegisterProject(ctx contractapi.TransactionContextInterface, projectChannel string, organisationsJSON string) error {
	if err := validateChannel("projectChannel", projectChannel); err != nil {
		return err
	}
	if projectChannel == mainChannel {
		return fmt.Errorf("projectChannel %q is the main chain, not a project channel", projectChannel)
	}
	orgs, err := parseOrganisations("organisationsJSON", organisationsJSON)
	if err != nil {
		return err
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	m, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return err
	}
	if !contains(orgs, m.Organisation) || m.Role != RoleAdmin {
		if _, _, err := requireCommittee(ctx, params.Params, fmt.Sprintf("registering a project needs the committee or an admin of one of its organisations (%s)", joinQuoted(orgs))); err != nil {
			return err
		}
	}
	for _, o := range orgs {
		if err := requireEnrolledOrganisation(ctx, o); err != nil {
			return fmt.Errorf("organisationsJSON: %w", err)
		}
	}
	if _, found, err := readProject(ctx, projectChannel); err != nil {
		return err
	} else if found {
		return fmt.Errorf("project channel %q is already registered", projectChannel)
	}
	clock, err := readTrustClock(ctx)
	if err != nil {
		return err
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	p := Project{
		Channel: projectChannel, Organisations: orgs, FirstPeriod: clock.OpenPeriod, PeriodSeconds: params.Params.PeriodSeconds,
		RegisteredBy: m.ID, TxID: ctx.GetStub().GetTxID(), RegisteredAt: now,
	}
	raw, err := putRecord(ctx, fmt.Sprintf("project %q", projectChannel), p, projectObjectType, projectChannel)
	if err != nil {
		return err
	}
	inbox := SubmittedSnapshots{Channel: projectChannel, Snapshots: []SubmittedSnapshot{}}
	if _, err := putRecord(ctx, submittedWhat(projectChannel), inbox, submittedObjectType, projectChannel); err != nil {
		return err
	}
	if err := endorseBy(ctx, submittedWhat(projectChannel), orgs, submittedObjectType, projectChannel); err != nil {
		return err
	}
	return emit(ctx, EventProjectRegistered, raw, fmt.Sprintf("project %q", projectChannel))
}

// endorseBy gives record objectType/attrs a key-level endorsement policy
// (Fabric's state-based endorsement): from now on a transaction that writes
// it is valid only when a peer of each of orgs endorsed it, whatever the
// chaincode's own policy. A project's snapshot record gets its project's
// organisations: their peers have joined the project channel, so they can
// check a submitted snapshot against the channel (crossCheck) while
// endorsing, which a majority of mainchain's peers could not do for a project
// of a minority of organisations. The policy is set when the record is
// created, since a key's own policy governs only once the key exists.
func endorseBy(ctx contractapi.TransactionContextInterface, what string, orgs []string, objectType string, attrs ...string) error {
	key, err := recordKey(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	ep, err := statebased.NewStateEP(nil)
	if err != nil {
		return fmt.Errorf("building the endorsement policy of %s: %w", what, err)
	}
	if err := ep.AddOrgs(statebased.RoleTypePeer, orgs...); err != nil {
		return fmt.Errorf("building the endorsement policy of %s: %w", what, err)
	}
	policy, err := ep.Policy()
	if err != nil {
		return fmt.Errorf("encoding the endorsement policy of %s: %w", what, err)
	}
	if err := ctx.GetStub().SetStateValidationParameter(key, policy); err != nil {
		return fmt.Errorf("writing the endorsement policy of %s: %w", what, err)
	}
	return nil
}

// readProject returns project channel's record and whether it is registered.
func readProject(ctx contractapi.TransactionContextInterface, channel string) (*Project, bool, error) {
	var p Project
	found, err := getRecord(ctx, fmt.Sprintf("project %q", channel), &p, projectObjectType, channel)
	if err != nil || !found {
		return nil, false, err
	}
	return &p, true, nil
}

// readRegisteredProject returns project channel's record, refusing one never registered.
func readRegisteredProject(ctx contractapi.TransactionContextInterface, channel string) (*Project, error) {
	p, found, err := readProject(ctx, channel)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("project channel %q is not registered: register it with RegisterProject first", channel)
	}
	return p, nil
}

// submittedWhat names a project's snapshot record in errors.
func submittedWhat(channel string) string {
	return fmt.Sprintf("the submitted trust snapshots of project %q", channel)
}

// readSubmitted returns a registered project's submitted snapshots.
func readSubmitted(ctx contractapi.TransactionContextInterface, channel string) (*SubmittedSnapshots, error) {
	var s SubmittedSnapshots
	found, err := getRecord(ctx, submittedWhat(channel), &s, submittedObjectType, channel)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s are missing: the project's registration is incomplete", submittedWhat(channel))
	}
	return &s, nil
}

// contains reports whether list holds v.
func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// joinQuoted lists values quoted and comma-separated, for messages.
func joinQuoted(values []string) string {
	out := ""
	for i, v := range values {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", v)
	}
	return out
}
