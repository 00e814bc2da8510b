#!/usr/bin/env bash
# install-bin.sh COMPONENT... — builds pinned Fabric, Fabric CA and Kubo binaries with `go install`
# into a cache keyed by version ($BCMLP_CACHE, default ~/.cache/bcmlp). A component whose cache folder
# holds the .complete marker is reused as it is; a failed build leaves no marker and nothing half-built.
# Components: fabric, fabric-ca, kubo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=network/versions.env
source "$here/versions.env"

command -v go >/dev/null || { echo "install-bin: Go is missing: install Go >= 1.26.5 (Kubo 0.43 needs it)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "install-bin: gcc is missing: Fabric CA needs cgo for sqlite (apt-get install gcc)" >&2; exit 1; }

# build NAME DIR MODULE_DIR [VAR=value...] -- go-install-args...
# Runs `go install` inside MODULE_DIR (a tools module whose go.mod/go.sum pin every dependency), so
# the build is reproducible and needs no version listing from the module proxy.
build() {
  local name=$1 dir=$2 mod=$3; shift 3
  if [[ -f $dir/.complete ]]; then echo "install-bin: $name: cached in $dir"; return 0; fi
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done; shift
  echo "install-bin: $name: building into $dir (first time only; several minutes)"
  local t0=$SECONDS
  rm -rf "$dir.partial"; mkdir -p "$dir.partial/bin"
  if ! (cd "$mod" && env "${envs[@]}" GOBIN="$dir.partial/bin" GOFLAGS=-mod=readonly go install "$@"); then
    rm -rf "$dir.partial"; return 1
  fi
  touch "$dir.partial/.complete"
  rm -rf "$dir"; mv "$dir.partial" "$dir"
  echo "install-bin: $name: built in $((SECONDS - t0)) s"
}

install_fabric() {
  local F=github.com/hyperledger/fabric v mod
  # Fabric's module path has no /v3 suffix, so a release is reachable only by its pseudo-version;
  # the tools module is written per try because its go.sum can only be made once the proxy serves it.
  for v in "${FABRIC_MODULE_VERSIONS[@]}"; do
    mod=$(mktemp -d)
    printf 'module bcmlp.local/tools/fabric\n\ngo 1.24\n' >"$mod/go.mod"
    if (cd "$mod" && GOFLAGS=-mod=mod go get "$F@$v" "$F/ccaas_builder@$v") &&
       build "fabric $FABRIC_VERSION" "$BCMLP_CACHE/fabric-$FABRIC_VERSION" "$mod" CGO_ENABLED=0 -- \
         -ldflags "-X $F/common/metadata.Version=$FABRIC_VERSION" \
         $F/cmd/peer $F/cmd/orderer $F/cmd/configtxgen $F/cmd/osnadmin $F/cmd/ledgerutil \
         $F/ccaas_builder/cmd/detect $F/ccaas_builder/cmd/build $F/ccaas_builder/cmd/release; then
      rm -rf "$mod"; return 0
    fi
    rm -rf "$mod"
    echo "install-bin: fabric: module version $v could not be fetched or built; trying the next pinned alternative" >&2
  done
  cat >&2 <<MSG
install-bin: fabric $FABRIC_VERSION: the Go module proxy served none of the pinned module versions
  (${FABRIC_MODULE_VERSIONS[*]}).
  Peers and orderers cannot be built without one; README "Status" records what was tried.
MSG
  return 1
}

# pinned MODULE_DIR MODULE VERSION — the cache is keyed by versions.env, so it must agree with go.mod.
pinned() {
  grep -Eq "^[[:space:]]*(require )?$2 v$3( |\$)" "$1/go.mod" ||
    { echo "install-bin: $1/go.mod does not pin $2 v$3 as versions.env says; make them agree" >&2; exit 1; }
}

for c in "$@"; do
  case $c in
    fabric) install_fabric ;;
    fabric-ca)
      pinned "$here/tools/fabric-ca" github.com/hyperledger/fabric-ca "$FABRIC_CA_VERSION"
      build "fabric-ca $FABRIC_CA_VERSION" "$BCMLP_CACHE/fabric-ca-$FABRIC_CA_VERSION" "$here/tools/fabric-ca" CGO_ENABLED=1 -- tool ;;
    kubo)
      pinned "$here/tools/kubo" github.com/ipfs/kubo "$KUBO_VERSION"
      build "kubo $KUBO_VERSION" "$BCMLP_CACHE/kubo-$KUBO_VERSION" "$here/tools/kubo" CGO_ENABLED=0 -- tool ;;
    *) echo "install-bin: unknown component '$c' (choose from: fabric fabric-ca kubo)" >&2; exit 2 ;;
  esac
done
