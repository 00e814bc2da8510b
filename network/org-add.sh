#!/usr/bin/env bash
# org-add.sh ORG — a new organisation joins the running consortium: once its enrolment request is approved
# on chain (registry:GetOrganisationEnrolment says "approved"), it gets its own Fabric CA, identities, Kubo
# node, peer, registry chaincode server and gateway service, and its MSP is added to mainchain by a
# channel configuration update that a majority of the member organisations' admins sign. Input and the on-chain approval are
# checked before anything is made; an interrupted run is finished by running it again.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
org=${1:-}
[[ -n $org ]] || die "org-add: ORG is missing: make org-add ORG=<Name> (letters and digits, starting with a capital)"
[[ $org =~ ^[A-Z][A-Za-z0-9]{1,30}$ ]] ||
  die "org-add: ORG '$org' is malformed: use 2-31 letters and digits starting with a capital letter"
[[ $org != "$ORDERER_ORG" ]] || die "org-add: '$ORDERER_ORG' is the ordering organisation"
resuming=0
for o in "${PEER_ORGS[@]}"; do
  [[ $o == "$org" ]] || continue
  [[ -f $BCMLP_RUN/channels/mainchain/add-$(org_lower "$org")/approved ]] && die "org-add: $org is a member already"
  resuming=1
done
first=${PEER_ORGS[0]}
is_running "peer-$(org_lower "$first")" || die "org-add: the ledger is not running: start it with 'make up'"
if [[ $resuming == 0 ]]; then
  # The consortium decides: the committee must have approved the organisation's enrolment on chain.
  answer=$("$BCMLP_ROOT/network/ledger.sh" cli "$first" chaincode query -C mainchain -n registry \
    -c "{\"Args\":[\"registry:GetOrganisationEnrolment\",\"$(msp_id "$org")\"]}" 2>&1) ||
    die "org-add: $org has no enrolment on chain (registry answered: ${answer##*message:}); request it and have the committee approve it first"
  status=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("status", ""))' "$answer" 2>/dev/null || true)
  [[ $status == approved ]] ||
    die "org-add: $org's enrolment on chain is '${status:-unreadable}', not approved: the committee must approve it first"
  echo "$org" >>"$ADDED_ORGS_FILE"
  PEER_ORGS+=("$org")
fi
log "org-add: $org: identities"
"$BCMLP_ROOT/network/ca.sh" init "$org"
"$BCMLP_ROOT/network/ca.sh" start "$org"
"$BCMLP_ROOT/network/ca.sh" enroll-org "$org"
log "org-add: $org: storage"
"$BCMLP_ROOT/network/ipfs.sh" init "$org"
"$BCMLP_ROOT/network/ipfs.sh" start "$org"
log "org-add: $org: peer and mainchain"
"$BCMLP_ROOT/network/ledger.sh" start-peer "$org"
"$BCMLP_ROOT/network/ledger.sh" org-join "$org"
"$BCMLP_ROOT/network/describe.sh" >"$BCMLP_RUN/network.json.tmp"
mv "$BCMLP_RUN/network.json.tmp" "$BCMLP_RUN/network.json"
log "org-add: $org: gateway service"
"$BCMLP_ROOT/network/api.sh" "$org" start
log "org-add: $org joined mainchain"
