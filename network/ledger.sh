#!/usr/bin/env bash
# ledger.sh up | project NAME ORG... — orderers (Raft) and peers of the consortium, channel mainchain, chaincode as a service.
# It needs the Fabric 3.1.5 binaries, which the Go module proxy does not serve today (README "Status"):
# until it does, this step stops with that reason instead of starting anything in their place.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
case ${1:-} in
  up|project)
    # Builds Fabric on first use (a cached build is reused at once).
    "$BCMLP_ROOT/network/install-bin.sh" fabric >>"$BCMLP_RUN/logs/install-fabric.log" 2>&1 ||
      die "ledger: Fabric $FABRIC_VERSION's peer and orderer cannot be built: the Go module proxy refuses every pinned Fabric version (its answers are in $BCMLP_RUN/logs/install-fabric.log; README \"Status\"). Nothing was changed on the ledger."
    die "ledger: $1 is not written yet: it needs the Fabric binaries to be developed against (README \"Status\")" ;;
  *) die "usage: ledger.sh up | project NAME ORG..." ;;
esac
