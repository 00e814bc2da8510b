package provenance

import (
	"reflect"
	"strings"
	"testing"
)

type innerArg struct {
	Name string `json:"name"`
}

type outerArg struct {
	Count int64      `json:"count"`
	Items []innerArg `json:"items"`
	Child innerArg   `json:"child"`
	Flag  bool       `json:"flag"`
	Plain string
}

func TestDecodeStrictAcceptsExactNames(t *testing.T) {
	var got outerArg
	err := decodeStrict("arg", ` {"count":2,"items":[{"name":"a"},{"name":"b"}],"child":{"name":"c"},"flag":true,"Plain":"p"} `, "{}", &got)
	want := outerArg{Count: 2, Items: []innerArg{{"a"}, {"b"}}, Child: innerArg{"c"}, Flag: true, Plain: "p"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeStrict = %+v, %v", got, err)
	}
}

func TestDecodeStrictRefusals(t *testing.T) {
	for text, want := range map[string]string{
		"":                                      "arg is not valid: it is empty: give e.g. EX",
		"{":                                     "arg is not valid: it is not valid JSON: it ends too early: give e.g. EX",
		"{} []":                                 "arg is not valid: something follows the JSON value",
		`{"count":"2"}`:                         "arg is not valid: count is a JSON string where a whole number belongs",
		`{"count":2.5}`:                         "count is a JSON number 2.5 where a whole number belongs",
		`{"items":{}}`:                          "items is a JSON object where a list belongs",
		`{"items":[{"name":1}]}`:                "items.name is a JSON number where a string belongs",
		`{"child":[]}`:                          "child is a JSON array where an object belongs",
		`{"flag":"yes"}`:                        "flag is a JSON string where true or false belongs",
		`{"other":1}`:                           `arg is not valid: unknown field "other": give e.g. EX`,
		`{"COUNT":1}`:                           `unknown field "COUNT" in the top-level object: field names are case-sensitive, write "count"`,
		`{"items":[{"name":"a"},{"NAME":"b"}]}`: `unknown field "NAME" in items[1]: field names are case-sensitive, write "name"`,
		`{"child":{"Name":"c"}}`:                `unknown field "Name" in child: field names are case-sensitive, write "name"`,
		`{"plain":"p"}`:                         `unknown field "plain" in the top-level object: field names are case-sensitive, write "Plain"`,
		`[1]`:                                   "the value is a JSON array where an object belongs",
		`{"count":1}x`:                          "something follows the JSON value",
	} {
		var got outerArg
		if err := decodeStrict("arg", text, "EX", &got); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("decodeStrict(%q) = %v\nwant it to contain %q", text, err, want)
		}
	}
}

func TestObjectMembersKeepsOrderAndRepeats(t *testing.T) {
	keys, values, ok := objectMembers([]byte(` {"b": 1, "a" : {"x":[1,2]}, "b":"2"} `))
	if !ok || !reflect.DeepEqual(keys, []string{"b", "a", "b"}) || string(values[1]) != `{"x":[1,2]}` || string(values[2]) != `"2"` {
		t.Fatalf("objectMembers = %q %q %v", keys, values, ok)
	}
	if keys, _, ok := objectMembers([]byte(`{}`)); !ok || len(keys) != 0 {
		t.Fatalf("empty object = %q %v", keys, ok)
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{"a":}`, `{"a":1`, `{"a":1} 2`, `{1:2}`, `{"a" 1}`} {
		if _, _, ok := objectMembers([]byte(bad)); ok {
			t.Errorf("objectMembers(%q) accepted", bad)
		}
	}
}
