package provenance

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// maxProjectOrganisations bounds a project's organisations, as the registry does.
const maxProjectOrganisations = 16

// minProjectOrganisations is the fewest organisations a project has, as the
// registry's RegisterProject demands.
const minProjectOrganisations = 2

// projectSettingsExample is a valid InitProject paramsJSON, for errors.
const projectSettingsExample = `{"periodSeconds":86400,"firstPeriod":1,"organisations":["Org1MSP","Org2MSP"],"certificateApprovals":2,` +
	`"phaseWriters":{"requirements":{"roles":["company"],"organisations":["Org1MSP"]},...one per phase},` +
	`"members":[{"memberId":"m-1","identity":"x509::...","role":"company","organisation":"Org1MSP"}]}`

// InitProject sets up this project channel, once: paramsJSON is
//
//	{"periodSeconds":<registry periodSeconds>,"firstPeriod":<registry open period>,"organisations":["Org1MSP",...],
//	 "certificateApprovals":<registry approvals>,
//	 "phaseWriters":{"<phase>":{"roles":["data-scientist"],"organisations":["Org2MSP"]},...},
//	 "members":[{"memberId","identity","role","organisation"},...]}
//
// copied from the registry on mainchain when the channel is made: the
// period length the committee voted, the registry's open period when the
// project was registered (the channel's first open period), the project's
// organisations' MSP ids (2 to 16, distinct), and k, the approvals (at
// least 2, from members of at least two organisations) that certify a
// model certificate. phaseWriters names, for every one of the nine phases,
// the registry roles and the project organisations whose members write it
// (the project-init tool derives it from the organisations' kinds, see
// README "Ledger rules"); members is the initial member list, each as the
// registry records it, which the contract checks by cross-channel query. The
// caller is an admin identity (NodeOU "admin") of one of the organisations.
// Afterwards nobody can change the settings; ClosePeriod alone advances the
// open period, AddMember and RemoveMember change the list. A
// ProjectInitialised event carries the PeriodClock.
func (c *Contract) InitProject(ctx contractapi.TransactionContextInterface, paramsJSON string) error {
	settings, err := parseProjectSettings(paramsJSON)
	if err != nil {
		return err
	}
	who, err := callerAdmin(ctx, "InitProject")
	if err != nil {
		return err
	}
	if !contains(settings.Organisations, who.MSPID) {
		return fmt.Errorf("InitProject needs an admin of one of the project's organisations %v: you are an admin of %s", settings.Organisations, who.MSPID)
	}
	current, err := readClock(ctx)
	if err != nil {
		return err
	}
	if current.Initialised {
		return fmt.Errorf("this channel was already initialised in transaction %s by %s of %s: its period length, first period and organisations can be set only once", current.InitTxID, current.InitialisedBy, current.InitialisedByMSP)
	}
	st, err := newStamp(ctx)
	if err != nil {
		return err
	}
	// parseProjectSettings has checked them, so this cannot fail.
	writers, _ := parsePhaseWriters(settings.PhaseWriters, settings.Organisations)
	listings := make([]*memberListing, len(settings.Members))
	for i, m := range settings.Members {
		if listings[i], err = prepareListing(ctx, m, st); err != nil {
			return fmt.Errorf("paramsJSON.members[%d]: %w", i, err)
		}
	}
	for _, l := range listings {
		if err := l.write(ctx); err != nil {
			return err
		}
	}
	clock := PeriodClock{
		Initialised:          true,
		PeriodSeconds:        settings.PeriodSeconds,
		FirstPeriod:          settings.FirstPeriod,
		Organisations:        settings.Organisations,
		InitialisedBy:        st.ID,
		InitialisedByMSP:     st.MSPID,
		InitTxID:             st.TxID,
		OpenPeriod:           settings.FirstPeriod,
		OpenedAt:             st.Timestamp,
		OpenedTxID:           st.TxID,
		OpenedBy:             st.ID,
		CertificateApprovals: settings.CertificateApprovals,
		PhaseWriters:         writers,
	}
	record, err := writeClock(ctx, clock)
	if err != nil {
		return err
	}
	return emit(ctx, EventProjectInitialised, "the period clock", record)
}

