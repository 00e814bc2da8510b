package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Model life-cycle phases, in the order a birth certificate records them
// (the paper's section 5.4.1).
const (
	PhaseRequirements       = "requirements"
	PhaseDataCollection     = "data-collection"
	PhaseDataCleaning       = "data-cleaning"
	PhaseDataLabelling      = "data-labelling"
	PhaseFeatureEngineering = "feature-engineering"
	PhaseTraining           = "training"
	PhaseEvaluation         = "evaluation"
	PhaseDeployment         = "deployment"
	PhaseMonitoring         = "monitoring"
)

// Model certificate states, the values of ModelCertificate.Status.
const (
	StatusOpen      = "open"
	StatusComplete  = "complete"
	StatusCertified = "certified"
)

// fieldKind is how a phase field's value is checked.
type fieldKind int

const (
	// fieldText is a non-empty JSON string.
	fieldText fieldKind = iota
	// fieldObject is a JSON object, stored as given; non-empty when required.
	fieldObject
	// fieldMetrics is a non-empty JSON object of metric name to decimal string.
	fieldMetrics
	// fieldPipelineRef is the ID of a recorded pipeline certificate.
	fieldPipelineRef
)

// phaseField is one field a phase's entry may carry.
type phaseField struct {
	name     string
	kind     fieldKind
	required bool
	// what describes the value, for messages.
	what string
}

// phaseSpec is a phase and its fields: the paper's "most important
// information" for the phase as required fields, the further information it
// names as optional ones.
type phaseSpec struct {
	name    string
	fields  []phaseField
	example string
}

// phaseSpecs lists the phases in life-cycle order.
var phaseSpecs = []phaseSpec{
	{PhaseRequirements, []phaseField{
		{"goals", fieldText, true, "the model's goal"},
		{"decisions", fieldText, true, "the decisions made to reach the goal"},
	}, `{"goals":"detect scratches on steel sheets","decisions":"binary classifier on 224x224 crops"}`},
	{PhaseDataCollection, []phaseField{
		{"acquisition", fieldText, true, "how the data was acquired"},
		{"sensors", fieldText, true, "the sensor models used"},
		{"environment", fieldObject, false, "the environment parameters as a JSON object"},
	}, `{"acquisition":"line camera over the conveyor","sensors":"Basler acA2440","environment":{"lux":"800"}}`},
	{PhaseDataCleaning, []phaseField{
		{"method", fieldText, true, "the cleaning method"},
		{"software", fieldText, true, "the cleaning software and its version"},
		{"parameters", fieldObject, false, "the cleaning parameters as a JSON object"},
	}, `{"method":"drop blurred frames","software":"opencv 4.10.0","parameters":{"minSharpness":"0.4"}}`},
	{PhaseDataLabelling, []phaseField{
		{"method", fieldText, true, "the labelling method"},
		{"instructions", fieldText, true, "the instructions given to the labellers"},
		{"labeller", fieldText, true, "who labelled the data"},
		{"software", fieldText, false, "the labelling software and its version"},
	}, `{"method":"two annotators, expert resolves","instructions":"mark every scratch longer than 2 mm","labeller":"Org2MSP inspectors"}`},
	{PhaseFeatureEngineering, []phaseField{
		{"augmentation", fieldText, true, `the data augmentation method, or "none"`},
		{"parameters", fieldObject, false, "the augmentation parameters as a JSON object"},
	}, `{"augmentation":"random flips and crops","parameters":{"cropSize":224}}`},
	{PhaseTraining, []phaseField{
		{"hyperparameters", fieldObject, true, "the hyperparameters as a JSON object"},
		{"software", fieldText, true, "the training software and its version"},
	}, `{"hyperparameters":{"epochs":20,"learningRate":"0.001"},"software":"torch 2.5.1"}`},
	{PhaseEvaluation, []phaseField{
		{"metrics", fieldMetrics, true, "the metrics as a JSON object of name to decimal string"},
	}, `{"metrics":{"accuracy":"0.973","precision":"0.95"}}`},
	{PhaseDeployment, []phaseField{
		{"pipelineRef", fieldPipelineRef, true, "the ID of the pipeline certificate the model is deployed in"},
	}, `{"pipelineRef":"inspection-pipeline-1"}`},
	{PhaseMonitoring, []phaseField{
		{"alertThresholds", fieldObject, true, "the alert thresholds as a JSON object"},
	}, `{"alertThresholds":{"accuracy":"0.9"}}`},
}

