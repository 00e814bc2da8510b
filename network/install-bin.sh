#!/usr/bin/env bash
# install-bin.sh COMPONENT... — builds pinned Fabric (from its source archive), Fabric CA and Kubo
# (with `go install` from tools modules) into a cache keyed by version ($BCMLP_CACHE, default ~/.cache/bcmlp). A component whose cache folder
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

# Fabric is built from its release source archive: the module proxy refuses every 3.x version, and
# the archive carries all of Fabric's dependencies in vendor/, so the build needs no network (README
# "Decisions"). The archive is taken, in order, from FABRIC_SOURCE_ARCHIVE, from the shared/upstream
# folder beside the checkout, or from Fabric's code host; any copy whose sha256 differs from the pinned
# one is refused before anything is unpacked.
fabric_archive() {
  local a=${FABRIC_SOURCE_ARCHIVE:-} beside=$here/../../shared/upstream/fabric-$FABRIC_VERSION.tar.gz
  if [[ -z $a && -f $beside ]]; then a=$(cd "$(dirname "$beside")" && pwd)/$(basename "$beside"); fi
  if [[ -z $a ]]; then
    a=$(mktemp -d)/fabric-$FABRIC_VERSION.tar.gz
    echo "install-bin: fabric: no local source archive; downloading $FABRIC_SOURCE_URL" >&2
    curl -fsSL --retry 2 -o "$a" "$FABRIC_SOURCE_URL" ||
      { echo "install-bin: fabric: download failed; set FABRIC_SOURCE_ARCHIVE=<path to fabric-$FABRIC_VERSION.tar.gz>" >&2; return 1; }
  fi
  [[ -f $a ]] || { echo "install-bin: fabric: FABRIC_SOURCE_ARCHIVE=$a is not a file" >&2; return 1; }
  local sum; sum=$(sha256sum "$a" | cut -d' ' -f1)
  if [[ $sum != "$FABRIC_SOURCE_SHA256" ]]; then
    echo "install-bin: fabric: refusing $a: its sha256 is $sum, the pinned sha256 (network/versions.env) is $FABRIC_SOURCE_SHA256" >&2
    return 1
  fi
  echo "$a"
}

# check_peer_version PEER — the binary must report the pinned release.
check_peer_version() {
  local out; out=$("$1" version 2>&1) || { echo "install-bin: fabric: '$1 version' failed: $out" >&2; return 1; }
  grep -Eq "^ Version: $FABRIC_VERSION\$" <<<"$out" ||
    { echo "install-bin: fabric: $1 reports another version than $FABRIC_VERSION:" >&2; echo "$out" >&2; return 1; }
}

install_fabric() {
  local dir=$BCMLP_CACHE/fabric-$FABRIC_VERSION
  if [[ -n ${FABRIC_BIN_DIR:-} ]]; then
    # Official release binaries: bin/ holds the tools, ../builders/ccaas/bin the ccaas builder and
    # ../config the sample configuration, as in the release archive.
    local b
    for b in peer orderer configtxgen osnadmin ledgerutil configtxlator; do
      [[ -x $FABRIC_BIN_DIR/$b ]] || { echo "install-bin: fabric: FABRIC_BIN_DIR=$FABRIC_BIN_DIR has no executable '$b'" >&2; return 1; }
    done
    [[ -x $FABRIC_BIN_DIR/../builders/ccaas/bin/release && -f $FABRIC_BIN_DIR/../config/core.yaml ]] ||
      { echo "install-bin: fabric: FABRIC_BIN_DIR=$FABRIC_BIN_DIR lacks ../builders/ccaas/bin or ../config (the release archive's layout)" >&2; return 1; }
    check_peer_version "$FABRIC_BIN_DIR/peer"
    echo "install-bin: fabric: using the release binaries in $FABRIC_BIN_DIR"
    return 0
  fi
  if [[ -f $dir/.complete ]]; then echo "install-bin: fabric $FABRIC_VERSION: cached in $dir"; return 0; fi
  local archive t0=$SECONDS src
  archive=$(fabric_archive) || return 1
  echo "install-bin: fabric $FABRIC_VERSION: building from $archive into $dir (first time only; about 3 minutes)"
  rm -rf "$dir.partial"; mkdir -p "$dir.partial/bin" "$dir.partial/builders/ccaas/bin" "$dir.partial/src"
  src=$dir.partial/src/fabric-$FABRIC_VERSION
  local P=github.com/hyperledger/fabric/common/metadata
  if ! { tar -xzf "$archive" -C "$dir.partial/src" &&
         (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=vendor go build -trimpath -buildvcs=false \
            -ldflags "-X $P.Version=$FABRIC_VERSION -X $P.CommitSHA=${FABRIC_COMMIT:0:7}" -o "$dir.partial/bin/" \
            ./cmd/peer ./cmd/orderer ./cmd/configtxgen ./cmd/osnadmin ./cmd/ledgerutil ./cmd/configtxlator) &&
         (cd "$src/ccaas_builder" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false \
            -o "$dir.partial/builders/ccaas/bin/" ./cmd/...) &&
         mkdir -p "$dir.partial/config" && cp "$src"/sampleconfig/{core.yaml,orderer.yaml,configtx.yaml} "$dir.partial/config/" &&
         check_peer_version "$dir.partial/bin/peer"; }; then
    rm -rf "$dir.partial"; echo "install-bin: fabric: build failed; the cache is unchanged" >&2; return 1
  fi
  rm -rf "$dir.partial/src"
  touch "$dir.partial/.complete"
  rm -rf "$dir"; mv "$dir.partial" "$dir"
  echo "install-bin: fabric $FABRIC_VERSION: built in $((SECONDS - t0)) s"
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
