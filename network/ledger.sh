#!/usr/bin/env bash
# ledger.sh up | project NAME ORG... | cli ORG ARGS... | start-orderer NAME | start-peer ORG — the ledger:
# three Raft orderers (joined to each channel with osnadmin), one peer per organisation, channel
# mainchain with every organisation, and bcmlp's chaincode as a service, one server per organisation
# and chaincode (each organisation endorses with its own code: a shared server would let one
# organisation answer for all).
#   up             start (or restart) every orderer, peer and chaincode server; create mainchain and
#                  commit `registry` on it the first time; restart the servers of existing projects
#   project        a project channel with just ORG...: orderers and peers joined, `provenance` committed
#   org-join ORG   ORG (identities made, peer started) added to mainchain by a config update
#   cli            the stock `peer` CLI as ORG's admin (e.g. cli Manufacturer chaincode query -C mainchain ...)
#   start-orderer / start-peer / stop-orderer / stop-peer   one node (fault tests, maintenance)
#   height ORDERER CHANNEL   the channel's height on one orderer (osnadmin)
#   verify ORG|PATH   ledgerutil verify of ORG's stopped peer (or a copied block store); fails on any problem
# TLS everywhere, mutual on every gRPC endpoint: peers, orderers, the orderers' admin endpoint and the
# chaincode servers all require a client certificate from a consortium CA.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"

FABRIC_BIN=$(bin_dir fabric)
CONFIG=$BCMLP_RUN/config
# Every Fabric binary reads core.yaml or orderer.yaml from here (made by config below).
export FABRIC_CFG_PATH=$CONFIG
OO=$(org_lower "$ORDERER_ORG")
# Orderers cut a block after this long at the latest; a lone transaction commits in about this time.
BATCH_TIMEOUT=${BCMLP_BATCH_TIMEOUT:-250ms}
# registry runs on mainchain, provenance on every project channel (registry's cross-channel queries
# name it); both are the same binary, serving both contracts.
CC_VERSION=1.0

peer_dir() { echo "$BCMLP_RUN/orgs/$(org_lower "$1")/peers/peer0"; }
admin_dir() { local lo; lo=$(org_lower "$1"); echo "$BCMLP_RUN/orgs/$lo/users/admin-$lo"; }
orderer_dir() { echo "$BCMLP_RUN/orgs/$OO/orderers/$1"; }
ca_cert() { echo "$BCMLP_RUN/ca/$(org_lower "$1")/ca-cert.pem"; }
cc_port() { # CHAINCODE ORG
  case $1 in registry) port "$2" chaincode ;; provenance) port "$2" chaincode-provenance ;; esac
}

# config: core.yaml and orderer.yaml from the release's sample configuration, with the settings that
# cannot be given as environment variables (list-valued or emptied ones) edited in.
config() {
  [[ -f $CONFIG/core.yaml ]] && return 0
  mkdir -p "$CONFIG.partial"
  local src; src=$(dirname "$FABRIC_BIN")/config
  # No Docker: an empty vm.endpoint, and the ccaas builder where install-bin.sh put it.
  sed -e 's|^\(  endpoint:\) unix:///var/run/docker.sock|\1 ""|' \
      -e "s|/opt/hyperledger/ccaas_builder|$(dirname "$FABRIC_BIN")/builders/ccaas|" \
      "$src/core.yaml" >"$CONFIG.partial/core.yaml"
  grep -q '^  endpoint: ""' "$CONFIG.partial/core.yaml" || die "ledger: core.yaml's vm.endpoint could not be emptied"
  cp "$src/orderer.yaml" "$CONFIG.partial/orderer.yaml"
  rm -rf "$CONFIG"; mv "$CONFIG.partial" "$CONFIG"
}

