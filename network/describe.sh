#!/usr/bin/env bash
# describe.sh — prints the running consortium's description as JSON: the one place Python code and
# tests learn addresses, MSP ids and file locations from, so none of them repeats the port plan.
# The values come from lib.sh as "path<TAB>value" lines; python3's JSON encoder assembles and quotes
# them ('/' separates path segments, since channel names may hold dots; a number is a list index).
set -euo pipefail
BCMLP_LIB_LOOK_ONLY=1
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"

emit() { printf '%s\t%s\n' "$1" "$2"; }

describe() {
  local i=0 org lo k o ch f n
  emit run_dir "$BCMLP_RUN"
  for org in "$ORDERER_ORG" "${PEER_ORGS[@]}"; do
    lo=$(org_lower "$org"); k=organisations/$i
    emit "$k/name" "$org"
    emit "$k/msp_id" "$(msp_id "$org")"
    emit "$k/msp_dir" "$BCMLP_RUN/orgs/$lo/msp"
    emit "$k/ca/url" "https://127.0.0.1:$(port "$org" ca)"
    emit "$k/ca/operations" "https://127.0.0.1:$(port "$org" ca-ops)"
    emit "$k/ca/root_cert" "$BCMLP_RUN/ca/$lo/ca-cert.pem"
    emit "$k/admin" "$BCMLP_RUN/orgs/$lo/users/admin-$lo"
    if [[ $org == "$ORDERER_ORG" ]]; then
      n=0
      for o in "${ORDERERS[@]}"; do
        emit "$k/orderers/$n/name" "$o"
        emit "$k/orderers/$n/address" "127.0.0.1:$(orderer_port "$o" listen)"
        emit "$k/orderers/$n/admin" "127.0.0.1:$(orderer_port "$o" admin)"
        emit "$k/orderers/$n/operations" "https://127.0.0.1:$(orderer_port "$o" ops)"
        emit "$k/orderers/$n/dir" "$BCMLP_RUN/orgs/$lo/orderers/$o"
        n=$((n + 1))
      done
    else
      emit "$k/ipfs/api" "http://127.0.0.1:$(port "$org" ipfs-api)"
      emit "$k/ipfs/swarm" "/ip4/127.0.0.1/tcp/$(port "$org" ipfs-swarm)"
      emit "$k/ipfs/repo" "$BCMLP_RUN/ipfs/$lo"
      emit "$k/ipfs/peer_id" "$("$BCMLP_ROOT/network/ipfs.sh" peer-id "$org")"
      emit "$k/ipfs/api_header_file" "$BCMLP_RUN/ipfs/$lo/api.header"
      emit "$k/peer/name" "peer0.$lo.bcmlp"
      emit "$k/peer/address" "127.0.0.1:$(port "$org" peer)"
      emit "$k/peer/operations" "https://127.0.0.1:$(port "$org" peer-ops)"
      emit "$k/peer/dir" "$BCMLP_RUN/orgs/$lo/peers/peer0"
      emit "$k/api/url" "https://127.0.0.1:$(port "$org" api)"
      emit "$k/api/dir" "$BCMLP_RUN/api/$lo"
      emit "$k/api/identity" "$BCMLP_RUN/orgs/$lo/users/api-$lo"
    fi
    i=$((i + 1))
  done
  # Channels that exist, with their organisations (written by ledger.sh when a channel is made).
  for f in "$BCMLP_RUN"/channels/*/organisations; do
    [[ -f $f ]] || continue
    ch=$(basename "$(dirname "$f")"); n=0
    while IFS= read -r org; do emit "channels/$ch/organisations/$n" "$org"; n=$((n + 1)); done <"$f"
  done
}

describe | python3 -c '
import json, sys
root: dict = {}
for line in sys.stdin:
    path, value = line.rstrip("\n").split("\t", 1)
    keys = path.split("/")
    node = root
    for key, nxt in zip(keys, keys[1:]):
        node = node.setdefault(key, {})
    node[keys[-1]] = value
def lists(node):
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [lists(node[k]) for k in sorted(node, key=int)]
    return {k: lists(v) for k, v in node.items()}
root = lists(root)
root.setdefault("channels", {})
json.dump(root, sys.stdout, indent=2)
print()
'
