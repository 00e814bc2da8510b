// Command trustcalc runs the trust rule of package trust on cases read as JSON
// from standard input and writes the trust table after every period as JSON.
// It lets tests in other languages (the Python property tests) exercise the
// very code the chaincode runs, many cases per process.
//
// Input:  {"params": {...} (optional, default trust.DefaultParams()),
//
//	"cases": [{"members": [{"id", "organisation", "prior"}],
//	           "periods": [[{"rater", "ratee", "score"}]]}]}
//
// Output: {"results": [{"tables": [[{"id", "trust", "level"}]], "error": ""}]}
// where tables[0] is the table before the first period. A case's error stops
// that case only.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"bcmlp.local/chaincode/trust"
)

type input struct {
	Params *trust.Params `json:"params"`
	Cases  []struct {
		Members []trust.Member     `json:"members"`
		Periods [][]trust.Feedback `json:"periods"`
	} `json:"cases"`
}

type result struct {
	Tables [][]trust.Entry `json:"tables"`
	Error  string          `json:"error"`
}

func run(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	var req input
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	params := trust.DefaultParams()
	if req.Params != nil {
		params = *req.Params
	}
	results := make([]result, 0, len(req.Cases))
	for _, c := range req.Cases {
		var r result
		table, err := trust.NewTable(params, c.Members)
		if err == nil {
			r.Tables = append(r.Tables, table.Snapshot())
			for i, batch := range c.Periods {
				if err = table.Period(batch); err != nil {
					err = fmt.Errorf("period %d: %w", i, err)
					break
				}
				r.Tables = append(r.Tables, table.Snapshot())
			}
		}
		if err != nil {
			r.Error = err.Error()
		}
		results = append(results, r)
	}
	return json.NewEncoder(out).Encode(map[string][]result{"results": results})
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "trustcalc:", err)
		os.Exit(2)
	}
}
