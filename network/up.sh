#!/usr/bin/env bash
# up.sh [STAGE...] — starts the consortium, stage by stage (default: all, in this order):
#   identities  each organisation's Fabric CA, its MSP and its node and admin identities
#   storage     each peer organisation's Kubo node in the private swarm
#   ledger      orderers (Raft), peers, channel mainchain, chaincode as a service (builds Fabric
#               from its source archive on first use)
#   services    each peer organisation's gateway service (api.sh), HTTPS with mutual TLS
# A stage that fails stops the run with its reason; `make down` stops whatever was started.
# Generated files persist across down/up until `make clean`. run/network.json describes what runs.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
mkdir -p "$BCMLP_RUN/logs"
t0=$SECONDS
stages=("$@"); [[ ${#stages[@]} -gt 0 ]] || stages=(identities storage ledger services)

identities() {
  local org
  for org in "$ORDERER_ORG" "${PEER_ORGS[@]}"; do
    "$BCMLP_ROOT/network/ca.sh" init "$org"
    "$BCMLP_ROOT/network/ca.sh" start "$org"
    "$BCMLP_ROOT/network/ca.sh" enroll-org "$org"
  done
}

storage() {
  local org
  for org in "${PEER_ORGS[@]}"; do "$BCMLP_ROOT/network/ipfs.sh" init "$org"; done
  for org in "${PEER_ORGS[@]}"; do "$BCMLP_ROOT/network/ipfs.sh" start "$org"; done
}

services() {
  local org
  for org in "${PEER_ORGS[@]}"; do "$BCMLP_ROOT/network/api.sh" "$org" start; done
}

for stage in "${stages[@]}"; do
  case $stage in
    identities|storage|services) "$stage" ;;
    ledger)
      "$BCMLP_ROOT/network/install-bin.sh" fabric
      "$BCMLP_ROOT/network/ledger.sh" up ;;
    *) die "unknown stage '$stage' (stages: identities storage ledger services)" ;;
  esac
  log "$stage ready ($((SECONDS - t0)) s)"
  if [[ $stage != identities ]]; then
    "$BCMLP_ROOT/network/describe.sh" >"$BCMLP_RUN/network.json.tmp"
    mv "$BCMLP_RUN/network.json.tmp" "$BCMLP_RUN/network.json"
  fi
done
log "up in $((SECONDS - t0)) s; description in $BCMLP_RUN/network.json"