orderer_env() { # NAME — the environment of orderer NAME (its identity, ports, folders)
  local d od; d=$(orderer_dir "$1"); od=$BCMLP_RUN/orderers/$1
  export FABRIC_LOGGING_SPEC=${BCMLP_FABRIC_LOGGING:-info}
  export ORDERER_GENERAL_LISTENADDRESS=127.0.0.1 ORDERER_GENERAL_LISTENPORT
  ORDERER_GENERAL_LISTENPORT=$(orderer_port "$1" listen)
  export ORDERER_GENERAL_LOCALMSPID ORDERER_GENERAL_LOCALMSPDIR=$d/msp
  ORDERER_GENERAL_LOCALMSPID=$(msp_id "$ORDERER_ORG")
  export ORDERER_GENERAL_BOOTSTRAPMETHOD=none ORDERER_CHANNELPARTICIPATION_ENABLED=true
  export ORDERER_GENERAL_TLS_ENABLED=true ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED=true
  export ORDERER_GENERAL_TLS_PRIVATEKEY=$d/tls/server.key ORDERER_GENERAL_TLS_CERTIFICATE=$d/tls/server.crt
  export ORDERER_GENERAL_TLS_ROOTCAS="[$d/tls/ca.crt]" ORDERER_GENERAL_TLS_CLIENTROOTCAS="[$d/tls/ca.crt]"
  export ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE=$d/tls/server.crt ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY=$d/tls/server.key
  export ORDERER_GENERAL_CLUSTER_ROOTCAS="[$d/tls/ca.crt]"
  export ORDERER_FILELEDGER_LOCATION=$od/ledger
  export ORDERER_CONSENSUS_WALDIR=$od/etcdraft/wal ORDERER_CONSENSUS_SNAPDIR=$od/etcdraft/snapshot
  export ORDERER_ADMIN_LISTENADDRESS ORDERER_ADMIN_TLS_ENABLED=true ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true
  ORDERER_ADMIN_LISTENADDRESS=127.0.0.1:$(orderer_port "$1" admin)
  export ORDERER_ADMIN_TLS_PRIVATEKEY=$d/tls/server.key ORDERER_ADMIN_TLS_CERTIFICATE=$d/tls/server.crt
  export ORDERER_ADMIN_TLS_ROOTCAS="[$d/tls/ca.crt]" ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$d/tls/ca.crt]"
  export ORDERER_OPERATIONS_LISTENADDRESS ORDERER_OPERATIONS_TLS_ENABLED=true ORDERER_METRICS_PROVIDER=prometheus
  ORDERER_OPERATIONS_LISTENADDRESS=127.0.0.1:$(orderer_port "$1" ops)
  export ORDERER_OPERATIONS_TLS_PRIVATEKEY=$d/tls/server.key ORDERER_OPERATIONS_TLS_CERTIFICATE=$d/tls/server.crt
  export ORDERER_OPERATIONS_TLS_CLIENTROOTCAS="[$d/tls/ca.crt]"
}

start_orderer() {
  local od=$BCMLP_RUN/orderers/$1
  mkdir -p "$od/ledger" "$od/etcdraft"
  ( orderer_env "$1"; start_bg "$1" "$BCMLP_RUN/logs/$1.log" "$FABRIC_BIN/orderer" )
  wait_http "$1" "https://127.0.0.1:$(orderer_port "$1" ops)/healthz" --cacert "$(ca_cert "$ORDERER_ORG")"
}

peer_env() { # ORG — the environment of ORG's peer
  local d p lo; d=$(peer_dir "$1"); p=$(port "$1" peer); lo=$(org_lower "$1")
  export FABRIC_LOGGING_SPEC=${BCMLP_FABRIC_LOGGING:-info}
  export CORE_PEER_ID=peer0.$lo.bcmlp CORE_PEER_NETWORKID=bcmlp
  export CORE_PEER_LISTENADDRESS=127.0.0.1:$p CORE_PEER_ADDRESS=127.0.0.1:$p
  export CORE_PEER_CHAINCODELISTENADDRESS CORE_PEER_CHAINCODEADDRESS
  CORE_PEER_CHAINCODELISTENADDRESS=127.0.0.1:$(port "$1" peer-cc); CORE_PEER_CHAINCODEADDRESS=$CORE_PEER_CHAINCODELISTENADDRESS
  # Other organisations' peers reach this one at its external endpoint: without it the gateway can
  # not endorse across organisations. The reconnect interval (25 s by default) bounds how long a
  # peer stays unknown after the other side joins late.
  export CORE_PEER_GOSSIP_BOOTSTRAP=127.0.0.1:$p CORE_PEER_GOSSIP_ENDPOINT=127.0.0.1:$p
  export CORE_PEER_GOSSIP_EXTERNALENDPOINT=127.0.0.1:$p CORE_PEER_GOSSIP_RECONNECTINTERVAL=3s
  export CORE_PEER_LOCALMSPID CORE_PEER_MSPCONFIGPATH=$d/msp; CORE_PEER_LOCALMSPID=$(msp_id "$1")
  export CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_CLIENTAUTHREQUIRED=true
  export CORE_PEER_TLS_CERT_FILE=$d/tls/server.crt CORE_PEER_TLS_KEY_FILE=$d/tls/server.key
  export CORE_PEER_TLS_ROOTCERT_FILE=$d/tls/ca.crt CORE_PEER_TLS_CLIENTROOTCAS_FILES=$d/tls/ca.crt
  export CORE_PEER_TLS_CLIENTCERT_FILE=$d/tls/server.crt CORE_PEER_TLS_CLIENTKEY_FILE=$d/tls/server.key
  export CORE_PEER_FILESYSTEMPATH=$BCMLP_RUN/peers/$lo/production CORE_LEDGER_SNAPSHOTS_ROOTDIR=$BCMLP_RUN/peers/$lo/snapshots
  export CORE_OPERATIONS_LISTENADDRESS CORE_OPERATIONS_TLS_ENABLED=true CORE_METRICS_PROVIDER=prometheus
  CORE_OPERATIONS_LISTENADDRESS=127.0.0.1:$(port "$1" peer-ops)
  # /healthz is open; /metrics and /logspec answer only clients with a certificate from this CA.
  export CORE_OPERATIONS_TLS_CERT_FILE=$d/tls/server.crt CORE_OPERATIONS_TLS_KEY_FILE=$d/tls/server.key
  export CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES=$d/tls/ca.crt
}