// ClosePeriod closes the open trust period and opens the next. The caller
// is an admin identity of one of the project's organisations (the daily
// snapshot job runs as one). The period must have been open for at least
// the period length, measured between this transaction's timestamp and that
// of the transaction that opened it. A PeriodClosed event carries the new
// PeriodClock. Ratings the ledger orders after it count in the new period.
func (c *Contract) ClosePeriod(ctx contractapi.TransactionContextInterface) error {
	clock, err := readInitialisedClock(ctx, "closing a period")
	if err != nil {
		return err
	}
	who, err := callerAdmin(ctx, "ClosePeriod")
	if err != nil {
		return err
	}
	if !contains(clock.Organisations, who.MSPID) {
		return fmt.Errorf("ClosePeriod needs an admin of one of the project's organisations %v: you are an admin of %s", clock.Organisations, who.MSPID)
	}
	st, err := newStamp(ctx)
	if err != nil {
		return err
	}
	opened, err := time.Parse(time.RFC3339Nano, clock.OpenedAt)
	if err != nil {
		return fmt.Errorf("decoding the period clock: openedAt %q: %w", clock.OpenedAt, err)
	}
	now, err := time.Parse(time.RFC3339Nano, st.Timestamp)
	if err != nil {
		return fmt.Errorf("reading the transaction timestamp: %w", err)
	}
	if closes := opened.Add(time.Duration(clock.PeriodSeconds) * time.Second); now.Before(closes) {
		return fmt.Errorf("period %d opened at %s and closes no earlier than %s (periodSeconds %d): close it then",
			clock.OpenPeriod, clock.OpenedAt, closes.UTC().Format(time.RFC3339Nano), clock.PeriodSeconds)
	}
	clock.OpenPeriod++
	clock.OpenedAt, clock.OpenedTxID, clock.OpenedBy = st.Timestamp, st.TxID, st.ID
	record, err := writeClock(ctx, clock)
	if err != nil {
		return err
	}
	return emit(ctx, EventPeriodClosed, "the period clock", record)
}

// parseProjectSettings reads InitProject's paramsJSON; organisations come
// back sorted.
func parseProjectSettings(paramsJSON string) (ProjectSettings, error) {
	var s ProjectSettings
	if err := decodeStrict("paramsJSON", paramsJSON, projectSettingsExample, &s); err != nil {
		return ProjectSettings{}, err
	}
	if s.PeriodSeconds < 1 || s.PeriodSeconds > maxPeriodSeconds {
		return ProjectSettings{}, fmt.Errorf("paramsJSON.periodSeconds %d is not a period length: give the registry's periodSeconds, 1 to %d", s.PeriodSeconds, maxPeriodSeconds)
	}
	if s.FirstPeriod < 1 {
		return ProjectSettings{}, fmt.Errorf("paramsJSON.firstPeriod %d is not a period: give the registry's open period when the project was registered, at least 1", s.FirstPeriod)
	}
	if len(s.Organisations) < minProjectOrganisations || len(s.Organisations) > maxProjectOrganisations {
		return ProjectSettings{}, fmt.Errorf("paramsJSON.organisations lists %d organisations: a project has %d to %d, as registered in the registry", len(s.Organisations), minProjectOrganisations, maxProjectOrganisations)
	}
	seen := make(map[string]bool, len(s.Organisations))
	for i, o := range s.Organisations {
		field := fmt.Sprintf("paramsJSON.organisations[%d]", i)
		if err := validateMSPID(field, o); err != nil {
			return ProjectSettings{}, err
		}
		if seen[o] {
			return ProjectSettings{}, fmt.Errorf("%s repeats %q: list each organisation once", field, o)
		}
		seen[o] = true
	}
	sort.Strings(s.Organisations)
	if s.CertificateApprovals < minCertificateApprovals || s.CertificateApprovals > maxApprovals {
		return ProjectSettings{}, fmt.Errorf("paramsJSON.certificateApprovals %d is not an approval count: give the registry's approvals, %d to %d; a model certificate needs that many approvals from members of at least two organisations", s.CertificateApprovals, minCertificateApprovals, maxApprovals)
	}
	if s.PhaseWriters == nil {
		return ProjectSettings{}, fmt.Errorf("paramsJSON.phaseWriters is missing: give, for each phase (%s), the roles and organisations that write it, e.g. %s", strings.Join(phaseNames(), ", "), projectSettingsExample)
	}
	if s.Members == nil {
		return ProjectSettings{}, fmt.Errorf("paramsJSON.members is missing: give the project's initial member list, [] for none yet, e.g. %s", projectSettingsExample)
	}
	if len(s.Members) > maxMembers {
		return ProjectSettings{}, fmt.Errorf("paramsJSON.members lists %d members: give at most %d and add the rest with AddMember", len(s.Members), maxMembers)
	}
	ids, identities := map[string]int{}, map[string]int{}
	for i, m := range s.Members {
		field := fmt.Sprintf("paramsJSON.members[%d]", i)
		if err := validateMember(field, m, s.Organisations); err != nil {
			return ProjectSettings{}, err
		}
		if j, twice := ids[m.MemberID]; twice {
			return ProjectSettings{}, fmt.Errorf("%s.memberId repeats %q of paramsJSON.members[%d]: list each member once", field, m.MemberID, j)
		}
		if j, twice := identities[m.Identity]; twice {
			return ProjectSettings{}, fmt.Errorf("%s.identity repeats the identity of paramsJSON.members[%d]: one identity, one member", field, j)
		}
		ids[m.MemberID], identities[m.Identity] = i, i
	}
	if _, err := parsePhaseWriters(s.PhaseWriters, s.Organisations); err != nil {
		return ProjectSettings{}, err
	}
	return s, nil
}

// minCertificateApprovals is the least k of a model certificate: approvals
// from members of at least two organisations, as the registry's committee.
const minCertificateApprovals = 2

