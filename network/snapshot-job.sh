#!/usr/bin/env bash
# snapshot-job.sh ORG [start|stop] — the trust snapshot job of ORG in the background: a round
# (gateway/cli/snapshot.py) for every project channel of ORG, then again when the next period is due,
# a day with the default parameters. Its log is logs/snapshot-<org>.log; `make down` stops it with
# everything else, and `make status` lists it.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
org=${1:-}
action=${2:-start}
[[ -n $org ]] || die "usage: snapshot-job.sh ORG [start|stop] (ORG one of: ${PEER_ORGS[*]})"
known=0
for o in "${PEER_ORGS[@]}"; do [[ $o == "$org" ]] && known=1; done
((known)) || die "snapshot-job: unknown organisation '$org' (one of: ${PEER_ORGS[*]})"
name=snapshot-$(org_lower "$org")
case $action in
  start)
    start_bg "$name" "$BCMLP_RUN/logs/$name.log" \
      env BCMLP_RUN="$BCMLP_RUN" "$BCMLP_ROOT/.venv/bin/python" -m gateway.cli.snapshot --watch --organisation "$org"
    log "$name started; its rounds are logged in $BCMLP_RUN/logs/$name.log" ;;
  stop) stop_bg "$name"; log "$name stopped" ;;
  *) die "snapshot-job: action '$action' is neither start nor stop" ;;
esac
