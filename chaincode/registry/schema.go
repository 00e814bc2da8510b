package registry

import (
	"bcmlp.local/chaincode/internal/validate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"bcmlp.local/chaincode/trust"
)

// attributeType is how an attribute's JSON value is checked and stored.
type attributeType int

const (
	// textAttribute is a JSON string of 1 to maxTextLength bytes without control characters.
	textAttribute attributeType = iota
	// enumAttribute is a JSON string, one of attributeSpec.values.
	enumAttribute
	// integerAttribute is a JSON whole number in [attributeSpec.min, attributeSpec.max].
	integerAttribute
	// sha256Attribute is a JSON string of 64 lowercase hex characters.
	sha256Attribute
	// certificateAttribute is a JSON string naming a valid certificate of
	// attributeSpec.certificateKind; existence is checked against the ledger.
	certificateAttribute
	// decimalAttribute is a JSON string holding a decimal number such as
	// "-0.25", kept as text because floats are not allowed on chain.
	decimalAttribute
)

// attributeSpec defines one attribute of a role or certificate kind.
type attributeSpec struct {
	name     string
	required bool
	typ      attributeType
	// values are an enumAttribute's allowed values.
	values []string
	// min and max bound an integerAttribute.
	min, max int64
	// certificateKind is the kind a certificateAttribute must reference.
	certificateKind string
}

// Attributes shared by the roles of people (the paper's table 9: "identity of
// the person, affiliation, company certificate").
var (
	personIdentity     = attributeSpec{name: "identity", typ: textAttribute}
	personAffiliation  = attributeSpec{name: "affiliation", typ: textAttribute}
	companyCertificate = attributeSpec{name: "companyCertificate", required: true, typ: certificateAttribute, certificateKind: "company"}
)

// ExpertiseDegrees are the values of a data scientist's expertiseDegree.
var ExpertiseDegrees = []string{"vocational", "bachelor", "master", "doctorate"}

// attributeSchemas is the one table of attributes, keyed by member role and
// certificate kind (the names they share, such as "customer", mean the same
// entity of the paper's table 9 and so share a schema). Attributes are listed
// in the order error messages name them.
var attributeSchemas = map[string][]attributeSpec{
	// Companies: legal entity of the participating company.
	"company": {
		{name: "legalEntity", required: true, typ: textAttribute},
		{name: "companyCertificate", typ: certificateAttribute, certificateKind: "company"},
	},
	// Customers, domain experts, and the people the case study adds.
	"customer":          {personIdentity, personAffiliation, companyCertificate},
	"domain-expert":     {personIdentity, personAffiliation, companyCertificate},
	"quality-auditor":   {personIdentity, personAffiliation, companyCertificate},
	"condition-monitor": {personIdentity, personAffiliation, companyCertificate},
	// Data scientists: expertise degree, and work experience, which the
	// paper's section 5.6.1 names as raising trust (see priorFromAttributes).
	"data-scientist": {
		personIdentity, personAffiliation, companyCertificate,
		{name: "expertiseDegree", required: true, typ: enumAttribute, values: ExpertiseDegrees},
		{name: "workExperienceYears", typ: integerAttribute, min: 0, max: 80},
	},
	// Roles beyond the paper's table: operators of the consortium and readers.
	"admin":    {personIdentity, personAffiliation, {name: "companyCertificate", typ: certificateAttribute, certificateKind: "company"}},
	RoleViewer: {personIdentity, personAffiliation},
	// ML models: the birth certificate in provenance holds the details
	// (section 5.4.1); the registry certifies the model's hash.
	"model": {
		{name: "modelHash", required: true, typ: sha256Attribute},
		{name: "name", typ: textAttribute},
		{name: "version", typ: textAttribute},
		{name: "birthCertificate", typ: textAttribute},
	},
	// Data sources: identity of the source.
	"data-source": {
		{name: "sourceIdentity", required: true, typ: textAttribute},
		{name: "sourceType", typ: textAttribute},
		{name: "machineAgeYears", typ: integerAttribute, min: 0, max: 200},
	},
	// Data: data sources, type of data, data boundaries.
	"data": {
		{name: "dataSources", required: true, typ: textAttribute},
		{name: "dataType", required: true, typ: textAttribute},
		{name: "minimum", typ: decimalAttribute},
		{name: "maximum", typ: decimalAttribute},
	},
	// Public data sets: source, signature (hash).
	"public-dataset": {
		{name: "source", required: true, typ: textAttribute},
		{name: "signatureHash", required: true, typ: sha256Attribute},
	},
}

