package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunReportsTablesAndPerCaseErrors(t *testing.T) {
	in := `{"cases": [
	  {"members": [{"id": "a", "organisation": "A", "prior": 1000000}, {"id": "b", "organisation": "B", "prior": 0}],
	   "periods": [[{"rater": "a", "ratee": "b", "score": 1000000}]]},
	  {"members": [{"id": "a", "organisation": "A", "prior": 0}],
	   "periods": [[{"rater": "a", "ratee": "a", "score": 1000000}]]}]}`
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		`{"id":"a","trust":333333,"level":"medium trust"}`,
		`"error":"period 0: feedback 0: a member cannot rate its own work (a)"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s:\n%s", want, got)
		}
	}
}

func TestRunRefusesUnknownFields(t *testing.T) {
	err := run(strings.NewReader(`{"cases": [], "extra": 1}`), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "extra") {
		t.Fatalf("got %v", err)
	}
}