// parsePhaseWriters checks paramsJSON.phaseWriters: exactly the nine
// phases, each with registry roles other than viewer and project
// organisations, and returns them in life-cycle order.
func parsePhaseWriters(given map[string]phaseWritersArgument, organisations []string) ([]PhaseWriters, error) {
	for phase := range given {
		if _, ok := specOf(phase); !ok {
			return nil, fmt.Errorf("paramsJSON.phaseWriters.%s is not a model life-cycle phase: give one of %s", phase, strings.Join(phaseNames(), ", "))
		}
	}
	out := make([]PhaseWriters, 0, len(phaseSpecs))
	for _, spec := range phaseSpecs {
		field := "paramsJSON.phaseWriters." + spec.name
		w, ok := given[spec.name]
		if !ok {
			return nil, fmt.Errorf("%s is missing: give the roles and organisations that write phase %s, e.g. {\"roles\":[\"data-scientist\"],\"organisations\":[%q]}", field, spec.name, organisations[0])
		}
		if len(w.Roles) == 0 || len(w.Roles) > len(memberRoles) {
			return nil, fmt.Errorf("%s.roles lists %d roles: give 1 to %d registry roles whose members write the phase", field, len(w.Roles), len(memberRoles))
		}
		for i, r := range w.Roles {
			f := fmt.Sprintf("%s.roles[%d]", field, i)
			if r == roleViewer {
				return nil, fmt.Errorf("%s is viewer: viewers only read, so name a role that writes", f)
			}
			if !isOneOf(r, memberRoles) {
				return nil, fmt.Errorf("%s %q is not a registry role: give one of %s", f, r, strings.Join(memberRoles[:len(memberRoles)-1], ", "))
			}
			if isOneOf(r, w.Roles[:i]) {
				return nil, fmt.Errorf("%s repeats %q: list each role once", f, r)
			}
		}
		if len(w.Organisations) == 0 || len(w.Organisations) > len(organisations) {
			return nil, fmt.Errorf("%s.organisations lists %d organisations: give 1 to %d of the project's organisations %v", field, len(w.Organisations), len(organisations), organisations)
		}
		for i, o := range w.Organisations {
			f := fmt.Sprintf("%s.organisations[%d]", field, i)
			if !isOneOf(o, organisations) {
				return nil, fmt.Errorf("%s %q is not one of the project's organisations %v", f, o, organisations)
			}
			if isOneOf(o, w.Organisations[:i]) {
				return nil, fmt.Errorf("%s repeats %q: list each organisation once", f, o)
			}
		}
		out = append(out, PhaseWriters{Phase: spec.name, Roles: w.Roles, Organisations: w.Organisations})
	}
	return out, nil
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// periodClockKey is the state key of the PeriodClock.
func periodClockKey(ctx contractapi.TransactionContextInterface) (string, error) {
	return compositeKey(ctx, "the period clock", configObjectType, periodClockConfigName)
}

// readClock returns the PeriodClock, the zero one before InitProject.
func readClock(ctx contractapi.TransactionContextInterface) (PeriodClock, error) {
	key, err := periodClockKey(ctx)
	if err != nil {
		return PeriodClock{}, err
	}
	value, err := readState(ctx, "the period clock", key)
	if err != nil {
		return PeriodClock{}, err
	}
	if value == nil {
		return PeriodClock{Organisations: []string{}, PhaseWriters: []PhaseWriters{}}, nil
	}
	var clock PeriodClock
	if err := json.Unmarshal(value, &clock); err != nil {
		return PeriodClock{}, fmt.Errorf("decoding the period clock: %w", err)
	}
	// A clock written before channels kept certificate approvals and phase
	// writers still closes periods; OpenModelCertificate and AddPhase refuse
	// to work without them (certificateSettings).
	if clock.PhaseWriters == nil {
		clock.PhaseWriters = []PhaseWriters{}
	}
	if !clock.Initialised || clock.PeriodSeconds < 1 || clock.FirstPeriod < 1 || clock.OpenPeriod < clock.FirstPeriod || len(clock.Organisations) < minProjectOrganisations {
		return PeriodClock{}, fmt.Errorf("decoding the period clock: %s is not a clock", value)
	}
	return clock, nil
}

// readInitialisedClock returns the PeriodClock, refusing action on a
// channel InitProject has not set up.
func readInitialisedClock(ctx contractapi.TransactionContextInterface, action string) (PeriodClock, error) {
	clock, err := readClock(ctx)
	if err != nil {
		return PeriodClock{}, err
	}
	if !clock.Initialised {
		return PeriodClock{}, fmt.Errorf("%s needs the channel's period clock, and this channel is not initialised: an admin of a project organisation runs InitProject with the registry's period length, open period and the project's organisations first", action)
	}
	return clock, nil
}

// writeClock stores clock and returns the bytes written.
func writeClock(ctx contractapi.TransactionContextInterface, clock PeriodClock) ([]byte, error) {
	key, err := periodClockKey(ctx)
	if err != nil {
		return nil, err
	}
	return writeRecord(ctx, "the period clock", key, clock)
}
