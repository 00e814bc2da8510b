# lib.sh — the consortium's layout and the helpers every node script shares. Sourced, never run.
# Everything generated lives under $BCMLP_RUN (default: <repo>/run), which `make clean` removes.
# shellcheck shell=bash

# Keys, secrets and ledgers are made under the run directory by these scripts and by the daemons they
# start (which inherit this): private from the moment they exist, not after a later chmod.
umask 077

BCMLP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BCMLP_RUN=${BCMLP_RUN:-$BCMLP_ROOT/run}
# The marker that tells `make clean` (network/clean.sh) a folder is a run directory these scripts made,
# so a mistyped BCMLP_RUN is never removed.
RUN_MARKER=.bcmlp-run
# Every port is derived from one base so a second network (the tests') can run beside the demo's.
BCMLP_PORT_BASE=${BCMLP_PORT_BASE:-17000}
# A network's ports span base .. base+999. Inside the kernel's ephemeral range, any outgoing connection
# may hold one of them when a daemon starts (a peer once died on "bind: address already in use"), so
# such a base is refused.
port_base_check() {
  local low=32768 high=60999 range
  [[ $BCMLP_PORT_BASE =~ ^[0-9]+$ ]] || { echo "error: BCMLP_PORT_BASE '$BCMLP_PORT_BASE' is not a number" >&2; exit 1; }
  if range=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null); then read -r low high <<<"$range"; fi
  if ((BCMLP_PORT_BASE + 999 >= low && BCMLP_PORT_BASE <= high)); then
    echo "error: BCMLP_PORT_BASE $BCMLP_PORT_BASE overlaps the kernel's ephemeral ports ($low-$high), which outgoing connections take at random: choose a base below $((low - 1000))" >&2
    exit 1
  fi
}
port_base_check
# shellcheck source=network/versions.env
source "$BCMLP_ROOT/network/versions.env"

# The paper's stakeholders, one peer organisation each; index 0 is the ordering service.
PEER_ORGS=(Manufacturer ModelTrainer ConditionMonitor QualityControl)
ORDERER_ORG=OrdererOrg
# shellcheck disable=SC2034  # used by the scripts that source this file
ORDERERS=(orderer1 orderer2 orderer3)
# Organisations that joined the running consortium later (`make org-add`), in order; the port plan gives
# each the next block of 100 ports.
ADDED_ORGS_FILE=$BCMLP_RUN/added-organisations
if [[ -f $ADDED_ORGS_FILE ]]; then mapfile -t -O ${#PEER_ORGS[@]} PEER_ORGS <"$ADDED_ORGS_FILE"; fi

org_index() { # ORG -> 0 for the orderer org, 1..n for peer orgs
  local i
  [[ $1 == "$ORDERER_ORG" ]] && { echo 0; return; }
  for i in "${!PEER_ORGS[@]}"; do [[ ${PEER_ORGS[$i]} == "$1" ]] && { echo $((i + 1)); return; }; done
  echo "unknown organisation '$1' (known: $ORDERER_ORG ${PEER_ORGS[*]})" >&2; return 1
}
org_lower() { echo "$1" | tr '[:upper:]' '[:lower:]'; }
msp_id() { echo "${1}MSP"; }

# port ORG ROLE: one fixed offset per role inside the organisation's block of 100 ports.
port() {
  local i off; i=$(org_index "$1") || return 1
  case $2 in
    ca) off=54 ;; ca-ops) off=55 ;;
    ipfs-swarm) off=40 ;; ipfs-api) off=41 ;;
    peer) off=51 ;; peer-cc) off=52 ;; peer-ops) off=53 ;; chaincode) off=60 ;; chaincode-provenance) off=61 ;;
    api) off=70 ;;
    *) echo "unknown port role '$2'" >&2; return 1 ;;
  esac
  echo $((BCMLP_PORT_BASE + i * 100 + off))
}
orderer_port() { # ORDERER ROLE (listen|admin|ops)
  local k=${1#orderer} off
  case $2 in listen) off=0 ;; admin) off=1 ;; ops) off=2 ;; *) echo "unknown orderer port role '$2'" >&2; return 1 ;; esac
  echo $((BCMLP_PORT_BASE + k * 10 + off))
}

