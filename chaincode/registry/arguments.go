package registry

import (
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// argument is one argument of a transaction: its name, as error messages
// and the Python client call it, and the most bytes it may have.
type argument struct {
	name     string
	maxBytes int
}

// Upper bounds of arguments, in bytes; each field's own check is stricter
// where it can be (identifiers 64 characters, text 256 bytes, documents 32).
const (
	nameBytes     = 1024     // identifiers, names, reasons, periods, channels, PEM public keys
	jsonBytes     = 64 << 10 // parameters, attributes, documents, organisations, founders
	snapshotBytes = 24 << 20 // a trust snapshot of up to maxSnapshotEntries entries
)

func args(names ...string) []argument {
	out := make([]argument, len(names))
	for i, n := range names {
		max := nameBytes
		switch {
		case n == "snapshotJSON":
			max = snapshotBytes
		case strings.HasSuffix(n, "JSON"):
			max = jsonBytes
		}
		out[i] = argument{name: n, maxBytes: max}
	}
	return out
}

// transactionArguments are the arguments of every transaction and query, in
// order: the contract's signatures, which checkArguments enforces before any
// transaction runs, so that a missing or oversized argument is named.
// TestTransactionArgumentsMatchTheMethods keeps it in step with the methods.
var transactionArguments = map[string][]argument{
	"InitConsortium":               args("paramsJSON", "foundersJSON"),
	"ConfirmConsortium":            args("proposalID"),
	"RequestEnrolment":             args("memberID", "role", "attributesJSON", "documentsJSON"),
	"RequestOrganisationEnrolment": args("mspID", "name", "documentsJSON"),
	"ApproveEnrolment":             args("requestID"),
	"RejectEnrolment":              args("requestID", "reason"),
	"RequestMemberStatus":          args("memberID", "status", "reason"),
	"ApproveMemberStatus":          args("requestID"),
	"ProposeParameters":            args("paramsJSON"),
	"VoteParameters":               args("proposalID"),
	"IssueCertificate":             args("certID", "kind", "subject", "scope", "attributesJSON", "evidenceJSON"),
	"UpgradeCertificate":           args("certID"),
	"RevokeCertificate":            args("certID", "reason"),
	"RegisterProject":              args("projectChannel", "organisationsJSON"),
	"ClosePeriod":                  args(),
	"SubmitTrustSnapshot":          args("projectChannel", "period", "snapshotJSON"),
	"ApplyPeriod":                  args("period"),
	"GetMember":                    args("memberID"),
	"GetEnrolment":                 args("requestID"),
	"GetOrganisationEnrolment":     args("mspID"),
	"GetParameters":                args(),
	"GetProposal":                  args("proposalID"),
	"GetCommittee":                 args(),
	"GetCertificate":               args("certID"),
	"IsCertificateValid":           args("certID"),
	"GetTrust":                     args("memberID"),
	"GetTrustTable":                args(),
	"GetTrustClock":                args(),
	"GetAppliedSnapshot":           args("projectChannel", "period"),
	"GetProject":                   args("projectChannel"),
	"GetSubmittedSnapshots":        args("projectChannel"),
	"GetAppliedPeriod":             args("period"),
	"GetStatusRequest":             args("requestID"),
	"GetGenesisProposal":           args("proposalID"),
	"GetStanding":                  args("memberID"),
	"RegisterKeyAgreementKey":      args("publicKeyPEM"),
	"GetKeyAgreementKeys":          args("memberID"),
	"GetKeyAgreementKey":           args("memberID"),
}

// checkArguments runs before every transaction (contractapi's
// BeforeTransaction): it refuses a call with a missing or surplus argument
// or an oversized one, naming it, where contractapi would only count them.
// Functions it does not know are left to contractapi, which refuses them.
func checkArguments(ctx contractapi.TransactionContextInterface) error {
	fn, params := ctx.GetStub().GetFunctionAndParameters()
	if i := strings.LastIndex(fn, ":"); i >= 0 {
		fn = fn[i+1:]
	}
	want, ok := transactionArguments[fn]
	if !ok {
		return nil
	}
	names := make([]string, len(want))
	for i, a := range want {
		names[i] = a.name
	}
	signature := fmt.Sprintf("%s takes %d arguments (%s), not %d", fn, len(want), strings.Join(names, ", "), len(params))
	switch {
	case len(params) < len(want):
		return fmt.Errorf("%s: %s is missing", signature, want[len(params)].name)
	case len(params) > len(want) && len(want) == 0:
		return fmt.Errorf("%s: give none", signature)
	case len(params) > len(want):
		return fmt.Errorf("%s: there is more after %s", signature, want[len(want)-1].name)
	}
	for i, a := range want {
		if n := len(params[i]); n > a.maxBytes {
			return fmt.Errorf("%s is %d bytes long: give at most %d", a.name, n, a.maxBytes)
		}
	}
	return nil
}
