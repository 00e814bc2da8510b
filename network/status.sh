#!/usr/bin/env bash
# status.sh — one line per process of the run directory: running or not, pid, health, and where its
# operations endpoint is (Fabric CA's /healthz and /metrics; Kubo's RPC API).
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
printf '%-22s %-8s %-8s %s\n' PROCESS STATE PID ENDPOINT
health() { curl -fsS -o /dev/null --max-time 2 "$@" 2>/dev/null && echo healthy || echo unhealthy; }
for org in "$ORDERER_ORG" "${PEER_ORGS[@]}"; do
  lo=$(org_lower "$org")
  for name in "ca-$lo" "ipfs-$lo"; do
    pidf=$BCMLP_RUN/pids/$name.pid
    [[ $name == ipfs-* && $org == "$ORDERER_ORG" ]] && continue
    if is_running "$name"; then
      if [[ $name == ca-* ]]; then
        ep="https://127.0.0.1:$(port "$org" ca-ops)/healthz"; st=$(health --cacert "$BCMLP_RUN/ca/$lo/ca-cert.pem" "$ep")
      else
        ep="http://127.0.0.1:$(port "$org" ipfs-api)/api/v0/id"; st=$(health -X POST -H "@$BCMLP_RUN/ipfs/$lo/api.header" "$ep")
      fi
      printf '%-22s %-8s %-8s %s (%s)\n' "$name" running "$(cat "$pidf")" "$ep" "$st"
    else
      printf '%-22s %-8s %-8s %s\n' "$name" stopped - -
    fi
  done
done
