#!/usr/bin/env bash
# project.sh NAME "ORG ..." — creates a project channel (the paper's sidechain) with just those peer
# organisations, joins their peers and deploys the provenance chaincode there. Everything is checked
# before anything is changed, so a refused request leaves the network as it was.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"

name=${1:-}; orgs=${2:-}
[[ -n $name ]] || die "project: NAME is missing: make project NAME=<channel id> ORGS=\"Org1 Org2\""
# Fabric's channel-id rule, minus the upper bound it shares with the orderer's file names.
[[ $name =~ ^[a-z][a-z0-9.-]{0,48}$ ]] ||
  die "project: NAME '$name' is malformed: use 1-49 characters, lower-case letters, digits, '.' and '-', starting with a letter"
[[ $name != mainchain ]] || die "project: NAME 'mainchain' is the consortium's main channel; choose another name"
[[ -n $orgs ]] || die "project: ORGS is missing: name the peer organisations, e.g. ORGS=\"${PEER_ORGS[0]} ${PEER_ORGS[1]}\""
read -ra list <<<"$orgs"
declare -A seen=()
for o in "${list[@]}"; do
  known=0; for p in "${PEER_ORGS[@]}"; do [[ $o == "$p" ]] && known=1; done
  [[ $known == 1 ]] || die "project: unknown organisation '$o' in ORGS (peer organisations: ${PEER_ORGS[*]})"
  [[ -z ${seen[$o]:-} ]] || die "project: organisation '$o' is named twice in ORGS"
  seen[$o]=1
done
dir=$BCMLP_RUN/channels/$name
[[ ! -f $dir/committed-provenance ]] || die "project: channel '$name' exists already"
# A channel whose making stopped half-way is finished by running the same request again.
[[ ! -f $dir/requested || $(cat "$dir/requested") == "${list[*]}" ]] ||
  die "project: channel '$name' was begun with ORGS=\"$(cat "$dir/requested")\"; finish it with those or choose another name"
is_running peer-"$(org_lower "${list[0]}")" || die "project: the ledger is not running: start it with 'make up'"
"$BCMLP_ROOT/network/ledger.sh" project "$name" "${list[@]}"
"$BCMLP_ROOT/network/describe.sh" >"$BCMLP_RUN/network.json.tmp"
mv "$BCMLP_RUN/network.json.tmp" "$BCMLP_RUN/network.json"
log "project channel $name ready with ${list[*]}"
# Registration with the registry and the period clock need the founded consortium (exit 3: not yet).
rc=0; "$BCMLP_ROOT/.venv/bin/python" -m gateway.cli.project_init --project "$name" || rc=$?
[[ $rc == 0 || $rc == 3 ]] || die "project: $name was made, but registering it or setting its period clock failed (see above); finish with 'make project-init NAME=$name'"
