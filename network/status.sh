#!/usr/bin/env bash
# status.sh — one line per process of the run directory: running or not, pid, health, and where its
# health is read (Fabric CA, orderer and peer /healthz over TLS; Kubo's RPC API; a chaincode server's
# TLS port accepting connections).
set -euo pipefail
BCMLP_LIB_LOOK_ONLY=1
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
printf '%-26s %-8s %-8s %s\n' PROCESS STATE PID ENDPOINT
health() { curl -fsS -o /dev/null --max-time 2 "$@" 2>/dev/null && echo healthy || echo unhealthy; }
listening() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null && echo healthy || echo unhealthy; }
line() { # NAME ENDPOINT HEALTH-COMMAND...
  local name=$1 ep=$2; shift 2
  local pid
  if pid=$(live_pid "$name"); then
    printf '%-26s %-8s %-8s %s (%s)\n' "$name" running "$pid" "$ep" "$("$@")"
  elif [[ -f $BCMLP_RUN/pids/$name.pid || $name == ca-* || $name == ipfs-* ]]; then
    printf '%-26s %-8s %-8s %s\n' "$name" stopped - -
  fi
}
for org in "$ORDERER_ORG" "${PEER_ORGS[@]}"; do
  lo=$(org_lower "$org"); cacert=$BCMLP_RUN/ca/$lo/ca-cert.pem
  ep=https://127.0.0.1:$(port "$org" ca-ops)/healthz; line "ca-$lo" "$ep" health --cacert "$cacert" "$ep"
  if [[ $org == "$ORDERER_ORG" ]]; then
    for o in "${ORDERERS[@]}"; do
      ep=https://127.0.0.1:$(orderer_port "$o" ops)/healthz; line "$o" "$ep" health --cacert "$cacert" "$ep"
    done
    continue
  fi
  ep=http://127.0.0.1:$(port "$org" ipfs-api)/api/v0/id
  line "ipfs-$lo" "$ep" health -X POST -H "@$BCMLP_RUN/ipfs/$lo/api.header" "$ep"
  ep=https://127.0.0.1:$(port "$org" peer-ops)/healthz; line "peer-$lo" "$ep" health --cacert "$cacert" "$ep"
  for cc in registry provenance; do
    role=chaincode; [[ $cc == provenance ]] && role=chaincode-provenance
    ep=127.0.0.1:$(port "$org" "$role"); line "cc-$cc-$lo" "$ep" listening "$ep"
  done
  tls=$BCMLP_RUN/orgs/$lo/users/api-$lo/tls
  ep=https://127.0.0.1:$(port "$org" api)/healthz
  line "api-$lo" "$ep" health --cacert "$cacert" --cert "$tls/server.crt" --key "$tls/server.key" "$ep"
done
# Trust snapshot jobs (snapshot-job.sh): their state, and where their rounds are logged.
for f in "$BCMLP_RUN"/pids/snapshot-*.pid; do
  [[ -e $f ]] || continue
  name=$(basename "$f" .pid)
  line "$name" "$BCMLP_RUN/logs/$name.log" echo "rounds logged"
done