bin_dir() { # COMPONENT -> its cached bin folder (fails with a hint if not built)
  local d
  case $1 in
    fabric) d=${FABRIC_BIN_DIR:-$BCMLP_CACHE/fabric-$FABRIC_VERSION/bin} ;; # beside it: config/, builders/ccaas/
    fabric-ca) d=$BCMLP_CACHE/fabric-ca-$FABRIC_CA_VERSION/bin ;;
    kubo) d=$BCMLP_CACHE/kubo-$KUBO_VERSION/bin ;;
  esac
  [[ -d $d ]] || { echo "$1 binaries missing in $d: run 'make install'" >&2; return 1; }
  echo "$d"
}

# claim_run_dir — makes $BCMLP_RUN (private) and marks it as ours when it is missing or empty; a folder
# that already holds something else is used but not marked, so `make clean` will not remove it.
claim_run_dir() {
  [[ -e $BCMLP_RUN/$RUN_MARKER ]] && return 0
  mkdir -p "$BCMLP_RUN"
  [[ -z $(ls -A "$BCMLP_RUN") ]] && : >"$BCMLP_RUN/$RUN_MARKER"
  return 0
}
# Scripts that only look (down, status, clean) set BCMLP_LIB_LOOK_ONLY=1 so a mistyped BCMLP_RUN is not
# created and marked as a side effect.
[[ -n ${BCMLP_LIB_LOOK_ONLY:-} ]] || claim_run_dir

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A pid file holds "PID STARTTIME": a pid alone may name an unrelated process once ours has exited and
# the kernel has recycled the number, and signalling or trusting that process would be wrong. The start
# time (field 22 of /proc/PID/stat, in clock ticks since boot) never repeats for one pid.
proc_start() { # PID — its start time; fails when no such process runs (a zombie has exited already)
  local stat f
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  read -ra f <<<"${stat##*) }" # the command name (field 2) may hold spaces and parentheses
  [[ ${f[0]} != Z ]] && echo "${f[19]}"
}

live_pid() { # NAME — the pid of NAME's process when the one recorded in its pid file still runs
  local pidf=$BCMLP_RUN/pids/$1.pid pid start now
  [[ -f $pidf ]] || return 1
  read -r pid start <"$pidf" || true
  [[ $pid =~ ^[0-9]+$ && -n $start ]] || return 1
  now=$(proc_start "$pid") && [[ $now == "$start" ]] || return 1
  echo "$pid"
}

# start_bg NAME LOGFILE CMD... — runs CMD in the background in its own session, pid in $BCMLP_RUN/pids.
start_bg() {
  local name=$1 logf=$2 pid; shift 2
  local pidf=$BCMLP_RUN/pids/$name.pid
  mkdir -p "$BCMLP_RUN/pids" "$(dirname "$logf")"
  if pid=$(live_pid "$name"); then log "$name already running (pid $pid)"; return 0; fi
  ulimit -n 65536 2>/dev/null || true
  setsid "$@" >>"$logf" 2>&1 < /dev/null &
  pid=$!
  # A process that is already gone gets "-", which no process's start time matches.
  echo "$pid $(proc_start "$pid" || echo -)" >"$pidf"
}

# stop_bg NAME — TERM, then KILL after 10 s; removes the pid file. A process that is not the one the
# pid file recorded (other start time) is left alone.
stop_bg() {
  local pidf=$BCMLP_RUN/pids/$1.pid pid start _
  [[ -f $pidf ]] || return 0
  if pid=$(live_pid "$1"); then
    start=$(proc_start "$pid") || start=-
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do [[ $(proc_start "$pid" || true) == "$start" ]] || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}

is_running() { live_pid "$1" >/dev/null; }

# wait_http NAME URL [CURL-ARGS...] — polls until URL answers 200 or the process dies; 60 s at most.
wait_http() {
  local name=$1 url=$2 _; shift 2
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; then return 0; fi
    is_running "$name" || die "$name exited during start-up; see its log under $BCMLP_RUN/logs"
    sleep 0.2
  done
  die "$name did not become ready at $url within 60 s; see its log under $BCMLP_RUN/logs"
}

# retry N CMD... — for steps that fail transiently (Raft electing a leader, gossip not settled yet).
retry() {
  local n=$1 i out; shift
  for ((i = 1; ; i++)); do
    if out=$("$@" 2>&1); then printf '%s\n' "$out"; return 0; fi
    ((i < n)) || { printf '%s\n' "$out" >&2; return 1; }
    sleep 2
  done
}