// Bounds on what one certificate transaction may carry.
const (
	maxModelName     = 128
	maxApprovals     = 100
	maxPhaseText     = 4096
	maxPhaseFields   = 64 * 1024
	maxPhaseArtifact = 64
)

// phaseNames returns the phases in order, for messages.
func phaseNames() []string {
	names := make([]string, len(phaseSpecs))
	for i, s := range phaseSpecs {
		names[i] = s.name
	}
	return names
}

// specOf returns the spec of phase, or false when phase is not one.
func specOf(phase string) (phaseSpec, bool) {
	for _, s := range phaseSpecs {
		if s.name == phase {
			return s, true
		}
	}
	return phaseSpec{}, false
}

// OpenModelCertificate opens the birth certificate certID of model modelName
// (free text, at most 128 bytes) at version (e.g. 1.0.0). Its approval
// policy is the channel's: once all nine phases are recorded,
// certificateApprovals approvals by members of at least two organisations,
// none of them its opener or a phase writer, certify it. Any channel member
// but a viewer may open one and is recorded as its author; a
// ModelCertificateOpened event announces it.
func (c *Contract) OpenModelCertificate(ctx contractapi.TransactionContextInterface, certID string, modelName string, version string) error {
	if err := validateID("certID", certID); err != nil {
		return err
	}
	if err := validateText("modelName", modelName, maxModelName, "the model's name"); err != nil {
		return err
	}
	if err := validateVersion("version", version); err != nil {
		return err
	}
	who, clock, err := requireWriter(ctx, "opening a model certificate")
	if err != nil {
		return err
	}
	if clock.CertificateApprovals < minCertificateApprovals || len(clock.PhaseWriters) != len(phaseSpecs) {
		return fmt.Errorf("this channel was initialised without certificate approvals and phase writers (transaction %s): model certificates need both; make a new project channel with InitProject's certificateApprovals and phaseWriters", clock.InitTxID)
	}
	what := fmt.Sprintf("model certificate %q", certID)
	key, err := compositeKey(ctx, what, modelCertObjectType, certID)
	if err != nil {
		return err
	}
	if err := requireAbsent(ctx, what, key,
		fmt.Errorf("model certificate %q already exists: certificates are immutable, so open a new one under another certID", certID)); err != nil {
		return err
	}
	cert := ModelCertificate{
		ID:            certID,
		ModelName:     modelName,
		Version:       version,
		Policy:        ApprovalPolicy{Approvals: clock.CertificateApprovals, MinOrganisations: minApprovingOrganisations},
		Status:        StatusOpen,
		Phases:        []PhaseEntry{},
		Approvals:     []CertificateApproval{},
		Creator:       who.ID,
		CreatorMSP:    who.MSPID,
		CreatorMember: who.Member.MemberID,
		CreatorTrust:  who.Trust,
		TxID:          who.TxID,
		Timestamp:     who.Timestamp,
	}
	record, err := writeRecord(ctx, what, key, cert)
	if err != nil {
		return err
	}
	return emit(ctx, EventModelCertificateOpened, what, record)
}

// minApprovingOrganisations is how many organisations a certificate's
// approvers come from at least, so that no organisation certifies alone.
const minApprovingOrganisations = 2

