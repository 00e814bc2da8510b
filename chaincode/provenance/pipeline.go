package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Pipeline stages, in the order data flows through them (the paper's
// pipeline: collection, preprocessing, training, ML usage, result,
// monitoring; "inference" is ML usage).
const (
	StageCollection    = "collection"
	StagePreprocessing = "preprocessing"
	StageTraining      = "training"
	StageInference     = "inference"
	StageResult        = "result"
	StageMonitoring    = "monitoring"
)

// pipelineStages lists the stages in data order.
var pipelineStages = []string{StageCollection, StagePreprocessing, StageTraining, StageInference, StageResult, StageMonitoring}

// modelStages are the stages whose components may name a model certificate.
var modelStages = []string{StageTraining, StageInference, StageMonitoring}

// Bounds on what one pipeline certificate may carry.
const (
	maxComponents       = 64
	maxSteps            = 64
	maxStepText         = 1024
	maxSoftware         = 64
	maxSoftwareName     = 256
	maxSoftwareVersion  = 128
	maxComponentIO      = 32
	maxArchitecture     = 256 * 1024
	maxConfiguration    = 256 * 1024
	architectureExample = `[{"name":"camera","stage":"collection","owner":"Org1MSP","steps":["capture"],"software":[{"name":"pylon","version":"7.4"}],"inputs":["raw-data"],"outputs":["raw-data"]}]`
)

// componentArgument is one component as RecordPipelineCertificate receives
// it; the certified model's digest is filled in by the contract, not sent.
type componentArgument struct {
	Name     string            `json:"name"`
	Stage    string            `json:"stage"`
	Owner    string            `json:"owner"`
	Steps    []string          `json:"steps"`
	Software []SoftwareVersion `json:"software"`
	Inputs   []string          `json:"inputs"`
	Outputs  []string          `json:"outputs"`
	Model    string            `json:"model"`
}

// RecordPipelineCertificate records the birth certificate certID of a
// pipeline at version (e.g. 1.0.0). Arguments, all strings:
//
//   - architecture: a JSON array of the components in execution order, each
//     {"name","stage","owner","steps","software","inputs","outputs","model"}:
//     name unique (A-Z a-z 0-9 . _ -, not an artifact kind); stage one of
//     collection, preprocessing, training, inference, result, monitoring,
//     never earlier than the previous component's; owner the MSP id running
//     it; steps its processing steps in order (at least one); software
//     [{"name","version"}] (at least one); inputs artifact kinds an earlier
//     component outputs, or earlier components' names, at least one except in
//     collection, and raw-data may enter from outside only into the first
//     component when it is a collection component; outputs artifact kinds;
//     model (optional, training, inference and monitoring only) a model
//     certificate ID, which for inference must be certified
//   - configuration: the pipeline's configuration as a JSON object; stored
//     as the exact text given, with the SHA-256 of its bytes
//
// The caller is a channel member in good standing other than a viewer. A
// PipelineCertificateRecorded event announces the record.
func (c *Contract) RecordPipelineCertificate(ctx contractapi.TransactionContextInterface, certID string, version string, architecture string, configuration string) error {
	if err := validateID("certID", certID); err != nil {
		return err
	}
	if err := validateVersion("version", version); err != nil {
		return err
	}
	components, err := parseArchitecture(architecture)
	if err != nil {
		return err
	}
	if err := validateConfiguration(configuration); err != nil {
		return err
	}

	who, _, err := requireWriter(ctx, "recording a pipeline certificate")
	if err != nil {
		return err
	}
	what := fmt.Sprintf("pipeline certificate %q", certID)
	key, err := pipelineCertificateKey(ctx, certID)
	if err != nil {
		return err
	}
	if err := requireAbsent(ctx, what, key,
		fmt.Errorf("pipeline certificate %q already exists: certificates are immutable, so record the changed pipeline under another certID", certID)); err != nil {
		return err
	}
	for i := range components {
		comp := &components[i]
		if comp.Model == "" {
			continue
		}
		cert, _, err := readModelCertificate(ctx, comp.Model)
		if err != nil {
			return fmt.Errorf("%s.model: %w", componentLabel(i, comp.Name), err)
		}
		if comp.Stage == StageInference && cert.Status != StatusCertified {
			return fmt.Errorf("%s: model used without a complete certificate: model certificate %q is %s; certify it (all nine phases and the policy's approvals) before recording a pipeline that runs it",
				componentLabel(i, comp.Name), comp.Model, describeProgress(cert))
		}
		comp.ModelSHA256 = cert.ModelSHA256
	}

	st := who.stamp
	digest := sha256.Sum256([]byte(configuration))
	record, err := writeRecord(ctx, what, key, PipelineCertificate{
		ID:                  certID,
		Version:             version,
		Components:          components,
		Configuration:       configuration,
		ConfigurationSHA256: hex.EncodeToString(digest[:]),
		Creator:             st.ID,
		CreatorMSP:          st.MSPID,
		CreatorTrust:        who.Trust,
		TxID:                st.TxID,
		Timestamp:           st.Timestamp,
	})
	if err != nil {
		return err
	}
	return emit(ctx, EventPipelineCertificateRecorded, what, record)
}

// componentLabel names component i in messages.
func componentLabel(i int, name string) string {
	return fmt.Sprintf("architecture[%d] %q", i, name)
}

// parseArchitecture reads and checks the architecture argument, refusing an
// order that breaks the flow of data.
func parseArchitecture(value string) ([]PipelineComponent, error) {
	if len(value) > maxArchitecture {
		return nil, fmt.Errorf("architecture is %d bytes long: give at most %d", len(value), maxArchitecture)
	}
	var args []componentArgument
	if err := decodeStrict("architecture", value, architectureExample, &args); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("architecture lists no components: give the components in execution order, e.g. %s", architectureExample)
	}
	if len(args) > maxComponents {
		return nil, fmt.Errorf("architecture lists %d components: give at most %d", len(args), maxComponents)
	}
	components := make([]PipelineComponent, len(args))
	position := map[string]int{}
	for i, a := range args {
		comp, err := checkComponentShape(i, a)
		if err != nil {
			return nil, err
		}
		if j, taken := position[a.Name]; taken {
			return nil, fmt.Errorf("architecture[%d].name %q is already the name of architecture[%d]: give each component its own name", i, a.Name, j)
		}
		position[a.Name] = i
		components[i] = comp
	}
	// Data order: stages never go back, and every input exists before it is used.
	for i := 1; i < len(components); i++ {
		comp, prev := components[i], components[i-1]
		if stageIndex(comp.Stage) < stageIndex(prev.Stage) {
			return nil, fmt.Errorf("%s has stage %s after stage %s (%s): stages must follow the order %s, so reorder the components",
				componentLabel(i, comp.Name), comp.Stage, prev.Stage, componentLabel(i-1, prev.Name), strings.Join(pipelineStages, ", "))
		}
	}
	for i, comp := range components {
		label := componentLabel(i, comp.Name)
		if len(comp.Inputs) == 0 && comp.Stage != StageCollection {
			return nil, fmt.Errorf("%s.inputs is empty: a %s component needs data, so list the artifact kinds or earlier components it reads", label, comp.Stage)
		}
		for k, input := range comp.Inputs {
			field := fmt.Sprintf("%s input %q", label, input)
			if isOneOf(input, artifactKinds) {
				if producedBefore(components[:i], input) {
					continue
				}
				if input == KindRawData {
					if i == 0 && comp.Stage == StageCollection {
						continue
					}
					return nil, fmt.Errorf("%s is produced by no earlier component: raw data may enter from outside only into the first component, which must be a collection component", field)
				}
				return nil, fmt.Errorf("%s is produced by no earlier component: put a component that outputs %s before it", field, input)
			}
			j, known := position[input]
			switch {
			case !known:
				return nil, fmt.Errorf("%s is neither an artifact kind (%s) nor the name of a component: fix inputs[%d]", field, strings.Join(artifactKinds, ", "), k)
			case j == i:
				return nil, fmt.Errorf("%s is the component itself: a component cannot read its own output, so remove inputs[%d]", field, k)
			case j > i:
				return nil, fmt.Errorf("%s is a later component (architecture[%d]): data flows only forward, so reorder the components", field, j)
			}
		}
	}
	return components, nil
}

