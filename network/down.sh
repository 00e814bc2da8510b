#!/usr/bin/env bash
# down.sh — stops every process the run directory has a pid file for; data stays until `make clean`.
set -euo pipefail
BCMLP_LIB_LOOK_ONLY=1
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
[[ -d $BCMLP_RUN/pids ]] || { log "nothing running under $BCMLP_RUN"; exit 0; }
# All at once: each daemon takes a second or two to shut down cleanly.
for f in "$BCMLP_RUN"/pids/*.pid; do
  [[ -e $f ]] || continue
  name=$(basename "$f" .pid)
  { stop_bg "$name"; log "stopped $name"; } &
done
wait