// AddPhase records the next life-cycle phase of model certificate certID.
// Arguments, all strings:
//
//   - phase: the next phase in the order requirements, data-collection,
//     data-cleaning, data-labelling, feature-engineering, training,
//     evaluation, deployment, monitoring
//   - fields: a JSON object of the phase's fields (see phaseSpecs): text
//     fields are JSON strings; hyperparameters, alertThresholds, environment
//     and parameters are JSON objects; metrics maps names to decimal strings;
//     pipelineRef names a recorded pipeline certificate
//   - artifacts: a JSON array of IDs of recorded artifacts the phase used or
//     produced, "[]" for none; the training phase lists exactly one artifact
//     of kind model, recorded by the training phase's writer itself, whose
//     sha256 becomes the certificate's modelSha256 (set once, here only)
//   - creatorCertificateID: the certificate of the phase's creator, a
//     registry certificate about the caller (see below)
//
// The caller is a channel member in good standing whose registry role and
// organisation the channel's phaseWriters give the phase. The ninth phase
// completes the certificate and emits ModelCertificateCompleted; the others
// emit PhaseAdded.
//
// The creator certificate is checked last, against the registry on
// mainchain (GetCertificate, by cross-channel query), so that no writer
// vouches for its phase with someone else's certificate: it must exist, be
// valid (not revoked), and be about the caller: a customer, domain-expert or
// data-scientist certificate whose subject is the caller's member id, or a
// company certificate whose subject is the caller's organisation (its MSP
// id, as the registry records company certificates). Other kinds (model,
// data, data-source, public-dataset) are about things, never a writer. Its
// scope must be global, local to this channel, or local to mainchain (the
// consortium's own, where company certificates are issued); a certificate
// local to another project channel is refused: it was vouched for within
// that project only, by members this channel does not see, and one meant to
// count everywhere is made global by the registry's UpgradeCertificate.
func (c *Contract) AddPhase(ctx contractapi.TransactionContextInterface, certID string, phase string, fields string, artifacts string, creatorCertificateID string) error {
	if err := validateID("certID", certID); err != nil {
		return err
	}
	spec, ok := specOf(phase)
	if !ok {
		return fmt.Errorf("phase %q is not a model life-cycle phase: give one of %s", phase, strings.Join(phaseNames(), ", "))
	}
	canonical, pipelineRef, err := parsePhaseFields(spec, fields)
	if err != nil {
		return err
	}
	artifactIDs, err := parseIDList("artifacts", "artifact", artifacts, `["model-7","train-config-2"]`, maxPhaseArtifact)
	if err != nil {
		return err
	}
	if err := validateID("creatorCertificateID", creatorCertificateID); err != nil {
		return err
	}

	who, clock, err := requireWriter(ctx, "adding a phase")
	if err != nil {
		return err
	}
	cert, key, err := readModelCertificate(ctx, certID)
	if err != nil {
		return err
	}
	if cert.Status != StatusOpen {
		return fmt.Errorf("model certificate %q is %s: all nine phases are recorded, so no phase can be added; open a new certificate for a new model version", certID, cert.Status)
	}
	next := phaseSpecs[len(cert.Phases)].name
	if phase != next {
		if len(cert.Phases) == 0 {
			return fmt.Errorf("phase %s cannot come first: next is %s", phase, next)
		}
		return fmt.Errorf("phase %s cannot follow %s: next is %s", phase, cert.Phases[len(cert.Phases)-1].Phase, next)
	}
	if err := checkPhaseWriter(clock, phase, who.Member); err != nil {
		return err
	}
	var models []*Artifact
	for i, id := range artifactIDs {
		a, err := readArtifact(ctx, id)
		if err != nil {
			return fmt.Errorf("artifacts[%d]: %w", i, err)
		}
		if a.Kind == KindModel {
			models = append(models, a)
		}
	}
	if phase == PhaseTraining && len(models) != 1 {
		ids := make([]string, len(models))
		for i, m := range models {
			ids[i] = m.ID
		}
		found := "none"
		if len(ids) > 0 {
			found = fmt.Sprintf("%d (%s)", len(ids), strings.Join(ids, ", "))
		}
		return fmt.Errorf("phase training must name the trained model: list exactly one artifact of kind model in artifacts, found %s", found)
	}
	if phase == PhaseTraining && models[0].Creator != who.ID {
		return fmt.Errorf("phase training must name a model its writer recorded: artifact %q was recorded by %s of %s, not by you; the certified model hash is set by the one who trained it, so record the trained model yourself", models[0].ID, models[0].Creator, models[0].CreatorMSP)
	}
	if pipelineRef != "" {
		found, err := pipelineCertificateExists(ctx, pipelineRef)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("fields.pipelineRef: pipeline certificate %q does not exist: record it with RecordPipelineCertificate first", pipelineRef)
		}
	}

	if err := checkCreatorCertificate(ctx, creatorCertificateID, who.Member); err != nil {
		return err
	}

	st := who.stamp
	cert.Phases = append(cert.Phases, PhaseEntry{
		Phase:                phase,
		Fields:               canonical,
		Artifacts:            artifactIDs,
		CreatorCertificateID: creatorCertificateID,
		Creator:              st.ID,
		CreatorMSP:           st.MSPID,
		CreatorMember:        who.Member.MemberID,
		CreatorTrust:         who.Trust,
		TxID:                 st.TxID,
		Timestamp:            st.Timestamp,
	})
	if phase == PhaseTraining {
		cert.ModelArtifactID = models[0].ID
		cert.ModelSHA256 = models[0].SHA256
	}
	event := EventPhaseAdded
	if len(cert.Phases) == len(phaseSpecs) {
		cert.Status = StatusComplete
		cert.CompletedTxID = st.TxID
		cert.CompletedAt = st.Timestamp
		event = EventModelCertificateCompleted
	}
	what := fmt.Sprintf("model certificate %q", certID)
	record, err := writeRecord(ctx, what, key, cert)
	if err != nil {
		return err
	}
	return emit(ctx, event, what, record)
}