// checkComponentShape checks one component on its own.
func checkComponentShape(i int, a componentArgument) (PipelineComponent, error) {
	prefix := fmt.Sprintf("architecture[%d]", i)
	if err := validateID(prefix+".name", a.Name); err != nil {
		return PipelineComponent{}, err
	}
	if isOneOf(a.Name, artifactKinds) {
		return PipelineComponent{}, fmt.Errorf("%s.name %q is an artifact kind: inputs could not tell the two apart, so name the component differently", prefix, a.Name)
	}
	label := componentLabel(i, a.Name)
	if !isOneOf(a.Stage, pipelineStages) {
		return PipelineComponent{}, fmt.Errorf("%s.stage %q is not a pipeline stage: give one of %s", label, a.Stage, strings.Join(pipelineStages, ", "))
	}
	if err := validateMSPID(label+".owner", a.Owner); err != nil {
		return PipelineComponent{}, err
	}
	if len(a.Steps) == 0 {
		return PipelineComponent{}, fmt.Errorf("%s.steps is empty: list the component's processing steps in order, e.g. [\"resize\",\"normalise\"]", label)
	}
	if len(a.Steps) > maxSteps {
		return PipelineComponent{}, fmt.Errorf("%s.steps lists %d steps: give at most %d", label, len(a.Steps), maxSteps)
	}
	for k, step := range a.Steps {
		if err := validateText(fmt.Sprintf("%s.steps[%d]", label, k), step, maxStepText, "the step's description"); err != nil {
			return PipelineComponent{}, err
		}
	}
	if len(a.Software) == 0 {
		return PipelineComponent{}, fmt.Errorf("%s.software is empty: list the software the component runs with versions, e.g. [{\"name\":\"torch\",\"version\":\"2.5.1\"}]", label)
	}
	if len(a.Software) > maxSoftware {
		return PipelineComponent{}, fmt.Errorf("%s.software lists %d entries: give at most %d", label, len(a.Software), maxSoftware)
	}
	for k, sw := range a.Software {
		field := fmt.Sprintf("%s.software[%d]", label, k)
		if err := validateText(field+".name", sw.Name, maxSoftwareName, "the software's name"); err != nil {
			return PipelineComponent{}, err
		}
		if err := validateText(field+".version", sw.Version, maxSoftwareVersion, "the version in use, e.g. 2.5.1"); err != nil {
			return PipelineComponent{}, err
		}
	}
	if len(a.Inputs) > maxComponentIO || len(a.Outputs) > maxComponentIO {
		return PipelineComponent{}, fmt.Errorf("%s lists %d inputs and %d outputs: give at most %d of each", label, len(a.Inputs), len(a.Outputs), maxComponentIO)
	}
	for k, input := range a.Inputs {
		if input == "" {
			return PipelineComponent{}, fmt.Errorf("%s.inputs[%d] is empty: give an artifact kind or an earlier component's name", label, k)
		}
		if k2 := indexOf(a.Inputs[:k], input); k2 >= 0 {
			return PipelineComponent{}, fmt.Errorf("%s.inputs[%d] repeats %q: list each input once", label, k, input)
		}
	}
	for k, output := range a.Outputs {
		if err := validateKind(fmt.Sprintf("%s.outputs[%d]", label, k), output); err != nil {
			return PipelineComponent{}, err
		}
		if indexOf(a.Outputs[:k], output) >= 0 {
			return PipelineComponent{}, fmt.Errorf("%s.outputs[%d] repeats %q: list each output once", label, k, output)
		}
	}
	if a.Model != "" {
		if err := validateID(label+".model", a.Model); err != nil {
			return PipelineComponent{}, err
		}
		if !isOneOf(a.Stage, modelStages) {
			return PipelineComponent{}, fmt.Errorf("%s.model: a %s component uses no model: remove \"model\", or give it to the %s component that does", label, a.Stage, strings.Join(modelStages, ", "))
		}
	}
	return PipelineComponent{
		Name:     a.Name,
		Stage:    a.Stage,
		Owner:    a.Owner,
		Steps:    a.Steps,
		Software: a.Software,
		Inputs:   nonNil(a.Inputs),
		Outputs:  nonNil(a.Outputs),
		Model:    a.Model,
	}, nil
}