start_peer() {
  local lo; lo=$(org_lower "$1")
  mkdir -p "$BCMLP_RUN/peers/$lo"
  ( peer_env "$1"; start_bg "peer-$lo" "$BCMLP_RUN/logs/peer-$lo.log" "$FABRIC_BIN/peer" node start )
  wait_http "peer-$lo" "https://127.0.0.1:$(port "$1" peer-ops)/healthz" --cacert "$(ca_cert "$1")"
}

# as_admin ORG CMD... — runs a Fabric CLI command as ORG's admin against ORG's peer (mutual TLS).
as_admin() {
  local org=$1 a; shift; a=$(admin_dir "$org")
  ( export FABRIC_LOGGING_SPEC=warning
    export CORE_PEER_LOCALMSPID CORE_PEER_MSPCONFIGPATH=$a/msp CORE_PEER_ADDRESS
    CORE_PEER_LOCALMSPID=$(msp_id "$org"); CORE_PEER_ADDRESS=127.0.0.1:$(port "$org" peer)
    export CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_ROOTCERT_FILE CORE_PEER_TLS_CLIENTAUTHREQUIRED=true
    CORE_PEER_TLS_ROOTCERT_FILE=$(ca_cert "$org")
    export CORE_PEER_TLS_CLIENTCERT_FILE=$a/tls/server.crt CORE_PEER_TLS_CLIENTKEY_FILE=$a/tls/server.key
    "$@" )
}

# orderer_args ORG — the peer CLI's flags to reach orderer1 as ORG's admin.
orderer_args() {
  local a; a=$(admin_dir "$1")
  printf '%s\n' -o "127.0.0.1:$(orderer_port orderer1 listen)" --tls --cafile "$(ca_cert "$ORDERER_ORG")" \
    --clientauth --certfile "$a/tls/server.crt" --keyfile "$a/tls/server.key"
}

# install_package ORG PKG LOG — installs chaincode package folder PKG on ORG's peer unless it is there.
# A queryinstalled that fails (a busy peer times the CLI out) looks like a missing package, so an
# install that finds the package there already counts as done.
install_package() {
  local org=$1 pkg=$2 log=$3 out
  as_admin "$org" "$FABRIC_BIN/peer" lifecycle chaincode queryinstalled 2>/dev/null | grep -qF "$(cat "$pkg/package.id")" &&
    return 0
  if out=$(as_admin "$org" "$FABRIC_BIN/peer" lifecycle chaincode install "$pkg/package.tar.gz" 2>&1); then
    printf '%s\n' "$out" >>"$log"
    return 0
  fi
  printf '%s\n' "$out" >>"$log"
  [[ $out == *"chaincode already successfully installed"* ]]
}

# org_yaml ORG — ORG's definition for configtx.yaml: its MSP with NodeOU roles, its policies (members
# read, clients and admins write, admins administer, peers endorse) and its anchor peer.
org_yaml() {
  local lo id; lo=$(org_lower "$1"); id=$(msp_id "$1")
  cat <<YAML
  - &$1
    Name: $1
    ID: $id
    MSPDir: $BCMLP_RUN/orgs/$lo/msp
    Policies:
      Readers: {Type: Signature, Rule: "OR('$id.admin', '$id.peer', '$id.client')"}
      Writers: {Type: Signature, Rule: "OR('$id.admin', '$id.client')"}
      Admins: {Type: Signature, Rule: "OR('$id.admin')"}
      Endorsement: {Type: Signature, Rule: "OR('$id.peer')"}
    AnchorPeers:
      - {Host: 127.0.0.1, Port: $(port "$1" peer)}
YAML
}

