#!/usr/bin/env bash
# describe.sh — prints the running consortium's description as JSON: the one place Python code and
# tests learn addresses, MSP ids and file locations from, so none of them repeats the port plan.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
first=1
printf '{\n  "run_dir": "%s",\n  "organisations": [\n' "$BCMLP_RUN"
for org in "$ORDERER_ORG" "${PEER_ORGS[@]}"; do
  lo=$(org_lower "$org")
  [[ $first == 1 ]] || printf ',\n'; first=0
  printf '    {"name": "%s", "msp_id": "%s", "msp_dir": "%s",\n' "$org" "$(msp_id "$org")" "$BCMLP_RUN/orgs/$lo/msp"
  printf '     "ca": {"url": "https://127.0.0.1:%s", "operations": "https://127.0.0.1:%s", "root_cert": "%s"},\n' \
    "$(port "$org" ca)" "$(port "$org" ca-ops)" "$BCMLP_RUN/ca/$lo/ca-cert.pem"
  printf '     "admin": "%s"' "$BCMLP_RUN/orgs/$lo/users/admin-$lo"
  if [[ $org != "$ORDERER_ORG" ]]; then
    printf ',\n     "ipfs": {"api": "http://127.0.0.1:%s", "swarm": "/ip4/127.0.0.1/tcp/%s", "repo": "%s",\n' \
      "$(port "$org" ipfs-api)" "$(port "$org" ipfs-swarm)" "$BCMLP_RUN/ipfs/$lo"
    printf '              "peer_id": "%s", "api_header_file": "%s"},\n' "$("$BCMLP_ROOT/network/ipfs.sh" peer-id "$org")" "$BCMLP_RUN/ipfs/$lo/api.header"
    printf '     "peer": {"address": "127.0.0.1:%s", "operations": "https://127.0.0.1:%s", "dir": "%s"}' \
      "$(port "$org" peer)" "$(port "$org" peer-ops)" "$BCMLP_RUN/orgs/$lo/peers/peer0"
  fi
  printf '}'
done
printf '\n  ]\n}\n'
