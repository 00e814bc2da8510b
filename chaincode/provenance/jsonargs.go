package provenance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Structured transaction arguments arrive as JSON text rather than as typed
// parameters because contractapi's own conversion errors name only the
// parameter's position ("param3"), not the field that is wrong. Parsing them
// here lets every refusal name the field and say what to give instead.

// decodeStrict decodes the JSON value text into into, refusing unknown
// fields, fields whose case differs from the documented name (encoding/json
// would otherwise accept "NAME" for "name"), and anything after the value.
// Errors name the argument and the field and end with example, a valid value.
func decodeStrict(argument, text, example string, into any) error {
	problem := func(what string) error {
		return fmt.Errorf("%s is not valid: %s: give e.g. %s", argument, what, example)
	}
	if strings.TrimSpace(text) == "" {
		return problem("it is empty")
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return problem(describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return problem("something follows the JSON value")
	}
	if what := checkFieldNames([]byte(text), reflect.TypeOf(into).Elem(), ""); what != "" {
		return problem(what)
	}
	return nil
}

// describeJSONError turns encoding/json's errors, which mention Go types,
// into words about the JSON a caller sent.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		where := "the value"
		if typeErr.Field != "" {
			where = typeErr.Field
		}
		return fmt.Sprintf("%s is a JSON %s where %s belongs", where, typeErr.Value, jsonTypeName(typeErr.Type))
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("it is not valid JSON at byte %d (%s)", syntaxErr.Offset, syntaxErr.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it is not valid JSON: it ends too early"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonTypeName names the JSON a Go type is decoded from.
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another type"
}

// checkFieldNames walks data alongside t and returns a description of the
// first object key (in the order the keys appear) that matches one of t's JSON
// field names only when case is ignored, or "" when there is none.
func checkFieldNames(data []byte, t reflect.Type, path string) string {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return ""
		}
		for i, item := range items {
			if what := checkFieldNames(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); what != "" {
				return what
			}
		}
	case reflect.Map:
		keys, values, ok := objectMembers(data)
		if !ok {
			return ""
		}
		for i, key := range keys {
			if what := checkFieldNames(values[i], t.Elem(), joinPath(path, key)); what != "" {
				return what
			}
		}
	case reflect.Struct:
		keys, values, ok := objectMembers(data)
		if !ok {
			return ""
		}
		for i, key := range keys {
			field, found := fieldByJSONName(t, key)
			if !found {
				// Only a case variant can reach here: DisallowUnknownFields
				// refused every other unknown key.
				want := ""
				for j := 0; j < t.NumField(); j++ {
					if name := jsonName(t.Field(j)); strings.EqualFold(name, key) {
						want = name
					}
				}
				return fmt.Sprintf("unknown field %q in %s: field names are case-sensitive, write %q", key, describePath(path), want)
			}
			if what := checkFieldNames(values[i], field.Type, joinPath(path, key)); what != "" {
				return what
			}
		}
	}
	return ""
}

// describePath names a position in the argument for messages.
func describePath(path string) string {
	if path == "" {
		return "the top-level object"
	}
	return path
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldByJSONName finds the field of t whose JSON name is exactly name.
func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if jsonName(t.Field(i)) == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// jsonName is the name encoding/json uses for f.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// objectMembers returns the keys of the JSON object data in the order they
// appear, with their raw values; ok is false when data is not an object.
// A key given twice is reported twice, so callers can refuse repeats.
func objectMembers(data []byte) (keys []string, values []json.RawMessage, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		key, isString := tok.(string)
		if !isString {
			return nil, nil, false
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, nil, false
		}
		keys = append(keys, key)
		values = append(values, value)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, false
	}
	return keys, values, true
}

// parseIDList reads argument, a JSON array of distinct IDs of noun with at
// most max entries ("[]" for none).
func parseIDList(argument, noun, text, example string, max int) ([]string, error) {
	var ids []string
	if err := json.Unmarshal([]byte(text), &ids); err != nil || ids == nil {
		return nil, fmt.Errorf("%s %q is not a JSON array of %s IDs: give [] for none or e.g. %s", argument, text, noun, example)
	}
	if len(ids) > max {
		return nil, fmt.Errorf("%s lists %d entries: give at most %d", argument, len(ids), max)
	}
	if err := checkDistinctIDs(argument, noun, ids); err != nil {
		return nil, err
	}
	return ids, nil
}

// checkDistinctIDs checks that every entry of the list argument is a valid ID
// and that none repeats; noun names what the entries are.
func checkDistinctIDs(argument, noun string, ids []string) error {
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		field := fmt.Sprintf("%s[%d]", argument, i)
		if err := validateID(field, id); err != nil {
			return err
		}
		if seen[id] {
			return fmt.Errorf("%s repeats %q: list each %s once", field, id, noun)
		}
		seen[id] = true
	}
	return nil
}