# configtx CHANNEL ORG... — the channel's configtx.yaml: Raft on the three orderers, the organisations'
# MSPs with NodeOU roles, anchor peers, and least-privilege policies (members read, clients and admins
# write, a majority of admins changes the channel, a majority of organisations endorses).
configtx() {
  local ch=$1 o id; shift
  local dir=$BCMLP_RUN/channels/$ch
  mkdir -p "$dir"
  {
    echo "Organizations:"
    id=$(msp_id "$ORDERER_ORG")
    cat <<YAML
  - &$ORDERER_ORG
    Name: $ORDERER_ORG
    ID: $id
    MSPDir: $BCMLP_RUN/orgs/$OO/msp
    Policies:
      Readers: {Type: Signature, Rule: "OR('$id.member')"}
      Writers: {Type: Signature, Rule: "OR('$id.member')"}
      Admins: {Type: Signature, Rule: "OR('$id.admin')"}
    OrdererEndpoints:
YAML
    for o in "${ORDERERS[@]}"; do echo "      - 127.0.0.1:$(orderer_port "$o" listen)"; done
    for o in "$@"; do org_yaml "$o"; done
    cat <<YAML
Profiles:
  Channel:
    Policies:
      Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
      Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
      Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
    Capabilities: {V3_0: true}
    Orderer:
      OrdererType: etcdraft
      BatchTimeout: $BATCH_TIMEOUT
      BatchSize: {MaxMessageCount: 500, AbsoluteMaxBytes: 10 MB, PreferredMaxBytes: 2 MB}
      EtcdRaft:
        Consenters:
YAML
    for o in "${ORDERERS[@]}"; do
      cat <<YAML
          - {Host: 127.0.0.1, Port: $(orderer_port "$o" listen), ClientTLSCert: $(orderer_dir "$o")/tls/server.crt, ServerTLSCert: $(orderer_dir "$o")/tls/server.crt}
YAML
    done
    cat <<YAML
        Options: {TickInterval: 250ms, ElectionTick: 10, HeartbeatTick: 1, MaxInflightBlocks: 5, SnapshotIntervalSize: 16 MB}
      Organizations: [*$ORDERER_ORG]
      Policies:
        Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
        Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
        Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
        BlockValidation: {Type: ImplicitMeta, Rule: "ANY Writers"}
      Capabilities: {V2_0: true}
    Application:
      Organizations: [$(printf '*%s, ' "$@" | sed 's/, $//')]
      Policies:
        Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
        Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
        Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
        LifecycleEndorsement: {Type: ImplicitMeta, Rule: "MAJORITY Endorsement"}
        Endorsement: {Type: ImplicitMeta, Rule: "MAJORITY Endorsement"}
      Capabilities: {V2_5: true}
YAML
  } >"$dir/configtx.yaml"
}

# create_channel CHANNEL ORG... — genesis block, every orderer and every ORG's peer joined. Each step is
# skipped when done already, so a run that stopped half-way is finished by the next.
create_channel() {
  local ch=$1 o a; shift
  local dir=$BCMLP_RUN/channels/$ch
  if [[ ! -f $dir/genesis.block ]]; then
    configtx "$ch" "$@"
    "$FABRIC_BIN/configtxgen" -configPath "$dir" -profile Channel -channelID "$ch" \
      -outputBlock "$dir/genesis.block.tmp" >>"$BCMLP_RUN/logs/channels.log" 2>&1 ||
      die "ledger: configtxgen could not make $ch's genesis block; see $BCMLP_RUN/logs/channels.log"
    mv "$dir/genesis.block.tmp" "$dir/genesis.block"
  fi
  a=$(admin_dir "$ORDERER_ORG")
  for o in "${ORDERERS[@]}"; do
    [[ -f $dir/joined-$o ]] && continue
    "$FABRIC_BIN/osnadmin" channel join --channelID "$ch" --config-block "$dir/genesis.block" \
      -o "127.0.0.1:$(orderer_port "$o" admin)" --ca-file "$(ca_cert "$ORDERER_ORG")" \
      --client-cert "$a/tls/server.crt" --client-key "$a/tls/server.key" >>"$BCMLP_RUN/logs/channels.log" 2>&1 ||
      die "ledger: $o could not join $ch; see $BCMLP_RUN/logs/channels.log"
    touch "$dir/joined-$o"
  done
  for o in "$@"; do
    [[ -f $dir/joined-$(org_lower "$o") ]] && continue
    retry 15 as_admin "$o" "$FABRIC_BIN/peer" channel join -b "$dir/genesis.block" >>"$BCMLP_RUN/logs/channels.log" 2>&1 ||
      die "ledger: $o's peer could not join $ch; see $BCMLP_RUN/logs/channels.log"
    touch "$dir/joined-$(org_lower "$o")"
  done
  printf '%s\n' "$@" >"$dir/organisations"
}