// validateConfiguration checks that the configuration argument is a JSON object.
func validateConfiguration(value string) error {
	if len(value) > maxConfiguration {
		return fmt.Errorf("configuration is %d bytes long: give at most %d; store a larger one as an artifact of kind configuration and reference it", len(value), maxConfiguration)
	}
	if _, _, ok := objectMembers([]byte(value)); !ok {
		return fmt.Errorf(`configuration is not a JSON object: give the pipeline's configuration, e.g. {"camera":{"exposureUs":800}}, in the canonical form whose SHA-256 you will check`)
	}
	return nil
}

// stageIndex is stage's position in the data order.
func stageIndex(stage string) int {
	return indexOf(pipelineStages, stage)
}

// producedBefore reports whether one of components outputs kind.
func producedBefore(components []PipelineComponent, kind string) bool {
	for _, c := range components {
		if isOneOf(kind, c.Outputs) {
			return true
		}
	}
	return false
}

// indexOf returns the position of value in list, or -1.
func indexOf(list []string, value string) int {
	for i, v := range list {
		if v == value {
			return i
		}
	}
	return -1
}

// nonNil returns list, or an empty list for nil, so that records never hold null.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// pipelineCertificateKey is the state key of pipeline certificate id.
func pipelineCertificateKey(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	return compositeKey(ctx, fmt.Sprintf("pipeline certificate %q", id), pipelineCertObjectType, id)
}

// pipelineCertificateExists reports whether pipeline certificate id is recorded.
func pipelineCertificateExists(ctx contractapi.TransactionContextInterface, id string) (bool, error) {
	value, err := readPipelineCertificate(ctx, id)
	if err != nil {
		return false, err
	}
	return value != nil, nil
}

// readPipelineCertificate returns the stored JSON of pipeline certificate
// id, nil when absent.
func readPipelineCertificate(ctx contractapi.TransactionContextInterface, id string) ([]byte, error) {
	key, err := pipelineCertificateKey(ctx, id)
	if err != nil {
		return nil, err
	}
	return readState(ctx, fmt.Sprintf("pipeline certificate %q", id), key)
}

// decodePipelineCertificate checks that value is a pipeline certificate.
func decodePipelineCertificate(id string, value []byte) error {
	var cert PipelineCertificate
	if err := json.Unmarshal(value, &cert); err != nil {
		return fmt.Errorf("decoding pipeline certificate %q: %w", id, err)
	}
	return nil
}
