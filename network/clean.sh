#!/usr/bin/env bash
# clean.sh — `make clean`: stops the network, then removes the run directory with everything generated
# in it (ledgers, IPFS repos, keys). It removes only a folder these scripts made: one holding the marker
# that lib.sh writes when it creates a run directory, or an empty one; never /, $HOME or the repository,
# so a mistyped BCMLP_RUN costs an error message, not a home directory.
set -euo pipefail
BCMLP_LIB_LOOK_ONLY=1
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"

[[ -e $BCMLP_RUN || -L $BCMLP_RUN ]] || { log "nothing to clean: $BCMLP_RUN does not exist"; exit 0; }
# Checked and removed by its real path, so a symbolic link or a "/.." cannot route the removal elsewhere.
dir=$(realpath -e -- "$BCMLP_RUN") || die "BCMLP_RUN=$BCMLP_RUN cannot be resolved; remove it yourself if it is a run directory"
[[ -d $dir ]] || die "BCMLP_RUN=$BCMLP_RUN is not a directory; refusing to remove it"
same() { [[ -n $2 && $1 == "$(realpath -m -- "$2")" ]]; }
same "$dir" / && die "BCMLP_RUN=$BCMLP_RUN is the root directory; refusing to remove it: point BCMLP_RUN at the run directory"
same "$dir" "${HOME:-}" && die "BCMLP_RUN=$BCMLP_RUN is your home directory; refusing to remove it: point BCMLP_RUN at the run directory"
same "$dir" "$BCMLP_ROOT" && die "BCMLP_RUN=$BCMLP_RUN is the repository; refusing to remove it: point BCMLP_RUN at the run directory (default $BCMLP_ROOT/run)"
if [[ ! -e $dir/$RUN_MARKER && -n $(ls -A "$dir") ]]; then
  die "BCMLP_RUN=$BCMLP_RUN has no $RUN_MARKER marker, so bcmlp's scripts did not create it; refusing to remove it. Point BCMLP_RUN at the run directory; if this really is one (made before the marker existed), stop it with 'make down' and remove it yourself: rm -rf '$dir'"
fi

BCMLP_RUN=$BCMLP_RUN "$BCMLP_ROOT/network/down.sh"
rm -rf -- "$dir"
log "removed $dir"