# chaincode_binary — bcmlp-cc, rebuilt when its sources change (Go's build cache makes that quick).
chaincode_binary() {
  local out=$BCMLP_RUN/chaincode/bin/bcmlp-cc
  mkdir -p "$(dirname "$out")"
  (cd "$BCMLP_ROOT/chaincode" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" ./cmd/bcmlp-cc) ||
    die "ledger: the chaincode does not build (cd chaincode && go build ./cmd/bcmlp-cc)"
  mv "$out.tmp" "$out"
  echo "$out"
}

# package CHAINCODE ORG — ORG's ccaas package of CHAINCODE: where ORG's chaincode server listens and
# the TLS material ORG's peer uses to reach it. Made once; its package id is kept beside it.
package() {
  local cc=$1 org=$2 lo; lo=$(org_lower "$org")
  local dir=$BCMLP_RUN/chaincode/$cc-$lo
  [[ -f $dir/package.id ]] && return 0
  rm -rf "$dir.partial"; mkdir -p "$dir.partial/src"
  local p; p=$(peer_dir "$org")
  python3 - "$dir.partial/src/connection.json" "127.0.0.1:$(cc_port "$cc" "$org")" \
    "$p/tls/server.key" "$p/tls/server.crt" "$(ca_cert "$org")" <<'PY'
import json, sys
out, address, key, cert, root = sys.argv[1:]
read = lambda p: open(p).read()
json.dump({"address": address, "dial_timeout": "10s", "tls_required": True, "client_auth_required": True,
           "client_key": read(key), "client_cert": read(cert), "root_cert": read(root)}, open(out, "w"), indent=1)
PY
  printf '{"type":"ccaas","label":"%s-%s"}\n' "$cc" "$lo" >"$dir.partial/src/metadata.json"
  tar -czf "$dir.partial/src/code.tar.gz" -C "$dir.partial/src" connection.json
  tar -czf "$dir.partial/package.tar.gz" -C "$dir.partial/src" metadata.json code.tar.gz
  rm -rf "$dir.partial/src"
  "$FABRIC_BIN/peer" lifecycle chaincode calculatepackageid "$dir.partial/package.tar.gz" >"$dir.partial/package.id"
  rm -rf "$dir"; mv "$dir.partial" "$dir"
}

# start_chaincode CHAINCODE ORG — ORG's server of CHAINCODE, TLS with peer client certificates required.
start_chaincode() {
  local cc=$1 org=$2 lo bin; lo=$(org_lower "$org")
  bin=$BCMLP_RUN/chaincode/bin/bcmlp-cc
  "$BCMLP_ROOT/network/ca.sh" identity "$org" "ccserver-$lo" client "cc.$lo.bcmlp"
  package "$cc" "$org"
  local t; t=$BCMLP_RUN/orgs/$lo/users/ccserver-$lo/tls
  local addr; addr=127.0.0.1:$(cc_port "$cc" "$org")
  ( export CHAINCODE_SERVER_ADDRESS=$addr CORE_CHAINCODE_ID_NAME
    CORE_CHAINCODE_ID_NAME=$(cat "$BCMLP_RUN/chaincode/$cc-$lo/package.id")
    export CHAINCODE_TLS_KEY_FILE=$t/server.key CHAINCODE_TLS_CERT_FILE=$t/server.crt CHAINCODE_CLIENT_CA_CERT_FILE
    CHAINCODE_CLIENT_CA_CERT_FILE=$(ca_cert "$org")
    start_bg "cc-$cc-$lo" "$BCMLP_RUN/logs/cc-$cc-$lo.log" "$bin" )
  wait_tcp "cc-$cc-$lo" "$addr"
}

wait_tcp() { # NAME HOST:PORT
  local _
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/${2%:*}/${2##*:}") 2>/dev/null && return 0
    is_running "$1" || die "$1 exited during start-up; see its log under $BCMLP_RUN/logs"
    sleep 0.2
  done
  die "$1 did not listen on $2 within 30 s; see its log under $BCMLP_RUN/logs"
}

# deploy CHANNEL CHAINCODE ORG... — the standard lifecycle: every ORG installs its own package and
# approves the definition, then the first commits it with every ORG's endorsement. The endorsement
# policy is the channel's own Endorsement policy: a majority of the channel's organisations.
deploy() {
  local ch=$1 cc=$2 o lo; shift 2
  local dir=$BCMLP_RUN/channels/$ch
  [[ -f $dir/committed-$cc ]] && return 0
  local -a oargs; mapfile -t oargs < <(orderer_args "$1")
  for o in "$@"; do
    lo=$(org_lower "$o")
    local pkg=$BCMLP_RUN/chaincode/$cc-$lo
    install_package "$o" "$pkg" "$BCMLP_RUN/logs/channels.log" ||
      die "ledger: $o could not install $cc; see $BCMLP_RUN/logs/channels.log"
    mapfile -t oargs < <(orderer_args "$o")
    retry 15 as_admin "$o" "$FABRIC_BIN/peer" lifecycle chaincode approveformyorg "${oargs[@]}" \
      --channelID "$ch" --name "$cc" --version "$CC_VERSION" --sequence 1 --package-id "$(cat "$pkg/package.id")" \
      --channel-config-policy /Channel/Application/Endorsement --waitForEvent >>"$BCMLP_RUN/logs/channels.log" 2>&1 ||
      die "ledger: $o could not approve $cc on $ch; see $BCMLP_RUN/logs/channels.log"
  done
  local -a peers=()
  for o in "$@"; do peers+=(--peerAddresses "127.0.0.1:$(port "$o" peer)" --tlsRootCertFiles "$(ca_cert "$o")"); done
  mapfile -t oargs < <(orderer_args "$1")
  retry 15 as_admin "$1" "$FABRIC_BIN/peer" lifecycle chaincode commit "${oargs[@]}" \
    --channelID "$ch" --name "$cc" --version "$CC_VERSION" --sequence 1 \
    --channel-config-policy /Channel/Application/Endorsement "${peers[@]}" --waitForEvent >>"$BCMLP_RUN/logs/channels.log" 2>&1 ||
    die "ledger: $cc could not be committed on $ch; see $BCMLP_RUN/logs/channels.log"
  touch "$dir/committed-$cc"
}

# wait_gossip CHANNEL ORG... — until every ORG's peer knows all the others on CHANNEL: the gateway
# finds cross-organisation endorsers through gossip, so a channel is ready only then.
wait_gossip() {
  local ch=$1 o n known _; shift
  n=$(($# - 1))
  ((n > 0)) || return 0
  for o in "$@"; do
    for _ in $(seq 300); do
      known=$(curl -fsS --max-time 2 --cacert "$(ca_cert "$o")" --cert "$(admin_dir "$o")/tls/server.crt" \
          --key "$(admin_dir "$o")/tls/server.key" "https://127.0.0.1:$(port "$o" peer-ops)/metrics" 2>/dev/null |
        sed -n "s/^gossip_membership_total_peers_known{channel=\"$ch\"} \([0-9]*\).*/\1/p") || known=0
      [[ ${known:-0} -ge $n ]] && break
      sleep 0.5
    done
    [[ ${known:-0} -ge $n ]] || die "ledger: $o's peer knows ${known:-0} of $n other peers on $ch after 150 s; see $BCMLP_RUN/logs/peer-$(org_lower "$o").log"
  done
}

orderer_height() { # ORDERER CHANNEL — the channel's block height on that orderer, from its admin endpoint
  local a; a=$(admin_dir "$ORDERER_ORG")
  "$FABRIC_BIN/osnadmin" channel list --channelID "$2" -o "127.0.0.1:$(orderer_port "$1" admin)" \
    --ca-file "$(ca_cert "$ORDERER_ORG")" --client-cert "$a/tls/server.crt" --client-key "$a/tls/server.key" |
    sed -n 's/^[[:space:]]*"height": \([0-9]*\).*/\1/p'
}

projects() { # the project channels made so far
  local d; for d in "$BCMLP_RUN"/channels/*/; do
    [[ -f $d/organisations && $(basename "$d") != mainchain ]] && basename "$d"
  done
  return 0
}

up() {
  config
  local o
  for o in "${ORDERERS[@]}"; do start_orderer "$o" & done; wait_all
  for o in "${PEER_ORGS[@]}"; do start_peer "$o" & done; wait_all
  chaincode_binary >/dev/null
  for o in "${PEER_ORGS[@]}"; do start_chaincode registry "$o"; done
  create_channel mainchain "${PEER_ORGS[@]}"
  deploy mainchain registry "${PEER_ORGS[@]}"
  local ch started=""
  for ch in $(projects); do
    mapfile -t orgs <"$BCMLP_RUN/channels/$ch/organisations"
    for o in "${orgs[@]}"; do
      [[ $started == *" $o "* ]] || { start_chaincode provenance "$o"; started+=" $o "; }
    done
  done
  wait_gossip mainchain "${PEER_ORGS[@]}"
  for ch in $(projects); do
    mapfile -t orgs <"$BCMLP_RUN/channels/$ch/organisations"
    wait_gossip "$ch" "${orgs[@]}"
  done
}

# org_join ORG — adds ORG (identities made, peer running) to mainchain by a channel configuration update
# signed by a majority of the channel's organisation admins (its Admins policy), then joins ORG's peer,
# starts ORG's registry server and installs and approves the committed definition for ORG. Each step is
# skipped when done, so an interrupted org-add is finished by running it again.
org_join() {
  local org=$1 lo ch=mainchain; lo=$(org_lower "$org")
  local dir=$BCMLP_RUN/channels/$ch/add-$lo log=$BCMLP_RUN/logs/channels.log
  mapfile -t members <"$BCMLP_RUN/channels/$ch/organisations"
  mkdir -p "$dir"
  local tl=$FABRIC_BIN/configtxlator
  if [[ ! -f $dir/updated ]]; then
    { echo "Organizations:"; org_yaml "$org"; } >"$dir/configtx.yaml"
    "$FABRIC_BIN/configtxgen" -configPath "$dir" -printOrg "$org" >"$dir/org.json" 2>>"$log" ||
      die "ledger: configtxgen could not describe $org; see $log"
    local -a oargs; mapfile -t oargs < <(orderer_args "${members[0]}")
    retry 5 as_admin "${members[0]}" "$FABRIC_BIN/peer" channel fetch config "$dir/config.pb" -c "$ch" "${oargs[@]}" >>"$log" 2>&1 ||
      die "ledger: the configuration of $ch could not be fetched; see $log"
    "$tl" proto_decode --input "$dir/config.pb" --type common.Block --output "$dir/config_block.json"
    python3 - "$dir" "$org" <<'PY'
import json, sys
d, org = sys.argv[1:]
config = json.load(open(f"{d}/config_block.json"))["data"]["data"][0]["payload"]["data"]["config"]
json.dump(config, open(f"{d}/config.json", "w"))
groups = config["channel_group"]["groups"]["Application"]["groups"]
if org in groups:
    sys.exit(f"{org} is on the channel already")
groups[org] = json.load(open(f"{d}/org.json"))
json.dump(config, open(f"{d}/modified.json", "w"))
PY
    "$tl" proto_encode --input "$dir/config.json" --type common.Config --output "$dir/config.cfg"
    "$tl" proto_encode --input "$dir/modified.json" --type common.Config --output "$dir/modified.cfg"
    "$tl" compute_update --channel_id "$ch" --original "$dir/config.cfg" --updated "$dir/modified.cfg" --output "$dir/update.pb"
    "$tl" proto_decode --input "$dir/update.pb" --type common.ConfigUpdate --output "$dir/update.json"
    python3 - "$dir" "$ch" <<'PY'
import json, sys
d, ch = sys.argv[1:]
update = json.load(open(f"{d}/update.json"))
envelope = {"payload": {"header": {"channel_header": {"channel_id": ch, "type": 2}}, "data": {"config_update": update}}}
json.dump(envelope, open(f"{d}/envelope.json", "w"))
PY
    "$tl" proto_encode --input "$dir/envelope.json" --type common.Envelope --output "$dir/envelope.pb"
    # The channel's Admins policy is MAJORITY Admins: the first majority of its organisations' admins
    # sign; the last of them submits (peer channel update signs too).
    local need=$((${#members[@]} / 2 + 1)) i
    for ((i = 0; i < need - 1; i++)); do
      as_admin "${members[$i]}" "$FABRIC_BIN/peer" channel signconfigtx -f "$dir/envelope.pb" >>"$log" 2>&1 ||
        die "ledger: ${members[$i]}'s admin could not sign the update adding $org; see $log"
    done
    mapfile -t oargs < <(orderer_args "${members[need - 1]}")
    retry 5 as_admin "${members[need - 1]}" "$FABRIC_BIN/peer" channel update -f "$dir/envelope.pb" -c "$ch" "${oargs[@]}" >>"$log" 2>&1 ||
      die "ledger: the update adding $org to $ch was refused; see $log"
    touch "$dir/updated"
  fi
  if [[ ! -f $BCMLP_RUN/channels/$ch/joined-$lo ]]; then
    local -a noargs; mapfile -t noargs < <(orderer_args "$org")
    retry 15 as_admin "$org" "$FABRIC_BIN/peer" channel fetch 0 "$dir/block0.pb" -c "$ch" "${noargs[@]}" >>"$log" 2>&1 ||
      die "ledger: $org could not fetch $ch's first block; see $log"
    retry 15 as_admin "$org" "$FABRIC_BIN/peer" channel join -b "$dir/block0.pb" >>"$log" 2>&1 ||
      die "ledger: $org's peer could not join $ch; see $log"
    touch "$BCMLP_RUN/channels/$ch/joined-$lo"
  fi
  start_chaincode registry "$org"
  if [[ ! -f $dir/approved ]]; then
    local pkg=$BCMLP_RUN/chaincode/registry-$lo
    install_package "$org" "$pkg" "$log" || die "ledger: $org could not install registry; see $log"
    mapfile -t noargs < <(orderer_args "$org")
    retry 15 as_admin "$org" "$FABRIC_BIN/peer" lifecycle chaincode approveformyorg "${noargs[@]}" \
      --channelID "$ch" --name registry --version "$CC_VERSION" --sequence 1 --package-id "$(cat "$pkg/package.id")" \
      --channel-config-policy /Channel/Application/Endorsement --waitForEvent >>"$log" 2>&1 ||
      die "ledger: $org could not approve registry on $ch; see $log"
    touch "$dir/approved"
  fi
  grep -qx "$org" "$BCMLP_RUN/channels/$ch/organisations" || echo "$org" >>"$BCMLP_RUN/channels/$ch/organisations"
  mapfile -t members <"$BCMLP_RUN/channels/$ch/organisations"
  wait_gossip "$ch" "${members[@]}"
}

wait_all() { # waits for every background job; fails if any did
  local rc=0 j
  for j in $(jobs -p); do wait "$j" || rc=1; done
  return $rc
}

project() {
  local ch=$1 o; shift
  mkdir -p "$BCMLP_RUN/channels/$ch"
  echo "$*" >"$BCMLP_RUN/channels/$ch/requested"
  config
  chaincode_binary >/dev/null
  for o in "$@"; do start_chaincode provenance "$o"; done
  create_channel "$ch" "$@"
  deploy "$ch" provenance "$@"
  wait_gossip "$ch" "$@"
}

case ${1:-} in
  up) up ;;
  project) [[ $# -ge 3 ]] || die "usage: ledger.sh project NAME ORG..."; shift; project "$@" ;;
  org-join) [[ -n ${2:-} ]] || die "usage: ledger.sh org-join ORG"; org_index "$2" >/dev/null; org_join "$2" ;;
  stop-orderer) [[ -n ${2:-} ]] || die "usage: ledger.sh stop-orderer NAME"; stop_bg "$2" ;;
  stop-peer) [[ -n ${2:-} ]] || die "usage: ledger.sh stop-peer ORG"; org_index "$2" >/dev/null; stop_bg "peer-$(org_lower "$2")" ;;
  height) [[ $# -eq 3 ]] || die "usage: ledger.sh height ORDERER CHANNEL"; orderer_height "$2" "$3" ;;
  verify) # ledgerutil verify of a stopped peer's block store (or a copy of one): hash chain, block data hashes
    [[ -n ${2:-} ]] || die "usage: ledger.sh verify ORG | ledger.sh verify PEER-FILESYSTEM-PATH"
    if [[ -d $2 ]]; then store=$2; else
      org_index "$2" >/dev/null
      ! is_running "peer-$(org_lower "$2")" || die "ledger: stop $2's peer first (ledger.sh stop-peer $2): ledgerutil reads its files"
      store=$BCMLP_RUN/peers/$(org_lower "$2")/production
    fi
    out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
    rc=0; "$FABRIC_BIN/ledgerutil" verify -o "$out" "$store" || rc=$?
    # ledgerutil writes one JSON list of problems per channel; any entry, or its failure, fails this.
    problems=$(cat "$out"/*/*.json 2>/dev/null | tr -d '[:space:]' | sed 's/\[\]//g')
    [[ $rc == 0 && -z $problems ]] || { cat "$out"/*/*.json 2>/dev/null; die "ledger: ledgerutil verify found problems in $store"; } ;;
  cli) # the stock peer CLI as ORG's admin, against ORG's peer (and orderer1 where it needs one)
    [[ $# -ge 3 ]] || die "usage: ledger.sh cli ORG PEER-ARGS..."; org_index "$2" >/dev/null
    org=$2; shift 2
    if [[ " $* " == *" invoke "* ]]; then mapfile -t oargs < <(orderer_args "$org"); set -- "$@" "${oargs[@]}"; fi
    as_admin "$org" "$FABRIC_BIN/peer" "$@" ;;
  start-orderer) [[ -n ${2:-} ]] || die "usage: ledger.sh start-orderer NAME"; start_orderer "$2" ;;
  start-peer) # ready once gossip on each of its channels knows every other peer again
    [[ -n ${2:-} ]] || die "usage: ledger.sh start-peer ORG"; org_index "$2" >/dev/null; start_peer "$2"
    for f in "$BCMLP_RUN"/channels/*/organisations; do
      if [[ ! -f $f ]] || ! grep -qx "$2" "$f"; then continue; fi
      mapfile -t orgs <"$f"; wait_gossip "$(basename "$(dirname "$f")")" "${orgs[@]}"
    done ;;
  *) die "usage: ledger.sh up | project NAME ORG... | cli ORG PEER-ARGS... | start-orderer|stop-orderer NAME | start-peer|stop-peer ORG | height ORDERER CHANNEL | verify ORG|PATH" ;;
esac
