#!/usr/bin/env bash
# Builds vcsim (govmomi's vSphere API simulator; see main.go and collector.go) from Debian's packages into
# .tools/vcsim/vcsim and prints the binary's path. Idempotent: installs the packages only if missing, rebuilds
# only when its Go sources, this script, Go or govmomi changed (hash stamp); prints nothing else when cached.
# Cold (fresh machine): apt ~13 s + build ~37 s on the project's 2-core machines.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/.tools/vcsim"
bin="$out/vcsim"
gopath=/usr/share/gocode
packages=(golang-go golang-github-vmware-govmomi-dev)

say() { echo "vcsim build: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  say "installing ${missing[*]} (apt-get)"
  t=$(now)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  say "packages installed in $(since "$t")"
fi

# The stamp covers everything the binary depends on, so a package upgrade rebuilds too.
stamp="$( { cat "$here"/*.go "$here/build.sh"; go version; dpkg-query -W golang-github-vmware-govmomi-dev; } | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$out/stamp" && "$(cat "$out/stamp")" == "$stamp" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$out"
# Go needs a build cache; a CI shell without HOME has no default one.
if [[ -z "${GOCACHE:-}" && -z "${HOME:-}" && -z "${XDG_CACHE_HOME:-}" ]]; then export GOCACHE="$out/go-cache"; fi
say "building $bin (GOPATH mode against $gopath)"
t=$(now)
# govmomi 0.24's collector answers a waiting WaitForUpdatesEx on a fixed 250 ms ticker; vCenter answers when
# a change happens. A build overlay (no change to Debian's files) turns the constant into a variable that
# main.go sets from -update-interval, so a benchmark can take the simulator's own delay out of its figures.
sim="$gopath/src/github.com/vmware/govmomi/simulator"
overlay="$out/overlay"
mkdir -p "$overlay"
sed 's/time\.NewTicker(250 \* time\.Millisecond)/time.NewTicker(WaitUpdateInterval)/' "$sim/property_collector.go" >"$overlay/property_collector.go"
grep -q 'time.NewTicker(WaitUpdateInterval)' "$overlay/property_collector.go" || { say "govmomi's property_collector.go changed: update the overlay"; exit 1; }
cat >"$overlay/eio_update_interval.go" <<'GO'
package simulator

import "time"

// WaitUpdateInterval is how often a waiting WaitForUpdatesEx looks for changes (govmomi: 250 ms).
var WaitUpdateInterval = 250 * time.Millisecond
GO
printf '{"Replace":{"%s":"%s","%s":"%s"}}\n' "$sim/property_collector.go" "$overlay/property_collector.go" \
  "$sim/eio_update_interval.go" "$overlay/eio_update_interval.go" >"$overlay/overlay.json"
# Debian ships govmomi as GOPATH source, not as a module: build with modules off.
(cd "$here" && GOPATH="$gopath" GO111MODULE=off GOFLAGS= CGO_ENABLED=0 go build -trimpath -overlay "$overlay/overlay.json" -o "$bin.tmp" .)
mv "$bin.tmp" "$bin"
echo "$stamp" >"$out/stamp"
say "built in $(since "$t")"
echo "$bin"
