#!/usr/bin/env bash
# ca.sh init|start|stop|enroll-org|identity|revoke ORG [NAME TYPE|NAME REASON] — one Fabric CA per organisation.
# Every identity of the consortium (peers, orderers, admins, members) is registered and enrolled at its
# organisation's CA; nothing is copied from a sample. Enrolment secrets are random, kept in files
# readable by their owner only, and never printed.
#   init        the CA's home, its self-signed root and its TLS certificate (IP SAN 127.0.0.1)
#   start/stop  the CA server, TLS on its API and operations endpoints, ready when /healthz answers
#   enroll-org  the organisation's MSP folder and its node identities (peer0 or the orderers) and admin
#   identity    registers and enrolls one more identity NAME of TYPE (client|peer|orderer|admin)
#   revoke      revokes every certificate of identity NAME (REASON: a Fabric CA reason such as
#               keycompromise) and puts the CA's new revocation list into the organisation's MSP folder
#               (msp/crls/crl.pem), where the gateway services read it (gateway/api/callers.py) and new
#               channels take it into their MSP definition. Channels made before keep their list until a
#               channel configuration update carries the new one (not automated here).
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"

cmd=${1:-}; org=${2:-}
[[ -n $org ]] || die "usage: ca.sh init|start|stop|enroll-org|identity|revoke ORG [NAME TYPE|NAME REASON]"
org_index "$org" >/dev/null
lo=$(org_lower "$org")
home=$BCMLP_RUN/ca/$lo
orgdir=$BCMLP_RUN/orgs/$lo
url_host=127.0.0.1:$(port "$org" ca)
bin=$(bin_dir fabric-ca)

secret() { od -An -vtx1 -N18 /dev/urandom | tr -d ' \n'; }
write_secret() { (umask 077; printf '%s' "$2" >"$1"); }

