#!/usr/bin/env bash
# ledger.sh up | project NAME ORG... — orderers (Raft) and peers of the consortium, channel mainchain, chaincode as a service.
# It needs the Fabric 3.1.5 binaries, which the Go module proxy does not serve today (README "Status"):
# until it does, this step stops with that reason instead of starting anything in their place.
set -euo pipefail
# shellcheck source=network/lib.sh
source "$(dirname "$0")/lib.sh"
case ${1:-} in
  up|project)
    bin_dir fabric >/dev/null 2>&1 || die "ledger: Fabric $FABRIC_VERSION peer/orderer binaries are not installed and 'network/install-bin.sh fabric' cannot build them: the Go module proxy refuses every pinned Fabric version (README \"Status\"). Nothing was changed on the ledger."
    die "ledger: $1 is not written yet: it needs the Fabric binaries to be developed against (README \"Status\")" ;;
  *) die "usage: ledger.sh up | project NAME ORG..." ;;
esac
