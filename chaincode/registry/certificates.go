package registry

import (
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// parseScope reads the scope a certificate is issued with:
// "local:<projectChannel>". A certificate becomes global only by
// UpgradeCertificate, a committee action.
func parseScope(scope string) (string, string, error) {
	if scope == ScopeGlobal {
		return "", "", fmt.Errorf("scope %q cannot be issued: a certificate becomes global only by k upgrade approvals from two organisations; issue it local:<projectChannel> (local:mainchain for the consortium) and have it upgraded with UpgradeCertificate", scope)
	}
	if channel, ok := strings.CutPrefix(scope, ScopeLocal+":"); ok {
		if err := validateChannel("scope's projectChannel", channel); err != nil {
			return "", "", err
		}
		return ScopeLocal, channel, nil
	}
	return "", "", fmt.Errorf("scope %q is not \"local:<projectChannel>\": give e.g. local:project-a for a certificate of that project channel, or local:mainchain for the consortium", scope)
}

// readCertificate returns certificate id and whether it exists.
func readCertificate(ctx contractapi.TransactionContextInterface, id string) (*Certificate, bool, error) {
	var cert Certificate
	found, err := getRecord(ctx, fmt.Sprintf("certificate %q", id), &cert, certificateObjectType, id)
	if err != nil || !found {
		return nil, false, err
	}
	return &cert, true, nil
}

// readExistingCertificate returns certificate id, refusing one that does not exist.
func readExistingCertificate(ctx contractapi.TransactionContextInterface, id string) (*Certificate, error) {
	cert, found, err := readCertificate(ctx, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("certificate %q does not exist: check the id, or issue it with IssueCertificate", id)
	}
	return cert, nil
}

// writeCertificate writes cert and emits event for it.
func writeCertificate(ctx contractapi.TransactionContextInterface, cert *Certificate, event string) error {
	what := fmt.Sprintf("certificate %q", cert.ID)
	raw, err := putRecord(ctx, what, cert, certificateObjectType, cert.ID)
	if err != nil {
		return err
	}
	return emit(ctx, event, raw, what)
}

// IssueCertificate issues certificate certID of kind (one of
// CertificateKinds) about subject (a member, an MSP id, an artifact or data
// set id). scope is "local:<projectChannel>", the channel it is issued for
// (local:mainchain for the consortium); it becomes global only by
// UpgradeCertificate. attributesJSON holds the kind's attributes (see
// attributeSchemas) and evidenceJSON, a JSON array of {"cid", "sha256",
// "name"}, at least one document on IPFS it rests on. The issuer is the
// caller, an active member at or above the trust floor whose role issues
// the kind (certificateIssuers).
func (c *Contract) IssueCertificate(ctx contractapi.TransactionContextInterface, certID string, kind string, subject string, scope string, attributesJSON string, evidenceJSON string) error {
	if err := validateID("certID", certID); err != nil {
		return err
	}
	if err := oneOf("kind", kind, "a certificate kind", CertificateKinds); err != nil {
		return err
	}
	if err := validateID("subject", subject); err != nil {
		return err
	}
	scopeName, channel, err := parseScope(scope)
	if err != nil {
		return err
	}
	attrs, err := parseAttributes(kind, true, attributesJSON)
	if err != nil {
		return err
	}
	evidence, err := parseDocuments("evidenceJSON", evidenceJSON)
	if err != nil {
		return err
	}
	if len(evidence) == 0 {
		return fmt.Errorf("evidenceJSON lists no documents: a certificate rests on at least one document on IPFS")
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	issuer, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return err
	}
	if err := requireRole(issuer, fmt.Sprintf("issuing a %s certificate", kind), certificateIssuers[kind]...); err != nil {
		return err
	}
	if _, found, err := readCertificate(ctx, certID); err != nil {
		return err
	} else if found {
		return fmt.Errorf("certificate %q already exists: certificates are never overwritten, so choose another certID", certID)
	}
	if err := checkCertificateReferences(ctx, kind, attrs); err != nil {
		return err
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	cert := &Certificate{
		ID: certID, Kind: kind, Subject: subject, Scope: scopeName, ProjectChannel: channel,
		Attributes: attrs, Evidence: evidence, Issuer: issuer.ID, IssuerMSP: issuer.MSPID,
		Status: CertificateValid, UpgradeApprovals: []Approval{}, RevocationApprovals: []Approval{}, IssuedAt: now, TxID: ctx.GetStub().GetTxID(),
	}
	return writeCertificate(ctx, cert, EventCertificateIssued)
}

// UpgradeCertificate records the caller's approval to make local certificate
// certID global (the paper's section 5.7: "if approved by the rest of the
// blockchain experts"). Approvers need at least high trust (above 0.5), may
// be neither its issuer nor its subject (a member, or an organisation for
// its own members), and approve once; with Approvals (k) approvals from
// members of at least two organisations the certificate becomes global
// (CertificateUpgraded), before that each approval emits
// CertificateUpgradeApproved. A revoked certificate is never upgraded.
func (c *Contract) UpgradeCertificate(ctx contractapi.TransactionContextInterface, certID string) error {
	if err := validateID("certID", certID); err != nil {
		return err
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	approver, err := requireHighTrust(ctx, params.Params, "approving a certificate upgrade")
	if err != nil {
		return err
	}
	cert, err := readExistingCertificate(ctx, certID)
	if err != nil {
		return err
	}
	switch {
	case cert.Status == CertificateRevoked:
		return fmt.Errorf("certificate %q is revoked: a revoked certificate is never valid again, so it cannot be upgraded", certID)
	case cert.Scope == ScopeGlobal:
		return fmt.Errorf("certificate %q is already global", certID)
	case cert.Issuer == approver.ID:
		return fmt.Errorf("member %q issued certificate %q and cannot approve its upgrade: other members of high trust must", approver.ID, certID)
	case cert.Subject == approver.ID || cert.Subject == approver.Organisation:
		return fmt.Errorf("member %q is, or is of, the subject %q of certificate %q and cannot approve its upgrade: nobody approves their own case", approver.ID, cert.Subject, certID)
	case hasApproved(cert.UpgradeApprovals, approver.ID):
		return fmt.Errorf("member %q has already approved the upgrade of certificate %q: each member approves once", approver.ID, certID)
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	cert.UpgradeApprovals = append(cert.UpgradeApprovals, approvalBy(ctx, approver, now))
	if !decided(cert.UpgradeApprovals, params.Params.Approvals) {
		return writeCertificate(ctx, cert, EventCertificateUpgradeApproved)
	}
	cert.Scope, cert.UpgradedAt = ScopeGlobal, now
	return writeCertificate(ctx, cert, EventCertificateUpgraded)
}

// RevokeCertificate revokes certificate certID for reason. Its issuer
// revokes it at once; anyone else must be a committee member, and then the
// call is an approval: with k approvals from members of at least two
// organisations the certificate is revoked (CertificateRevoked), before that
// each approval emits CertificateRevocationApproved and the first one's
// reason is kept. Revocation is final: there is no un-revoke, and a revoked
// certificate is never valid again.
func (c *Contract) RevokeCertificate(ctx contractapi.TransactionContextInterface, certID string, reason string) error {
	if err := validateID("certID", certID); err != nil {
		return err
	}
	if err := validateText("reason", reason, maxTextLength); err != nil {
		return fmt.Errorf("%w: say why the certificate is revoked", err)
	}
	params, err := readParameters(ctx)
	if err != nil {
		return err
	}
	revoker, _, err := requireWriter(ctx, params.Params)
	if err != nil {
		return err
	}
	cert, err := readExistingCertificate(ctx, certID)
	if err != nil {
		return err
	}
	if cert.Status == CertificateRevoked {
		return fmt.Errorf("certificate %q is already revoked (%s, by %q)", certID, cert.RevokedAt, cert.RevokedBy)
	}
	if cert.Issuer != revoker.ID {
		refusal := fmt.Sprintf("revoking certificate %q, issued by %q, needs its issuer or the committee", certID, cert.Issuer)
		if _, _, err := requireCommittee(ctx, params.Params, refusal); err != nil {
			return err
		}
		if hasApproved(cert.RevocationApprovals, revoker.ID) {
			return fmt.Errorf("member %q has already approved the revocation of certificate %q: each committee member approves once", revoker.ID, certID)
		}
	}
	now, err := txTime(ctx)
	if err != nil {
		return err
	}
	if cert.Issuer != revoker.ID {
		if len(cert.RevocationApprovals) == 0 {
			cert.RevocationReason = reason
		}
		cert.RevocationApprovals = append(cert.RevocationApprovals, approvalBy(ctx, revoker, now))
		if !decided(cert.RevocationApprovals, params.Params.Approvals) {
			return writeCertificate(ctx, cert, EventCertificateRevocationApproved)
		}
	} else {
		cert.RevocationReason = reason
	}
	cert.Status, cert.RevokedBy, cert.RevokedAt = CertificateRevoked, revoker.ID, now
	return writeCertificate(ctx, cert, EventCertificateRevoked)
}
