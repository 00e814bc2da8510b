// Package registry is the main-chain contract ("registry" on channel mainchain)
// that records the consortium's certified members. Later steps add enrolment
// approvals, certificates and the trust table here.
package registry

import (
	"fmt"
	"regexp"
	"strings"
)

// Member is one certified participant of the consortium: a person or system
// acting through an X.509 identity issued by its organisation's CA.
//
// The fields stay in this fixed order and carry explicit JSON names because
// every endorsing peer must write byte-identical state for the same
// transaction; encoding/json emits struct fields in declaration order, so a
// fixed order is what keeps endorsements matching. No field is a float for the
// same reason.
type Member struct {
	// ID is the member's name in the consortium, chosen at registration.
	ID string `json:"id"`
	// MSPID is the MSP of the identity that registered the member.
	MSPID string `json:"mspId"`
	// Identity is the registering X.509 identity, "x509::<subject>::<issuer>".
	Identity string `json:"identity"`
	// Role is one of Roles.
	Role string `json:"role"`
	// Organisation is the member's organisation, equal to MSPID.
	Organisation string `json:"organisation"`
	// Status is StatusActive for every member this step records.
	Status string `json:"status"`
	// CreatedAt is the registering transaction's timestamp, RFC 3339 in UTC.
	CreatedAt string `json:"createdAt"`
}

// StatusActive is the status of a member that may act in the consortium.
const StatusActive = "active"

// Roles are the roles a member may hold, in the paper's language.
var Roles = []string{
	"company",
	"customer",
	"domain-expert",
	"data-scientist",
	"quality-auditor",
	"condition-monitor",
	"admin",
}

// maxIDLength bounds member IDs so that keys and events stay small.
const maxIDLength = 64

// memberObjectType is the composite-key object type under which members live.
const memberObjectType = "member"

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// validateID checks an identifier given in the transaction argument named field.
func validateID(field, value string) error {
	if value == "" {
		return fmt.Errorf("%s must not be empty: give a name of 1 to %d characters from A-Z, a-z, 0-9, '.', '_' and '-'", field, maxIDLength)
	}
	if len(value) > maxIDLength {
		return fmt.Errorf("%s %q is %d characters long: use at most %d", field, value, len(value), maxIDLength)
	}
	if !idPattern.MatchString(value) {
		return fmt.Errorf("%s %q contains a character outside A-Z, a-z, 0-9, '.', '_' and '-': use only those", field, value)
	}
	return nil
}

// validateRole checks that role is one of Roles.
func validateRole(role string) error {
	for _, r := range Roles {
		if role == r {
			return nil
		}
	}
	return fmt.Errorf("role %q is not a member role: use one of %s", role, strings.Join(Roles, ", "))
}