// ApproveModelCertificate approves complete model certificate certID on the
// caller's behalf. The caller is a channel member in good standing, not a
// viewer, neither the certificate's author (its opener) nor the writer of
// any of its phases, and approves a certificate once. The approval that
// brings the count to the policy's k, with approvers from at least two
// organisations, certifies it and emits ModelCertified; the others emit
// ModelCertificateApproved.
func (c *Contract) ApproveModelCertificate(ctx contractapi.TransactionContextInterface, certID string) error {
	if err := validateID("certID", certID); err != nil {
		return err
	}
	who, _, err := requireWriter(ctx, "approving a model certificate")
	if err != nil {
		return err
	}
	cert, key, err := readModelCertificate(ctx, certID)
	if err != nil {
		return err
	}
	if cert.Status == StatusOpen {
		return fmt.Errorf("model certificate %q is not complete (%d of %d phases, next is %s): approve it once all nine phases are recorded", certID, len(cert.Phases), len(phaseSpecs), phaseSpecs[len(cert.Phases)].name)
	}
	memberID := who.Member.MemberID
	if cert.CreatorMember == memberID || cert.Creator == who.ID {
		return fmt.Errorf("the author cannot approve its own certificate: you (member %q) opened model certificate %q; members who neither opened it nor wrote a phase approve it", memberID, certID)
	}
	for _, p := range cert.Phases {
		if p.CreatorMember == memberID || p.Creator == who.ID {
			return fmt.Errorf("a phase writer cannot approve its own certificate: you (member %q) wrote phase %s of model certificate %q (transaction %s); members who neither opened it nor wrote a phase approve it", memberID, p.Phase, certID, p.TxID)
		}
	}
	for _, a := range cert.Approvals {
		if a.ApproverMember == memberID || a.Approver == who.ID {
			return fmt.Errorf("you already approved model certificate %q (transaction %s): each member approves once", certID, a.TxID)
		}
	}
	cert.Approvals = append(cert.Approvals, CertificateApproval{
		Approver:       who.ID,
		ApproverMSP:    who.MSPID,
		ApproverMember: memberID,
		ApproverTrust:  who.Trust,
		TxID:           who.TxID,
		Timestamp:      who.Timestamp,
	})
	event := EventModelCertificateApproved
	if cert.Status == StatusComplete && certifies(cert) {
		cert.Status = StatusCertified
		cert.CertifiedTxID = who.TxID
		cert.CertifiedAt = who.Timestamp
		event = EventModelCertified
	}
	what := fmt.Sprintf("model certificate %q", certID)
	record, err := writeRecord(ctx, what, key, cert)
	if err != nil {
		return err
	}
	return emit(ctx, event, what, record)
}

// certifies reports whether cert's approvals meet its policy: k approvals
// from members of at least MinOrganisations organisations.
func certifies(cert *ModelCertificate) bool {
	orgs := map[string]bool{}
	for _, a := range cert.Approvals {
		orgs[a.ApproverMSP] = true
	}
	return int64(len(cert.Approvals)) >= cert.Policy.Approvals && int64(len(orgs)) >= cert.Policy.MinOrganisations
}

// checkPhaseWriter refuses member m as the writer of phase unless the
// channel's phaseWriters give the phase m's role and organisation.
func checkPhaseWriter(clock PeriodClock, phase string, m *ProjectMember) error {
	for _, w := range clock.PhaseWriters {
		if w.Phase != phase {
			continue
		}
		if isOneOf(m.Role, w.Roles) && isOneOf(m.Organisation, w.Organisations) {
			return nil
		}
		return fmt.Errorf("phase %s is written by a member of role %s of organisation %s: member %q is a %s of %s; ask a member who fits to write it",
			phase, strings.Join(w.Roles, " or "), strings.Join(w.Organisations, " or "), m.MemberID, m.Role, m.Organisation)
	}
	return fmt.Errorf("phase %s has no writers in this channel's phaseWriters: the channel's settings are damaged", phase)
}