// maxTextLength bounds text attributes, names and reasons.
const maxTextLength = 256

var (
	integerPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})$`)
	decimalPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,29})(\.[0-9]{1,30})?$`)
)

// validateText checks free text given as field: 1 to max bytes of UTF-8,
// not only spaces, no control characters (which would hide text in logs).
func validateText(field, value string, max int) error {
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%s must not be empty", field)
	}
	if len(value) > max {
		return fmt.Errorf("%s is %d bytes long: use at most %d", field, len(value), max)
	}
	if !utf8.ValidString(value) {
		return fmt.Errorf("%s is not valid UTF-8", field)
	}
	for i, r := range value {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s has the control character %q at byte %d: remove it", field, r, i)
		}
	}
	return nil
}

// parseAttributes reads attributesJSON, a JSON object of the attributes of
// kind (a role, or a certificate kind when forCertificate), and checks it
// against attributeSchemas: every name defined, each defined once, each value
// of its type, every required one present. Values are returned as strings,
// integers in decimal.
func parseAttributes(kind string, forCertificate bool, value string) (map[string]string, error) {
	what := fmt.Sprintf("role %q", kind)
	if forCertificate {
		what = fmt.Sprintf("certificate kind %q", kind)
	}
	schema, ok := attributeSchemas[kind]
	if !ok {
		return nil, fmt.Errorf("%s has no attribute schema", what)
	}
	raw, err := decodeObject(value)
	if err != nil {
		return nil, fmt.Errorf("attributesJSON %q is not a JSON object of attributes (%v): give {} for none or e.g. {\"legalEntity\":\"Example GmbH\"}", value, err)
	}
	specs := make(map[string]attributeSpec, len(schema))
	allowed := make([]string, len(schema))
	for i, s := range schema {
		specs[s.name] = s
		allowed[i] = s.name
	}
	attrs := make(map[string]string, len(raw))
	for _, a := range raw {
		spec, ok := specs[a.name]
		if !ok {
			return nil, fmt.Errorf("attribute %q is not defined for %s; allowed: %s", a.name, what, strings.Join(allowed, ", "))
		}
		if _, dup := attrs[a.name]; dup {
			return nil, fmt.Errorf("attribute %q is given twice for %s: give it once", a.name, what)
		}
		v, err := spec.check(a.value)
		if err != nil {
			return nil, fmt.Errorf("attribute %q of %s: %w", a.name, what, err)
		}
		attrs[a.name] = v
	}
	for _, s := range schema {
		if _, given := attrs[s.name]; s.required && !given {
			return nil, fmt.Errorf("attribute %q is required for %s: add it to attributesJSON", s.name, what)
		}
	}
	if err := checkBoundaries(attrs); err != nil {
		return nil, fmt.Errorf("attributes of %s: %w", what, err)
	}
	return attrs, nil
}

