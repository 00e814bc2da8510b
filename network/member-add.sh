#!/usr/bin/env bash
# member-add.sh ORG NAME ROLE [ATTRIBUTES-JSON] [DOCUMENTS] — enrols a new member: registers and enrols
# NAME at ORG's Fabric CA (a signing identity and a TLS pair, network/ca.sh), then submits its enrolment
# request to `registry` on mainchain signed by NAME's own identity. A viewer is active at once; other
# roles wait for the committee and need DOCUMENTS, comma-separated files the committee reviews
# (published unencrypted on ORG's Kubo node). Input is checked before anything is registered. If the on-chain request is
# refused, the enrolled identity stays, so the same command with corrected attributes retries it.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
org=${1:-}; name=${2:-}; role=${3:-}; attrs=${4:-"{}"}; docs=${5:-}
usage="make member-add ORG=<organisation> NAME=<member id> ROLE=<role> [ATTRS='{...}'] [DOCS=file,...]"
[[ -n $org && -n $name && -n $role ]] || die "member-add: ORG, NAME and ROLE are required: $usage"
known=0; for p in "${PEER_ORGS[@]}"; do [[ $org == "$p" ]] && known=1; done
[[ $known == 1 ]] || die "member-add: unknown organisation '$org' (peer organisations: ${PEER_ORGS[*]})"
[[ $name =~ ^[a-z0-9][a-z0-9._-]{0,63}$ ]] || die "member-add: NAME '$name' must be 1-64 of a-z 0-9 . _ - and start with a letter or digit"
# The contract's roles (chaincode/registry Roles; tests/unit/test_member_add.py keeps them equal), checked
# here so that a mistyped role registers nobody at the CA.
roles=(company customer domain-expert data-scientist quality-auditor condition-monitor admin viewer)
known=0; for r in "${roles[@]}"; do [[ $role == "$r" ]] && known=1; done
[[ $known == 1 ]] || die "member-add: unknown ROLE '$role' (roles: ${roles[*]})"
python3 -c 'import json, sys; v = json.loads(sys.argv[1]); sys.exit(not isinstance(v, dict))' "$attrs" 2>/dev/null ||
  die "member-add: ATTRS is not a JSON object: give e.g. ATTRS='{\"legalEntity\": \"Acme GmbH\"}'"
document_args=()
if [[ -n $docs ]]; then
  IFS=, read -r -a document_files <<<"$docs"
  for f in "${document_files[@]}"; do
    [[ -f $f ]] || die "member-add: DOCS names '$f', which is not a file"
    document_args+=(--document "$f")
  done
fi
[[ $role == viewer || ${#document_args[@]} -gt 0 ]] ||
  die "member-add: ROLE $role is critical: give DOCS=<file,...> for the committee to review (e.g. a letter of appointment)"
is_running "peer-$(org_lower "$org")" || die "member-add: $org's peer is not running: start the network with 'make up'"
"$BCMLP_ROOT/network/ca.sh" identity "$org" "$name" client
"$BCMLP_ROOT/.venv/bin/python" -m gateway.cli.member_add --org "$org" --name "$name" --role "$role" --attributes "$attrs" "${document_args[@]}"