// personCertificateKinds are the registry's certificate kinds about a
// person, whose subject is a member id; companyCertificateKind's subject is
// an organisation's MSP id (registry.CertificateKinds; a test keeps them
// among the registry's).
var personCertificateKinds = []string{"customer", "domain-expert", "data-scientist"}

const companyCertificateKind = "company"

// checkCreatorCertificate refuses certID as the certificate of phase writer
// m unless the registry holds it valid, about m (or, a company certificate,
// about m's organisation), and global or local to this channel or to
// mainchain; AddPhase's doc comment says why.
func checkCreatorCertificate(ctx contractapi.TransactionContextInterface, certID string, m *ProjectMember) error {
	cert, err := readRegistryCertificate(ctx, certID)
	if err != nil {
		return fmt.Errorf("creatorCertificateID: %w", err)
	}
	yours := fmt.Sprintf("cite a certificate the registry holds about you (member %q) or your organisation's company certificate (subject %s)", m.MemberID, m.Organisation)
	if cert == nil {
		return fmt.Errorf("creatorCertificateID: certificate %q is unknown to the registry on %s: %s", certID, registryChannel, yours)
	}
	switch {
	case cert.Kind == companyCertificateKind && cert.Subject != m.Organisation:
		return fmt.Errorf("creatorCertificateID: certificate %q is about organisation %s, not yours (%s): a phase entry carries its own writer's certificate; %s", certID, cert.Subject, m.Organisation, yours)
	case isOneOf(cert.Kind, personCertificateKinds) && cert.Subject != m.MemberID:
		return fmt.Errorf("creatorCertificateID: certificate %q is about member %q, not you (member %q): a phase entry carries its own writer's certificate; %s", certID, cert.Subject, m.MemberID, yours)
	case cert.Kind != companyCertificateKind && !isOneOf(cert.Kind, personCertificateKinds):
		return fmt.Errorf("creatorCertificateID: certificate %q is a %s certificate, about %q, not about a member or an organisation: %s", certID, cert.Kind, cert.Subject, yours)
	}
	switch cert.Status {
	case certificateValid:
	case certificateRevoked:
		return fmt.Errorf("creatorCertificateID: certificate %q was revoked (%s, by %q: %s): a revoked certificate is never valid again; %s", certID, cert.RevokedAt, cert.RevokedBy, cert.RevocationReason, yours)
	default:
		return fmt.Errorf("creatorCertificateID: certificate %q has status %q in the registry, not %s: %s", certID, cert.Status, certificateValid, yours)
	}
	channel := ctx.GetStub().GetChannelID()
	switch {
	case cert.Scope == scopeGlobal:
	case cert.Scope == scopeLocal && (cert.ProjectChannel == channel || cert.ProjectChannel == registryChannel):
	case cert.Scope == scopeLocal:
		return fmt.Errorf("creatorCertificateID: certificate %q is local to project channel %s, not to this one (%s): only global certificates and those local to %s or to %s count here; cite one of those, or have this one made global (registry UpgradeCertificate)", certID, cert.ProjectChannel, channel, channel, registryChannel)
	default:
		return fmt.Errorf("creatorCertificateID: certificate %q has scope %q in the registry, neither %s nor %s: cite a global certificate or one local to %s or to %s", certID, cert.Scope, scopeGlobal, scopeLocal, channel, registryChannel)
	}
	return nil
}