// check validates one JSON value against the spec and returns its stored form.
func (s attributeSpec) check(raw json.RawMessage) (string, error) {
	if s.typ == integerAttribute {
		text := string(raw)
		if !integerPattern.MatchString(text) {
			return "", fmt.Errorf("must be a whole JSON number from %d to %d, e.g. 5; got %s", s.min, s.max, text)
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n < s.min || n > s.max {
			return "", fmt.Errorf("must be a whole JSON number from %d to %d; got %s", s.min, s.max, text)
		}
		return strconv.FormatInt(n, 10), nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("must be a JSON string; got %s", raw)
	}
	switch s.typ {
	case enumAttribute:
		if err := oneOf("value", v, "allowed", s.values); err != nil {
			return "", err
		}
	case sha256Attribute:
		if err := validate.SHA256("value", v); err != nil {
			return "", err
		}
	case certificateAttribute:
		if err := validateID("value", v); err != nil {
			return "", fmt.Errorf("must name a %s certificate: %v", s.certificateKind, err)
		}
	case decimalAttribute:
		if !decimalPattern.MatchString(v) {
			return "", fmt.Errorf("value %q is not a decimal number: give it as a string such as \"-0.25\" or \"1200\"", v)
		}
	default:
		if err := validateText("value", v, maxTextLength); err != nil {
			return "", err
		}
	}
	return v, nil
}

// checkBoundaries checks that a data certificate's minimum does not exceed
// its maximum. big.Rat compares the decimals exactly, without floats.
func checkBoundaries(attrs map[string]string) error {
	lo, hasLo := attrs["minimum"]
	hi, hasHi := attrs["maximum"]
	if !hasLo || !hasHi {
		return nil
	}
	l, _ := new(big.Rat).SetString(lo)
	h, _ := new(big.Rat).SetString(hi)
	if l.Cmp(h) > 0 {
		return fmt.Errorf("minimum %s is greater than maximum %s: swap them", lo, hi)
	}
	return nil
}

// certificateReferences lists the attributes of kind that name certificates,
// in schema order, with the kind each must reference.
func certificateReferences(kind string, attrs map[string]string) []attributeSpec {
	var refs []attributeSpec
	for _, s := range attributeSchemas[kind] {
		if _, given := attrs[s.name]; given && s.typ == certificateAttribute {
			refs = append(refs, s)
		}
	}
	return refs
}

// priorFromAttributes is a newly enrolled member's prior in [-1, 1]
// (fixed-point), from its certified attributes as DESIGN.md section 2 asks:
// each year of work experience adds 0.05, up to 0.5 for ten years or more
// (the paper's "work experience: the more the more trust"). Everything else
// starts at 0, neither trusted nor distrusted, until feedback arrives.
func priorFromAttributes(attrs map[string]string) int64 {
	years, err := strconv.ParseInt(attrs["workExperienceYears"], 10, 64)
	if err != nil || years <= 0 {
		return 0
	}
	if years > 10 {
		years = 10
	}
	return years * trust.Scale / 20
}

// namedValue is one name and raw value of a JSON object, in input order.
type namedValue struct {
	name  string
	value json.RawMessage
}

// decodeObject reads a JSON object keeping every name in input order,
// duplicates included, which encoding/json's maps would silently merge.
func decodeObject(value string) ([]namedValue, error) {
	dec := json.NewDecoder(strings.NewReader(value))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("it is not an object")
	}
	out := []namedValue{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string) // object keys are always strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, namedValue{name: name, value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if err := expectEnd(dec); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeStrict decodes value into v, refusing unknown fields and anything
// after the first JSON value.
func decodeStrict(value string, v any) error {
	dec := json.NewDecoder(strings.NewReader(value))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	return expectEnd(dec)
}

// expectEnd fails unless the decoder has reached the end of its input.
func expectEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("there is more after the JSON value")
	}
	return nil
}

// maxDocuments bounds the documents of one request or certificate.
const maxDocuments = 32

// parseDocuments reads field, a JSON array of {"cid", "sha256", "name"}
// objects, checking every CID, digest and name; it returns [] for none.
func parseDocuments(field, value string) ([]Document, error) {
	var docs []Document
	if err := decodeStrict(value, &docs); err != nil || docs == nil {
		why := "null"
		if err != nil {
			why = err.Error()
		}
		return nil, fmt.Errorf(`%s is not a JSON array of {"cid","sha256","name"} objects (%s): give [] for none or e.g. [{"cid":"bafk...","sha256":"<64 hex>","name":"register extract"}]`, field, why)
	}
	if len(docs) > maxDocuments {
		return nil, fmt.Errorf("%s lists %d documents: give at most %d", field, len(docs), maxDocuments)
	}
	seen := map[string]int{}
	for i, d := range docs {
		at := fmt.Sprintf("%s[%d]", field, i)
		if err := validate.CID(at+".cid", d.CID); err != nil {
			return nil, err
		}
		if err := validate.SHA256(at+".sha256", d.SHA256); err != nil {
			return nil, err
		}
		if err := validateText(at+".name", d.Name, 128); err != nil {
			return nil, fmt.Errorf("%w: say what the document is, e.g. \"register extract\"", err)
		}
		if j, dup := seen[d.CID]; dup {
			return nil, fmt.Errorf("%s repeats the cid of %s[%d]: list each document once", at, field, j)
		}
		seen[d.CID] = i
	}
	return docs, nil
}
