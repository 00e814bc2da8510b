#!/usr/bin/env bash
# ipfs.sh init|start|stop|peer-id ORG — one Kubo node per organisation in the consortium's private swarm.
# init   makes the repo (once; kept across down/up) with the consortium's swarm key, TCP on loopback only,
#        no public bootstrap, no mDNS, no relays, no autoconf, no HTTP routers, no gateway.
# start  starts the daemon with LIBP2P_FORCE_PNET=1 (it refuses to run without the swarm key), waits
#        until its RPC API answers, then connects it to every other running consortium node.
# swarm-key makes the consortium's key once (also used by tests to make an outsider's key).
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"

cmd=${1:-}; org=${2:-}
ipfs_bin() { echo "$(bin_dir kubo)/ipfs"; }
repo() { echo "$BCMLP_RUN/ipfs/$(org_lower "$1")"; }

swarm_key() { # PATH — a fresh 256-bit pre-shared key in the libp2p pnet format
  umask 077
  printf '/key/swarm/psk/1.0.0/\n/base16/\n%s\n' "$(od -An -vtx1 -N32 /dev/urandom | tr -d ' \n')" >"$1"
}

init() {
  local r; r=$(repo "$1")
  [[ -f $r/config ]] && return 0
  local key=$BCMLP_RUN/ipfs/swarm.key
  mkdir -p "$BCMLP_RUN/ipfs"; [[ -f $key ]] || swarm_key "$key"
  local ipfs; ipfs=$(ipfs_bin)
  rm -rf "$r.partial"; mkdir -p "$r.partial"
  export IPFS_PATH=$r.partial
  "$ipfs" init --empty-repo >/dev/null
  cp "$key" "$IPFS_PATH/swarm.key"
  local c="$ipfs config --json"
  $c Addresses.Swarm "[\"/ip4/127.0.0.1/tcp/$(port "$1" ipfs-swarm)\"]"
  $c Addresses.API "\"/ip4/127.0.0.1/tcp/$(port "$1" ipfs-api)\""
  $c Addresses.Gateway '[]'
  $c Addresses.Announce '[]'
  $c Addresses.NoAnnounce '[]'
  $c Bootstrap '[]'
  $c AutoConf.Enabled false
  $c Discovery.MDNS.Enabled false
  $c Routing.Type '"dht"'
  $c Swarm.Transports.Network.QUIC false
  $c Swarm.Transports.Network.WebTransport false
  $c Swarm.Transports.Network.WebRTCDirect false
  $c Swarm.Transports.Network.Websocket false
  $c Swarm.RelayClient.Enabled false
  $c Swarm.RelayService.Enabled false
  $c Swarm.DisableNatPortMap true
  $c Swarm.AddrFilters "[]"
  $c AutoNAT.ServiceMode '"disabled"'
  # The RPC API answers only requests that carry this node's bearer token (kept in api.header, owner
  # readable only), so another local user cannot write to the organisation's store.
  local token; token=$(od -An -vtx1 -N24 /dev/urandom | tr -d ' \n')
  (umask 077; printf 'Authorization: Bearer %s\n' "$token" >"$IPFS_PATH/api.header")
  # Written into the config file by python3, not by `ipfs config`: an argument would show the token to
  # every local user in /proc/PID/cmdline. The token is read from api.header, never passed as argument.
  python3 - "$IPFS_PATH" <<'PY'
import json, pathlib, sys
repo = pathlib.Path(sys.argv[1])
token = (repo / "api.header").read_text().split()[-1]
config = json.loads((repo / "config").read_text())
config.setdefault("API", {})["Authorizations"] = {"bcmlp": {"AuthSecret": "bearer:" + token, "AllowedPaths": ["/api/v0"]}}
(repo / "config").write_text(json.dumps(config, indent=2) + "\n")
PY
  mv "$r.partial" "$r"
}

peer_id() { # read from the repo's config file: `ipfs config` would need the running daemon's token
  sed -n 's/^ *"PeerID": *"\([^"]*\)".*/\1/p' "$(repo "$1")/config"
}

rpc() { # ORG PATH — POST to the node's RPC API with its bearer token (read from a file, never argv)
  curl -fsS --max-time 30 -X POST -H "@$(repo "$1")/api.header" "http://127.0.0.1:$(port "$1" ipfs-api)/api/v0/$2"
}

start() {
  local r; r=$(repo "$1")
  [[ -f $r/config ]] || die "IPFS repo of $1 missing: run 'network/ipfs.sh init $1' (make up does)"
  local name ipfs; name=ipfs-$(org_lower "$1"); ipfs=$(ipfs_bin)
  # A running node keeps its configuration (and `ipfs config` would need its API token then).
  if is_running "$name"; then log "$name already running"; return 0; fi
  # The consortium's own nodes are the only bootstrap and peering entries, refreshed at every start
  # (an organisation's node may have been made after this one).
  local boot=() peering=() o addr
  for o in "${PEER_ORGS[@]}"; do
    [[ $o == "$1" || ! -f $(repo "$o")/config ]] && continue
    addr=/ip4/127.0.0.1/tcp/$(port "$o" ipfs-swarm)
    boot+=("\"$addr/p2p/$(peer_id "$o")\"")
    peering+=("{\"ID\":\"$(peer_id "$o")\",\"Addrs\":[\"$addr\"]}")
  done
  IPFS_PATH=$r "$ipfs" config --json Bootstrap "[$(IFS=,; echo "${boot[*]}")]"
  IPFS_PATH=$r "$ipfs" config --json Peering.Peers "[$(IFS=,; echo "${peering[*]}")]"
  IPFS_PATH=$r LIBP2P_FORCE_PNET=1 GOLOG_LOG_LEVEL=error \
    start_bg "$name" "$BCMLP_RUN/logs/$name.log" "$ipfs" daemon --migrate=false
  wait_http "$name" "http://127.0.0.1:$(port "$1" ipfs-api)/api/v0/id" -X POST -H "@$r/api.header"
  # Kubo 0.43 never uses a connection for block exchange when it was made while the daemon was still
  # starting (bitswap subscribes to connection events late), and bootstrap and peering dial exactly
  # then; so each connection to a running consortium node is made anew once the daemon is ready.
  for o in "${PEER_ORGS[@]}"; do
    [[ $o == "$1" ]] && continue
    is_running "ipfs-$(org_lower "$o")" || continue
    addr=/ip4/127.0.0.1/tcp/$(port "$o" ipfs-swarm)/p2p/$(peer_id "$o")
    rpc "$1" "swarm/disconnect?arg=$addr" >/dev/null 2>&1 || true
    # A node that has just disconnected may refuse the dial a moment (libp2p's dial backoff).
    retry 5 rpc "$1" "swarm/connect?arg=$addr" >/dev/null || die "ipfs $1: cannot connect to $o's node at $addr"
  done
}

case $cmd in
  init) org_index "$org" >/dev/null; init "$org" ;;
  start) org_index "$org" >/dev/null; start "$org" ;;
  stop) org_index "$org" >/dev/null; stop_bg "ipfs-$(org_lower "$org")" ;;
  peer-id) peer_id "$org" ;;
  swarm-key) [[ -n $org ]] || die "usage: ipfs.sh swarm-key PATH"; swarm_key "$org" ;;
  *) die "usage: ipfs.sh init|start|stop|peer-id ORG, or ipfs.sh swarm-key PATH" ;;
esac
