package registry

import (
	"reflect"
	"strings"
	"testing"
)

func TestEveryRoleAndCertificateKindHasASchema(t *testing.T) {
	named := map[string]bool{}
	for _, r := range Roles {
		named[r] = true
	}
	for _, k := range CertificateKinds {
		named[k] = true
	}
	for name := range named {
		if _, ok := attributeSchemas[name]; !ok {
			t.Errorf("%q has no attribute schema", name)
		}
	}
	for _, name := range sortedKeys(attributeSchemas) {
		if !named[name] {
			t.Errorf("schema %q is neither a role nor a certificate kind", name)
		}
		seen := map[string]bool{}
		for _, s := range attributeSchemas[name] {
			if seen[s.name] {
				t.Errorf("%s defines %q twice", name, s.name)
			}
			seen[s.name] = true
			if (s.typ == enumAttribute) != (len(s.values) > 0) || (s.typ == certificateAttribute) != (s.certificateKind != "") {
				t.Errorf("%s.%s is incompletely defined: %+v", name, s.name, s)
			}
		}
	}
	// The paper's table 9, as the issue spells it out.
	required := func(kind string) []string {
		var out []string
		for _, s := range attributeSchemas[kind] {
			if s.required {
				out = append(out, s.name)
			}
		}
		return out
	}
	for kind, want := range map[string][]string{
		"company":        {"legalEntity"},
		"customer":       {"companyCertificate"},
		"domain-expert":  {"companyCertificate"},
		"data-scientist": {"companyCertificate", "expertiseDegree"},
		"data-source":    {"sourceIdentity"},
		"public-dataset": {"source", "signatureHash"},
		"viewer":         nil,
	} {
		if got := required(kind); !reflect.DeepEqual(got, want) {
			t.Errorf("%s requires %q, want %q", kind, got, want)
		}
	}
	if !isCritical("admin") || !isCritical("customer") || isCritical("viewer") {
		t.Error("only viewer is non-critical")
	}
}

func TestParseAttributesStoresTypedValues(t *testing.T) {
	got, err := parseAttributes("data-scientist", false, `{"workExperienceYears":0,"expertiseDegree":"bachelor","companyCertificate":"c-1","identity":"Ada L."}`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"workExperienceYears": "0", "expertiseDegree": "bachelor", "companyCertificate": "c-1", "identity": "Ada L."}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("attributes %v", got)
	}
	if got, err := parseAttributes("viewer", false, " {} "); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty attributes %#v %v", got, err)
	}
	if got, err := parseAttributes("data", true, `{"dataSources":"a","dataType":"b","minimum":"-0.5","maximum":"-0.25"}`); err != nil || got["minimum"] != "-0.5" {
		t.Fatalf("decimals %v %v", got, err)
	}
	if _, err := parseAttributes("data", true, `{"dataSources":"a","dataType":"b","minimum":"7","maximum":"7.0"}`); err != nil {
		t.Fatalf("equal boundaries refused: %v", err)
	}
}

func TestParseAttributesRefusals(t *testing.T) {
	tests := []struct {
		kind  string
		cert  bool
		value string
		want  string
	}{
		{"customer", false, `{"companyCertificate":"c","age":40}`, `attribute "age" is not defined for role "customer"; allowed: identity, affiliation, companyCertificate`},
		{"model", true, `{"modelHash":"x"}`, `attribute "modelHash" of certificate kind "model": value "x" has 1 characters`},
		{"model", true, `{"name":"m"}`, `attribute "modelHash" is required for certificate kind "model": add it to attributesJSON`},
		{"public-dataset", true, `{"source":"s"}`, `attribute "signatureHash" is required for certificate kind "public-dataset"`},
		{"public-dataset", true, `{"source":"s","signatureHash":"` + strings.ToUpper(helloSHA256) + `"}`, `has a character outside 0-9 and a-f`},
		{"company", false, `{"legalEntity":"A","legalEntity":"B"}`, `attribute "legalEntity" is given twice for role "company": give it once`},
		{"company", false, `{"legalEntity":42}`, `attribute "legalEntity" of role "company": must be a JSON string; got 42`},
		{"company", false, `{"legalEntity":""}`, `attribute "legalEntity" of role "company": value must not be empty`},
		{"company", false, `{"legalEntity":"a\u0000b"}`, `value has the control character '\x00' at byte 1: remove it`},
		{"company", false, `{"legalEntity":"` + strings.Repeat("x", 257) + `"}`, "value is 257 bytes long: use at most 256"},
		{"company", false, `{"legalEntity":"A","companyCertificate":"no such/id"}`, `attribute "companyCertificate" of role "company": must name a company certificate: value "no such/id" contains a character outside`},
		{"data-scientist", false, `{"companyCertificate":"c","expertiseDegree":"phd"}`, `attribute "expertiseDegree" of role "data-scientist": value "phd" is not allowed: use one of vocational, bachelor, master, doctorate`},
		{"data-scientist", false, `{"companyCertificate":"c","expertiseDegree":"master","workExperienceYears":"5"}`, `attribute "workExperienceYears" of role "data-scientist": must be a whole JSON number from 0 to 80, e.g. 5; got "5"`},
		{"data-scientist", false, `{"companyCertificate":"c","expertiseDegree":"master","workExperienceYears":2.5}`, "must be a whole JSON number from 0 to 80, e.g. 5; got 2.5"},
		{"data-scientist", false, `{"companyCertificate":"c","expertiseDegree":"master","workExperienceYears":81}`, "must be a whole JSON number from 0 to 80; got 81"},
		{"data-scientist", false, `{"companyCertificate":"c","expertiseDegree":"master","workExperienceYears":-1}`, "must be a whole JSON number from 0 to 80; got -1"},
		{"data-scientist", false, `{"companyCertificate":"c","expertiseDegree":"master","workExperienceYears":1e1}`, "got 1e1"},
		{"data", true, `{"dataSources":"a","dataType":"b","minimum":"1e3"}`, `value "1e3" is not a decimal number: give it as a string such as "-0.25" or "1200"`},
		{"data", true, `{"dataSources":"a","dataType":"b","maximum":5}`, "must be a JSON string; got 5"},
		{"viewer", false, ``, `attributesJSON "" is not a JSON object of attributes`},
		{"viewer", false, `null`, `(it is not an object): give {} for none`},
		{"viewer", false, `{"identity":"a"`, `attributesJSON "{\"identity\":\"a\"" is not a JSON object`},
		{"viewer", false, `{"identity":}`, `is not a JSON object`},
		{"viewer", false, `{} []`, "there is more after the JSON value"},
		{"nobody", false, `{}`, `role "nobody" has no attribute schema`},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.value, func(t *testing.T) {
			got, err := parseAttributes(tt.kind, tt.cert, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if got != nil {
				t.Fatalf("attributes %v alongside an error", got)
			}
		})
	}
}

