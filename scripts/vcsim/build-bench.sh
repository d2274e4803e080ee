#!/usr/bin/env bash
# Builds bench-govmomi.go (the govmomi side of bench/vcenter-sync.ts) into .tools/vcsim/bench-govmomi, the same
# way build.sh builds vcsim: GOPATH mode against Debian's golang-github-vmware-govmomi-dev. Needs the packages
# build.sh installs (run it first). Prints the binary's path; rebuilds only when the source, this script, Go
# or govmomi changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/.tools/vcsim"
bin="$out/bench-govmomi"
stamp="$( { cat "$here/bench-govmomi.go" "$here/build-bench.sh"; go version; dpkg-query -W golang-github-vmware-govmomi-dev; } | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$out/bench-stamp" && "$(cat "$out/bench-stamp")" == "$stamp" ]]; then echo "$bin"; exit 0; fi
mkdir -p "$out"
if [[ -z "${GOCACHE:-}" && -z "${HOME:-}" && -z "${XDG_CACHE_HOME:-}" ]]; then export GOCACHE="$out/go-cache"; fi
echo "bench-govmomi build: building $bin" >&2
(cd "$here" && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" bench-govmomi.go)
mv "$bin.tmp" "$bin"
echo "$stamp" >"$out/bench-stamp"
echo "$bin"
