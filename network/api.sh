#!/usr/bin/env bash
# api.sh ORG [start|stop] — ORG's gateway service (`bcmlp serve`, gateway/api) in the background: HTTPS
# with mutual TLS on the port the port plan gives it. start enrols the service's identity api-<org> at
# ORG's CA (its TLS pair is the server certificate and the client certificate towards ORG's peer) and
# makes the wallet's passphrase (readable by its owner only) once; the wallet starts empty
# (`bcmlp wallet add`). Its log is logs/api-<org>.log, one JSON line per request.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
org=${1:-}
action=${2:-start}
[[ -n $org ]] || die "usage: api.sh ORG [start|stop] (ORG one of: ${PEER_ORGS[*]})"
known=0
for o in "${PEER_ORGS[@]}"; do [[ $o == "$org" ]] && known=1; done
((known)) || die "api: unknown organisation '$org' (one of: ${PEER_ORGS[*]})"
lo=$(org_lower "$org")
name=api-$lo
dir=$BCMLP_RUN/api/$lo
case $action in
  start)
    "$BCMLP_ROOT/network/ca.sh" identity "$org" "$name" client 127.0.0.1
    mkdir -p "$dir/wallet"; chmod 700 "$dir" "$dir/wallet"
    if [[ ! -s $dir/wallet.passphrase ]]; then
      (umask 077; head -c 32 /dev/urandom | base64 >"$dir/wallet.passphrase.partial")
      mv "$dir/wallet.passphrase.partial" "$dir/wallet.passphrase"
    fi
    start_bg "$name" "$BCMLP_RUN/logs/$name.log" \
      env BCMLP_RUN="$BCMLP_RUN" "$BCMLP_ROOT/.venv/bin/python" -m gateway.cli.bcmlp serve --org "$org"
    tls=$BCMLP_RUN/orgs/$lo/users/$name/tls
    wait_http "$name" "https://127.0.0.1:$(port "$org" api)/healthz" \
      --cacert "$BCMLP_RUN/ca/$lo/ca-cert.pem" --cert "$tls/server.crt" --key "$tls/server.key"
    log "$name serving at https://127.0.0.1:$(port "$org" api)" ;;
  stop) stop_bg "$name"; log "$name stopped" ;;
  *) die "api: action '$action' is neither start nor stop" ;;
esac
