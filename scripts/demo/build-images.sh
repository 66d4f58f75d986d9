#!/usr/bin/env bash
# Builds the golden path's two small REAL images without Docker (umoci + skopeo) and, with
# --push HOST, pushes them to the registry at HOST (plain HTTP, e.g. 127.0.0.1:5000) by tag.
#
#   stella-demo/os-base:1.0.0  Debian bookworm packages fetched with `apt-get download` and
#                              unpacked with dpkg-deb into a rootfs with a real /var/lib/dpkg/status,
#                              /var/lib/dpkg/info/<pkg>.list and /etc/os-release (from base-files)
#   stella-demo/web-app:1.0.0  os-base + /app: a real `npm ci` from the npm registry of
#                              scripts/demo/images/web-app (form-data 4.0.0, json5 2.2.1, semver 7.5.1,
#                              versions with published advisories in ../shared/data/advisories/osv)
#
# The OCI layout is cached in scripts/demo/.cache/ (git-ignored): a re-run only pushes. The build is
# deterministic for a given apt candidate set and lockfile: every mtime is SOURCE_DATE_EPOCH, the
# config and history dates are fixed, so the same inputs give the same digests.
#
# Prints one JSON object on stdout: {"images": [{"name", "repository", "tag", "digest", "reference"?}]}.
# Progress goes to stderr. Needs root only to install missing Debian tools (umoci, skopeo).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/scripts/demo
CACHE=${STELLA_DEMO_CACHE:-$HERE/.cache}
LAYOUT=$CACHE/layout
WORK=$CACHE/work
EPOCH=${SOURCE_DATE_EPOCH:-1735689600} # 2025-01-01T00:00:00Z
CREATED=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
TAG=1.0.0
DEBS=(base-files zlib1g libexpat1 libssl3 openssl debianutils)
PUSH=""
REBUILD=0

while [ $# -gt 0 ]; do
  case $1 in
    --push) PUSH=$2; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

log() { printf '  %s\n' "$*" >&2; }

missing=()
for tool in umoci skopeo dpkg-deb jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]/dpkg-deb/dpkg}" >&2
fi

[ "$REBUILD" = 1 ] && rm -rf "$CACHE"
mkdir -p "$CACHE" "$WORK"
printf '*\n' >"$CACHE/.gitignore"
[ -d "$LAYOUT" ] || umoci init --layout "$LAYOUT"

has_tag() { umoci ls --layout "$LAYOUT" 2>/dev/null | grep -qx "$1"; }

# Every file of the tree gets the same mtime, so layer tarballs depend on content only.
normalise_tree() { find "$1" -exec touch -h -d "@$EPOCH" {} +; }

# layer <tag> <parent tag or ""> <rootfs dir> <created_by>: a new image <tag> whose top layer
# makes <parent>'s filesystem equal to <rootfs dir>.
layer() {
  local tag=$1 parent=$2 src=$3 created_by=$4 bundle=$WORK/bundle-$1
  rm -rf "$bundle"
  if [ -z "$parent" ]; then
    umoci new --image "$LAYOUT:$tag"
    umoci config --image "$LAYOUT:$tag" --no-history --created "$CREATED" --author stella-demo \
      --os linux --architecture amd64 --config.workingdir / --config.cmd /bin/sh
  else
    umoci tag --image "$LAYOUT:$parent" "$tag"
  fi
  umoci unpack --rootless --image "$LAYOUT:$tag" "$bundle" >/dev/null
  cp -a "$src/." "$bundle/rootfs/"
  normalise_tree "$bundle/rootfs"
  umoci repack --image "$LAYOUT:$tag" --history.created "$CREATED" --history.author stella-demo \
    --history.created_by "$created_by" "$bundle"
  rm -rf "$bundle"
}

# ---- image A: Debian packages -------------------------------------------------------------
if ! has_tag os-base; then
  log "os-base: apt-get download ${DEBS[*]}"
  debs=$WORK/debs
  rootfs=$WORK/os-rootfs
  rm -rf "$debs" "$rootfs"
  mkdir -p "$debs" "$rootfs/var/lib/dpkg/info"
  # A fresh machine may have no package lists yet: update them once and try again.
  (cd "$debs" && apt-get download -qq "${DEBS[@]}" >&2) ||
    { apt-get update -qq >&2 && (cd "$debs" && apt-get download -qq "${DEBS[@]}" >&2); }
  status=$rootfs/var/lib/dpkg/status
  : >"$status"
  for pkg in "${DEBS[@]}"; do
    deb=$(ls "$debs/${pkg}"_*.deb)
    dpkg-deb -x "$deb" "$rootfs"
    # The control stanza as dpkg would record it once installed: Status after Package.
    dpkg-deb -f "$deb" | awk '{ print } NR == 1 { print "Status: install ok installed" }' >>"$status"
    printf '\n' >>"$status"
    arch=$(dpkg-deb -f "$deb" Architecture)
    list=$rootfs/var/lib/dpkg/info/$pkg.list
    [ "$arch" = all ] || list=$rootfs/var/lib/dpkg/info/$pkg:$arch.list
    dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's#^\./#/#' -e 's#/$##' -e 's#^$#/.#' | LC_ALL=C sort >"$list"
    log "  $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
  done
  [ -f "$rootfs/etc/os-release" ] || [ -L "$rootfs/etc/os-release" ] || { echo "base-files gave no /etc/os-release" >&2; exit 1; }
  layer os-base "" "$rootfs" "apt-get download ${DEBS[*]} && dpkg-deb -x"
  rm -rf "$rootfs"
fi

# ---- image B: a real npm install ------------------------------------------------------------
if ! has_tag web-app; then
  log "web-app: npm ci of scripts/demo/images/web-app"
  # Outside the monorepo: inside it npm would take the repository's workspaces for this project's.
  approot=$(mktemp -d /tmp/stella-demo-app.XXXXXX)
  chmod 755 "$approot"
  mkdir -p "$approot/app"
  cp "$HERE/images/web-app/package.json" "$HERE/images/web-app/package-lock.json" "$HERE/images/web-app/server.js" "$approot/app/"
  (cd "$approot/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier --cache "$CACHE/npm-cache" >&2)
  rm -f "$approot/app/node_modules/.package-lock.json"
  layer web-app os-base "$approot" "npm ci --omit=dev (scripts/demo/images/web-app)"
  umoci config --image "$LAYOUT:web-app" --no-history --created "$CREATED" --config.workingdir /app --config.cmd node --config.cmd server.js
  rm -rf "$approot"
fi

# ---- manifest digests, and the push -------------------------------------------------------
digest_of() { jq -r --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$LAYOUT/index.json"; }

out='[]'
for entry in os-base web-app; do
  digest=$(digest_of "$entry")
  repository=stella-demo/$entry
  ref=""
  if [ -n "$PUSH" ]; then
    ref=$PUSH/$repository:$TAG
    log "push $ref"
    skopeo copy --quiet --dest-tls-verify=false --preserve-digests "oci:$LAYOUT:$entry" "docker://$ref" >&2
  fi
  out=$(jq -c --arg n "$entry" --arg r "$repository" --arg t "$TAG" --arg d "$digest" --arg ref "$ref" \
    '. + [{name: $n, repository: $r, tag: $t, digest: $d} + (if $ref == "" then {} else {reference: $ref} end)]' <<<"$out")
done
jq -n --argjson images "$out" --arg layout "$LAYOUT" '{layout: $layout, images: $images}'