// parsePhaseFields checks the fields argument against spec and returns it as
// a compact JSON object with spec's fields in spec's order, and the
// pipelineRef it names, if any.
func parsePhaseFields(spec phaseSpec, value string) (json.RawMessage, string, error) {
	if len(value) > maxPhaseFields {
		return nil, "", fmt.Errorf("fields is %d bytes long: give at most %d; store large content as an artifact and list it in artifacts", len(value), maxPhaseFields)
	}
	keys, values, ok := objectMembers([]byte(value))
	if !ok {
		return nil, "", fmt.Errorf("fields is not a JSON object: give the %s phase's fields, e.g. %s", spec.name, spec.example)
	}
	given := map[string]json.RawMessage{}
	for i, key := range keys {
		if _, twice := given[key]; twice {
			return nil, "", fmt.Errorf("fields.%s is given twice: give each field once", key)
		}
		if !hasField(spec, key) {
			return nil, "", fmt.Errorf("fields.%s is not a field of phase %s: give only %s", key, spec.name, fieldNames(spec))
		}
		given[key] = values[i]
	}
	var out bytes.Buffer
	out.WriteByte('{')
	pipelineRef := ""
	for _, f := range spec.fields {
		raw, present := given[f.name]
		if !present {
			if f.required {
				return nil, "", fmt.Errorf("phase %s needs fields.%s (%s): add it, e.g. %s", spec.name, f.name, f.what, spec.example)
			}
			continue
		}
		field := "fields." + f.name
		switch f.kind {
		case fieldText, fieldPipelineRef:
			var text string
			if json.Unmarshal(raw, &text) != nil {
				return nil, "", fmt.Errorf("%s must be a JSON string: give %s", field, f.what)
			}
			if f.kind == fieldPipelineRef {
				if err := validateID(field, text); err != nil {
					return nil, "", err
				}
				pipelineRef = text
			} else if err := validateText(field, text, maxPhaseText, f.what); err != nil {
				return nil, "", err
			}
		case fieldObject, fieldMetrics:
			if err := checkObjectField(field, f, raw); err != nil {
				return nil, "", err
			}
		}
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		name, _ := json.Marshal(f.name)
		out.Write(name)
		out.WriteByte(':')
		// raw was decoded from valid JSON, so compacting it cannot fail.
		_ = json.Compact(&out, raw)
	}
	out.WriteByte('}')
	return json.RawMessage(out.Bytes()), pipelineRef, nil
}

// checkObjectField checks a field whose value is a JSON object: no key given
// twice, non-empty when required, and for metrics every value a decimal string.
func checkObjectField(field string, f phaseField, raw json.RawMessage) error {
	keys, values, ok := objectMembers(raw)
	if !ok {
		return fmt.Errorf("%s must be a JSON object: give %s", field, f.what)
	}
	if f.required && len(keys) == 0 {
		return fmt.Errorf("%s must not be empty: give %s", field, f.what)
	}
	seen := map[string]bool{}
	for i, key := range keys {
		if seen[key] {
			return fmt.Errorf("%s.%s is given twice: give each key once", field, key)
		}
		seen[key] = true
		if f.kind != fieldMetrics {
			continue
		}
		if err := validateID(field+" key", key); err != nil {
			return err
		}
		var decimal string
		if json.Unmarshal(values[i], &decimal) != nil {
			return fmt.Errorf("%s.%s must be a decimal string such as \"0.97\": numbers are sent as strings so that no peer parses a float", field, key)
		}
		if _, err := parseFixed(field+"."+key, decimal); err != nil {
			return err
		}
	}
	return nil
}

// hasField reports whether spec has a field called name.
func hasField(spec phaseSpec, name string) bool {
	for _, f := range spec.fields {
		if f.name == name {
			return true
		}
	}
	return false
}

// fieldNames lists spec's fields for messages, optional ones marked.
func fieldNames(spec phaseSpec) string {
	names := make([]string, len(spec.fields))
	for i, f := range spec.fields {
		names[i] = f.name
		if !f.required {
			names[i] += " (optional)"
		}
	}
	return strings.Join(names, ", ")
}

// readModelCertificate loads model certificate id and returns it with its key.
func readModelCertificate(ctx contractapi.TransactionContextInterface, id string) (*ModelCertificate, string, error) {
	what := fmt.Sprintf("model certificate %q", id)
	key, err := compositeKey(ctx, what, modelCertObjectType, id)
	if err != nil {
		return nil, "", err
	}
	value, err := readState(ctx, what, key)
	if err != nil {
		return nil, "", err
	}
	if value == nil {
		return nil, "", fmt.Errorf("model certificate %q does not exist: open it with OpenModelCertificate first", id)
	}
	var cert ModelCertificate
	if err := json.Unmarshal(value, &cert); err != nil {
		return nil, "", fmt.Errorf("decoding %s: %w", what, err)
	}
	if len(cert.Phases) > len(phaseSpecs) {
		return nil, "", fmt.Errorf("decoding %s: it holds %d phases, more than the %d there are", what, len(cert.Phases), len(phaseSpecs))
	}
	if cert.Phases == nil {
		cert.Phases = []PhaseEntry{}
	}
	if cert.Approvals == nil {
		cert.Approvals = []CertificateApproval{}
	}
	return &cert, key, nil
}

// describeProgress says how far a model certificate is from certified.
func describeProgress(cert *ModelCertificate) string {
	return fmt.Sprintf("%s, %d of %d phases, %d of %d approvals (from at least %d organisations)", cert.Status, len(cert.Phases), len(phaseSpecs), len(cert.Approvals), cert.Policy.Approvals, cert.Policy.MinOrganisations)
}