# Secrets never go on a command line, which every local user can read in /proc/PID/cmdline: Fabric CA's
# tools take them from FABRIC_CA_SERVER_* / FABRIC_CA_CLIENT_* variables instead (every flag has one;
# /proc/PID/environ is readable by the owner only), set as assignments in front of the call.
# Fabric CA's tools print the secrets they are given (the server's init echoes its bootstrap user, the
# client's register prints "Password: ..."), so their output passes through masked() before any log.
MASK=()
masked() { local s line; while IFS= read -r line; do for s in "${MASK[@]}"; do line=${line//"$s"/****}; done; printf '%s\n' "$line"; done; }

init() {
  [[ -f $home/ca-cert.pem ]] && return 0
  rm -rf "$home.partial"; mkdir -p "$home.partial"
  write_secret "$home.partial/admin.secret" "$(secret)"
  MASK=("$(cat "$home.partial/admin.secret")")
  mkdir -p "$BCMLP_RUN/logs"
  { FABRIC_CA_SERVER_BOOT="admin:${MASK[0]}" "$bin/fabric-ca-server" init -H "$home.partial" \
    -n "ca-$lo" --csr.cn "ca.$lo.bcmlp" --csr.hosts "127.0.0.1,localhost" --tls.enabled \
    -p "$(port "$org" ca)" 2>&1 || echo "INIT-FAILED"; } | masked >>"$BCMLP_RUN/logs/ca-$lo.log"
  tail -n 1 "$BCMLP_RUN/logs/ca-$lo.log" | grep -q INIT-FAILED && die "fabric-ca-server init for $org failed: see $BCMLP_RUN/logs/ca-$lo.log"
  # The generated config holds the bootstrap secret too.
  chmod 600 "$home.partial/fabric-ca-server-config.yaml"
  # The server's TLS certificate, issued by the CA's own root so clients trust one file, with the IP
  # SANs that TLS checks against 127.0.0.1 need.
  local h=$home.partial
  (umask 077; openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$h/tls-key.pem")
  openssl req -new -key "$h/tls-key.pem" -subj "/O=$org/CN=ca.$lo.bcmlp" -out "$h/tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:ca.%s.bcmlp\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$lo" >"$h/tls.ext"
  openssl x509 -req -in "$h/tls.csr" -CA "$h/ca-cert.pem" -CAkey "$(key_of "$h/ca-cert.pem" "$h")" -CAcreateserial \
    -days 825 -sha256 -extfile "$h/tls.ext" -out "$h/tls-cert.pem" 2>/dev/null || die "could not issue the TLS certificate of $org's CA"
  rm -f "$h/tls.csr" "$h/tls.ext"
  mv "$home.partial" "$home"
}

key_of() { # CERT HOME — the CA keystore file holding CERT's private key
  local want f; want=$(openssl x509 -in "$1" -noout -pubkey)
  for f in "$2"/msp/keystore/*_sk; do
    [[ $(openssl pkey -in "$f" -pubout 2>/dev/null) == "$want" ]] && { echo "$f"; return 0; }
  done
  die "no key for $1 in $2/msp/keystore"
}

start() {
  [[ -f $home/ca-cert.pem ]] || die "CA of $org not initialised: run 'network/ca.sh init $org' (make up does)"
  local ops; ops=127.0.0.1:$(port "$org" ca-ops)
  FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS=$ops \
  FABRIC_CA_SERVER_OPERATIONS_TLS_ENABLED=true \
  FABRIC_CA_SERVER_OPERATIONS_TLS_CERT_FILE=$home/tls-cert.pem \
  FABRIC_CA_SERVER_OPERATIONS_TLS_KEY_FILE=$home/tls-key.pem \
  FABRIC_CA_SERVER_METRICS_PROVIDER=prometheus \
    start_bg "ca-$lo" "$BCMLP_RUN/logs/ca-$lo.log" "$bin/fabric-ca-server" start -H "$home" \
      --address 127.0.0.1 -p "$(port "$org" ca)" --tls.enabled \
      --tls.certfile "$home/tls-cert.pem" --tls.keyfile "$home/tls-key.pem"
  wait_http "ca-$lo" "https://$ops/healthz" --cacert "$home/ca-cert.pem"
}

client() { # fabric-ca-client with this CA's TLS root; its output, masked, to the enrolment log only
  local rc=0 out
  out=$("$bin/fabric-ca-client" "$@" --tls.certfiles "$home/ca-cert.pem" 2>&1) || rc=$?
  printf '%s\n' "$out" | masked >>"$BCMLP_RUN/logs/enroll-$lo.log"
  [[ $rc == 0 ]] || die "fabric-ca-client $1 at $org's CA failed: see $BCMLP_RUN/logs/enroll-$lo.log"
}

registrar() { # enrolls the CA's bootstrap admin once; its MSP signs every registration
  local d=$home/registrar
  [[ -f $d/msp/signcerts/cert.pem ]] && return 0
  MASK+=("$(cat "$home/admin.secret")")
  FABRIC_CA_CLIENT_URL="https://admin:$(cat "$home/admin.secret")@$url_host" client enroll -H "$d"
}

node_ous() { # MSP config.yaml: NodeOUs tell client, peer, admin and orderer identities apart
  local cacert; cacert=cacerts/$(basename "$(ls "$1"/cacerts/*.pem)")
  cat >"$1/config.yaml" <<YAML
NodeOUs:
  Enable: true
  ClientOUIdentifier: {Certificate: $cacert, OrganizationalUnitIdentifier: client}
  PeerOUIdentifier: {Certificate: $cacert, OrganizationalUnitIdentifier: peer}
  AdminOUIdentifier: {Certificate: $cacert, OrganizationalUnitIdentifier: admin}
  OrdererOUIdentifier: {Certificate: $cacert, OrganizationalUnitIdentifier: orderer}
YAML
}

# identity NAME TYPE [HOST] — registers NAME (once) and enrolls its signing MSP and a TLS pair under
# tls/ for HOST (default NAME.<org>.bcmlp; IP SANs 127.0.0.1 and localhost too).
identity() {
  # Every identity gets a TLS pair: peers and orderers require client certificates (mutual TLS).
  local name=$1 type=$2 host=${3:-$1.$lo.bcmlp} kind
  case $type in client|admin) kind=users ;; peer) kind=peers ;; orderer) kind=orderers ;;
    *) die "identity type must be client, peer, orderer or admin, not '$type'" ;; esac
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || die "identity name '$name' must be 1-64 of A-Z a-z 0-9 . _ - and start with a letter or digit"
  local d=$orgdir/$kind/$name
  [[ -f $d/msp/signcerts/cert.pem ]] && return 0
  registrar
  local sec; sec=$(secret); MASK+=("$sec")
  rm -rf "$d.partial"; mkdir -p "$d.partial"
  write_secret "$d.partial/enroll.secret" "$sec"
  FABRIC_CA_CLIENT_ID_SECRET=$sec client register -u "https://$url_host" -H "$home/registrar" --id.name "$name" --id.type "$type"
  FABRIC_CA_CLIENT_URL="https://$name:$sec@$url_host" client enroll -H "$d.partial" -M "$d.partial/msp" --csr.names "O=$org"
  node_ous "$d.partial/msp"
  FABRIC_CA_CLIENT_URL="https://$name:$sec@$url_host" client enroll -H "$d.partial" -M "$d.partial/tls" \
    --enrollment.profile tls --csr.hosts "$host,127.0.0.1,localhost"
  cp "$d.partial"/tls/signcerts/cert.pem "$d.partial/tls/server.crt"
  cp "$d.partial"/tls/keystore/*_sk "$d.partial/tls/server.key"
  cp "$d.partial"/tls/tlscacerts/*.pem "$d.partial/tls/ca.crt"
  rm -rf "$d"; mv "$d.partial" "$d"
}

revoke() {
  local name=$1 reason=${2:-unspecified}
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || die "identity name '$name' must be 1-64 of A-Z a-z 0-9 . _ - and start with a letter or digit"
  case $reason in
    unspecified|keycompromise|cacompromise|affiliationchange|superseded|cessationofoperation|certificatehold|privilegewithdrawn|aacompromise) ;;
    *) die "revocation reason must be one of unspecified, keycompromise, cacompromise, affiliationchange, superseded, cessationofoperation, certificatehold, privilegewithdrawn, aacompromise; not '$reason'" ;;
  esac
  [[ -d $orgdir/users/$name || -d $orgdir/peers/$name || -d $orgdir/orderers/$name ]] || die "$org has no identity '$name' (run/orgs/$lo/{users,peers,orderers}/$name)"
  registrar
  client revoke -u "https://$url_host" -H "$home/registrar" -e "$name" -r "$reason" --gencrl
  mkdir -p "$orgdir/msp/crls"
  cp "$home/registrar/msp/crls/crl.pem" "$orgdir/msp/crls/crl.pem.partial"
  mv "$orgdir/msp/crls/crl.pem.partial" "$orgdir/msp/crls/crl.pem"
  log "revoked $name at $org's CA ($reason); revocation list in run/orgs/$lo/msp/crls/crl.pem"
}

enroll_org() {
  mkdir -p "$orgdir/msp/cacerts" "$orgdir/msp/tlscacerts"
  cp "$home/ca-cert.pem" "$orgdir/msp/cacerts/ca-cert.pem"
  cp "$home/ca-cert.pem" "$orgdir/msp/tlscacerts/ca-cert.pem"
  node_ous "$orgdir/msp"
  if [[ $org == "$ORDERER_ORG" ]]; then
    local o; for o in "${ORDERERS[@]}"; do identity "$o" orderer "$o.$lo.bcmlp"; done
  else
    identity peer0 peer "peer0.$lo.bcmlp"
  fi
  identity admin-"$lo" admin "admin.$lo.bcmlp"
}

case $cmd in
  init) init ;;
  start) start ;;
  stop) stop_bg "ca-$lo" ;;
  enroll-org) enroll_org ;;
  identity) [[ $# -ge 4 ]] || die "usage: ca.sh identity ORG NAME TYPE [TLS-HOST]"; identity "$3" "$4" "${5:-}" ;;
  revoke) [[ $# -ge 3 ]] || die "usage: ca.sh revoke ORG NAME [REASON]"; revoke "$3" "${4:-}" ;;
  *) die "usage: ca.sh init|start|stop|enroll-org|identity|revoke ORG [NAME TYPE|NAME REASON]" ;;
esac