func TestPriorFromWorkExperience(t *testing.T) {
	for years, want := range map[string]int64{"": 0, "0": 0, "1": 50_000, "4": 200_000, "10": 500_000, "11": 500_000, "80": 500_000} {
		attrs := map[string]string{}
		if years != "" {
			attrs["workExperienceYears"] = years
		}
		if got := priorFromAttributes(attrs); got != want {
			t.Errorf("%q years: prior %d, want %d", years, got, want)
		}
	}
}

func TestParseDocuments(t *testing.T) {
	docs, err := parseDocuments("documentsJSON", `[{"cid":"`+helloCIDv0+`","sha256":"`+helloSHA256+`","name":"Handelsregisterauszug"},`+
		`{"cid":"`+docsCIDv1+`","sha256":"`+helloSHA256+`","name":"ISO 9001 certificate"}]`)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[1] != (Document{CID: docsCIDv1, SHA256: helloSHA256, Name: "ISO 9001 certificate"}) {
		t.Fatalf("documents %+v", docs)
	}
	if docs, err := parseDocuments("documentsJSON", "[]"); err != nil || docs == nil || len(docs) != 0 {
		t.Fatalf("no documents: %#v %v", docs, err)
	}
	doc := func(cid, name string) string {
		return `{"cid":"` + cid + `","sha256":"` + helloSHA256 + `","name":"` + name + `"}`
	}
	many := strings.TrimSuffix(strings.Repeat(doc(helloRawCID, "d")+",", maxDocuments+1), ",")
	for value, want := range map[string]string{
		``:                               `documentsJSON is not a JSON array of {"cid","sha256","name"} objects (EOF)`,
		`null`:                           "(null): give [] for none",
		`[{"url":1}]`:                    `unknown field "url"`,
		`[` + doc("Qm", "x") + `]`:       `documentsJSON[0].cid "Qm" is not a valid CID`,
		`[` + doc(helloRawCID, "") + `]`: `documentsJSON[0].name must not be empty: say what the document is`,
		`[` + doc(helloRawCID, "a") + `,` + doc(helloRawCID, "b") + `]`: "documentsJSON[1] repeats the cid of documentsJSON[0]: list each document once",
		`[` + many + `]`: "documentsJSON lists 33 documents: give at most 32",
		`[` + strings.Replace(doc(helloRawCID, "a"), helloSHA256, "abc", 1) + `]`: `documentsJSON[0].sha256 "abc" has 3 characters`,
	} {
		docs, err := parseDocuments("documentsJSON", value)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.60s: err = %v, want %q", value, err, want)
		}
		if docs != nil {
			t.Errorf("%.60s: documents alongside an error", value)
		}
	}
}

func TestValidateTextAndChannel(t *testing.T) {
	if err := validateText("name", "Zählerstand – Linie 2", 128); err != nil {
		t.Fatalf("unicode text refused: %v", err)
	}
	if err := validateText("name", "a\xffb", 128); err == nil || !strings.Contains(err.Error(), "name is not valid UTF-8") {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	for _, ok := range []string{"project-a", "p", "mainchain", "project.2025-03"} {
		if err := validateChannel("projectChannel", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Project", "1project", "project_a", "project a", strings.Repeat("a", 250)} {
		if err := validateChannel("projectChannel", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestConsortiumParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.CommitteeSize = 101
	if err := p.Validate(); err == nil || err.Error() != "committeeSize 101 is outside [1, 100]" {
		t.Fatalf("err = %v", err)
	}
	p = DefaultParams()
	p.TrustFloor = 750_000 // the committee's own threshold is still allowed
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}
