#!/usr/bin/env bash
# Builds the mediasoup-worker binary without internet access: only the npm
# registry and Debian's package archive are needed.
#
# mediasoup's own install downloads a prebuilt worker from GitHub, or builds
# one from meson subprojects fetched from GitHub and wrapdb. Instead, this
# script builds the worker from the npm tarball against Debian's -dev packages,
# using stand-in subprojects from scripts/mediasoup-worker/ (see the notes in
# those files). The result is cached outside the repository, keyed on the
# mediasoup version and the versions of the libraries linked into it.
#
# Usage: scripts/build-mediasoup-worker.sh    (prints the binary's path last)
# Env:   MEDIASOUP_VERSION      mediasoup version (default: package.json, else 3.27.1)
#        MEDIASOUP_WORKER_BIN   existing executable worker: printed as-is, nothing built
#        VISIO_CACHE_DIR        cache root (default: ~/.cache/visio)
#        MEDIASOUP_BUILD_JOBS   parallel compile jobs (default: number of CPUs)
#        DEBIAN_MIRROR          Debian archive URL (default: from the apt sources)
#        KEEP_BUILD=1           keep the work directory after a successful build
set -euo pipefail

# Bump when anything about how the worker is built changes (stand-in
# subprojects, shim, patch, meson options): it invalidates cached binaries.
readonly PATCHSET_REV=1
readonly DEFAULT_MEDIASOUP_VERSION=3.27.1

# Pinned inputs from Debian's pool (trixie); they leave the pool when trixie
# moves on, so downloads are kept in the cache.
readonly MESON_POOL=pool/main/m/meson/meson_1.7.0-1_all.deb
readonly MESON_SHA256=e92d04e60e784336883d537755d09b7dcb856809fa318a0931df3898e84ded95
readonly LIBSRTP_VERSION=2.7.0
readonly LIBSRTP_POOL=pool/main/libs/libsrtp2/libsrtp2_${LIBSRTP_VERSION}.orig.tar.gz
readonly LIBSRTP_SHA256=54facb1727a557c2a76b91194dcb2d0a453aaf8e2d0cbbf1e3c2848c323e28ad
# Only for contrib/ankerl/unordered_dense.h (v4.4.0, MIT), which Debian does
# not package on its own.
readonly RSPAMD_POOL=pool/main/r/rspamd/rspamd_3.12.1.orig.tar.xz
readonly RSPAMD_SHA256=8801ee6838114c5a9e69fc27e818be4d636c051f06c87a2c711111dc21a4a254

readonly APT_PACKAGES=(
  build-essential python3 pkg-config ninja-build
  libuv1-dev libssl-dev libflatbuffers-dev flatbuffers-compiler libabsl-dev
  xz-utils curl ca-certificates
)
# Linked statically into the worker, so their versions are part of the key.
readonly KEY_PACKAGES=(libssl-dev libuv1-dev libflatbuffers-dev libabsl-dev)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly REPO_ROOT=${SCRIPT_DIR%/*}
readonly HELPERS=$SCRIPT_DIR/mediasoup-worker
readonly CACHE=${VISIO_CACHE_DIR:-$HOME/.cache/visio}
readonly DOWNLOADS=$CACHE/downloads

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { printf '[mediasoup-worker] ERROR: %s\n' "$*" >&2; DIED=1; exit 1; }
# Any other failure (set -e) still gets a message naming the failed command.
DIED='' FAILED_AT=''
on_exit() {
  local rc=$?
  if ((rc != 0)) && [[ -z $DIED ]]; then
    printf '[mediasoup-worker] ERROR: failed (exit %d) at %s\n' "$rc" "${FAILED_AT:-?}" >&2
  fi
}
set -E
trap 'FAILED_AT="line $LINENO: $BASH_COMMAND"' ERR
trap on_exit EXIT

# --- Inputs ------------------------------------------------------------------

# Sets MS_VERSION: $MEDIASOUP_VERSION, else package.json's
# dependencies.mediasoup (a leading ^ or ~ removed), else the default.
read_mediasoup_version() {
  local v=${MEDIASOUP_VERSION:-} pj=$REPO_ROOT/package.json
  if [[ -z $v && -f $pj ]]; then
    if command -v python3 >/dev/null; then
      v=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("dependencies", {}).get("mediasoup", ""))' "$pj") ||
        die "cannot parse $pj"
    elif command -v node >/dev/null; then
      v=$(node -e 'console.log((require(process.argv[1]).dependencies || {}).mediasoup || "")' "$pj") ||
        die "cannot parse $pj"
    else
      die "python3 or node is needed to read $pj (or set MEDIASOUP_VERSION)"
    fi
    v=${v#[\^~=v]}
  fi
  v=${v:-$DEFAULT_MEDIASOUP_VERSION}
  [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    die "mediasoup version must be an exact x.y.z version, got '$v' (set MEDIASOUP_VERSION)"
  MS_VERSION=$v
}

pkg_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == "ii " ]]
}

pkg_version() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true
}

# Sets KEY (empty if a keyed package is not installed yet) and KEY_INPUTS.
compute_cache_key() {
  local p
  KEY=''
  KEY_INPUTS="mediasoup=$MS_VERSION patchset=$PATCHSET_REV arch=$(dpkg --print-architecture)"
  for p in "${KEY_PACKAGES[@]}"; do
    pkg_installed "$p" || return 0
    KEY_INPUTS+=" $p=$(pkg_version "$p")"
  done
  KEY_INPUTS+=" libsrtp=$LIBSRTP_VERSION"
  KEY=$MS_VERSION-$(printf '%s' "$KEY_INPUTS" | sha256sum | cut -c1-12)
}

# --- Fast paths --------------------------------------------------------------

if [[ -n ${MEDIASOUP_WORKER_BIN:-} ]]; then
  if [[ -f $MEDIASOUP_WORKER_BIN && -x $MEDIASOUP_WORKER_BIN ]]; then
    printf '%s\n' "$MEDIASOUP_WORKER_BIN"
    exit 0
  fi
  log "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file; building instead"
fi

command -v dpkg-query >/dev/null || die "this script needs a Debian-based system (dpkg-query not found)"

read_mediasoup_version
compute_cache_key
if [[ -n $KEY && -x $CACHE/mediasoup-worker/$KEY/mediasoup-worker ]]; then
  printf '%s\n' "$CACHE/mediasoup-worker/$KEY/mediasoup-worker"
  exit 0
fi

# --- Build prerequisites -----------------------------------------------------

install_apt_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    pkg_installed "$p" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0

  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}) and not root; install them first"
    sudo=(sudo)
  fi
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get -q update >&2 || die "apt-get update failed"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -q install -y --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install failed for: ${missing[*]}"
}

# Debian archive URLs from the machine's apt sources (deb822 *.sources and
# one-line *.list), security suites excluded: the pool files live in the
# main archive.
debian_mirrors() {
  if [[ -n ${DEBIAN_MIRROR:-} ]]; then
    printf '%s\n' "$DEBIAN_MIRROR"
    return
  fi
  local f
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -r $f ]] || continue
      awk '
        function flush() {
          if (uris != "" && enabled && types ~ /(^| )deb( |$)/ && suites !~ /-security/) {
            n = split(uris, u, /[ \t]+/)
            for (i = 1; i <= n; i++) if (u[i] != "") print u[i]
          }
          uris = ""; suites = ""; types = ""; enabled = 1; field = ""
        }
        BEGIN { enabled = 1 }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]/ { if (field == "uris") uris = uris " " $0; next }
        {
          field = tolower($0); sub(/:.*/, "", field)
          value = $0; sub(/^[^:]*:[ \t]*/, "", value)
          if (field == "uris") uris = value
          else if (field == "suites") suites = value
          else if (field == "types") types = value
          else if (field == "enabled" && tolower(value) ~ /^no/) enabled = 0
        }
        END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -r $f ]] || continue
      awk '$1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) !~ /-security/) print $i
      }' "$f"
    done
  } | grep -E '^(https?|file)://' | awk '!seen[$0]++'
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Downloads a file from the Debian pool into $DOWNLOADS (once) and checks it.
fetch_pool_file() {
  local pool_path=$1 sha=$2
  local dest=$DOWNLOADS/${pool_path##*/} mirrors mirror actual
  if [[ -f $dest ]]; then
    actual=$(sha256_of "$dest")
    [[ $actual == "$sha" ]] && return 0
    log "cached $dest has sha256 $actual, expected $sha: downloading it again"
    rm -f "$dest"
  fi
  mirrors=$(debian_mirrors) || true
  [[ -n $mirrors ]] || die "no Debian mirror found in /etc/apt/sources.list{,.d/} (set DEBIAN_MIRROR)"
  for mirror in $mirrors; do
    log "downloading ${pool_path##*/} from $mirror"
    if ! curl -fsSL --connect-timeout 20 --retry 2 -o "$dest.part" "${mirror%/}/$pool_path"; then
      log "download from $mirror failed"
      rm -f "$dest.part"
      continue
    fi
    actual=$(sha256_of "$dest.part")
    if [[ $actual != "$sha" ]]; then
      rm -f "$dest.part"
      die "sha256 mismatch for ${mirror%/}/$pool_path: expected $sha, got $actual"
    fi
    mv -f "$dest.part" "$dest"
    return 0
  done
  die "could not download $pool_path from: ${mirrors//$'\n'/ }. It may have left Debian's pool;" \
    "put a copy with sha256 $sha at $dest"
}

# The mediasoup npm tarball, which ships the worker sources.
fetch_mediasoup() {
  local tgz=$DOWNLOADS/mediasoup-$MS_VERSION.tgz tmp
  if [[ -f $tgz ]] && tar -tzf "$tgz" package/worker/meson.build >/dev/null 2>&1; then
    return 0
  fi
  command -v npm >/dev/null || die "npm is needed to fetch mediasoup@$MS_VERSION"
  log "fetching mediasoup@$MS_VERSION with npm pack"
  tmp=$(mktemp -d "$DOWNLOADS/.npm-pack.XXXXXX")
  (cd "$tmp" && npm pack "mediasoup@$MS_VERSION" --pack-destination "$tmp" >&2) ||
    { rm -rf "$tmp"; die "npm pack mediasoup@$MS_VERSION failed"; }
  [[ -f $tmp/mediasoup-$MS_VERSION.tgz ]] ||
    { rm -rf "$tmp"; die "npm pack did not produce mediasoup-$MS_VERSION.tgz"; }
  mv -f "$tmp/mediasoup-$MS_VERSION.tgz" "$tgz"
  rm -rf "$tmp"
  tar -tzf "$tgz" package/worker/meson.build package/worker/src/RTC/DtlsTransport.cpp >/dev/null 2>&1 ||
    die "the mediasoup@$MS_VERSION npm tarball has no worker sources (package/worker/)"
}

# Meson >= 1.1 is required; bookworm has 1.0.1. Trixie's meson is pure Python:
# unpack it privately and run it with the system python3.
setup_meson() {
  local dir=$CACHE/tools/meson-1.7.0
  if [[ ! -f $dir/.complete ]]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    dpkg-deb -x "$DOWNLOADS/${MESON_POOL##*/}" "$dir" || die "cannot unpack ${MESON_POOL##*/}"
    touch "$dir/.complete"
  fi
  MESON_PYTHONPATH=$dir/usr/lib/python3/dist-packages
  MESON=(env "PYTHONPATH=$MESON_PYTHONPATH" python3 "$dir/usr/bin/meson")
}

# --- Build -------------------------------------------------------------------

# Debian's OpenSSL has kernel-TLS support. mediasoup's BIO callback returns 1
# instead of the real result for control calls, so OpenSSL's "is kTLS send on?"
# query reads "yes", no write buffer is allocated and a browser's DTLS
# handshake crashes the worker. Return the real result for every BIO_CB_RETURN
# call (upstream bug).
patch_dtls_callback() {
  local file=$1/worker/src/RTC/DtlsTransport.cpp
  local old='(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;'
  local new='(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1;'
  [[ $(grep -cF "$old" "$file") == 1 ]] ||
    die "DTLS fix: expected exactly one '$old' in $file; mediasoup changed, review the fix"
  sed -i "s/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/$new/" "$file"
  grep -qF '(operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1;' "$file" ||
    die "DTLS fix: patching $file failed"
}

# Fills worker/subprojects/<directory named in each .wrap> with our stand-ins,
# so that meson uses them as-is and never downloads.
setup_subprojects() {
  local sub=$1/worker/subprojects name dir
  for name in libuv openssl flatbuffers abseil-cpp unordered-dense libsrtp3; do
    [[ -f $sub/$name.wrap ]] || die "mediasoup has no subprojects/$name.wrap any more; review the stand-ins"
    dir=$(sed -n 's/^directory[ \t]*=[ \t]*//p' "$sub/$name.wrap" | head -n1)
    [[ -n $dir ]] || die "no 'directory =' in subprojects/$name.wrap"
    rm -rf "${sub:?}/$dir"
    cp -r "$HELPERS/subprojects/$name" "$sub/$dir"
    cp "$HELPERS/stub.c" "$sub/$dir/"
    case $name in
      unordered-dense)
        mkdir -p "$sub/$dir/include/ankerl"
        tar -xJf "$DOWNLOADS/${RSPAMD_POOL##*/}" -C "$sub/$dir/include/ankerl" --strip-components=3 \
          rspamd-3.12.1/contrib/ankerl/unordered_dense.h rspamd-3.12.1/contrib/ankerl/LICENSE ||
          die "cannot extract unordered_dense.h from ${RSPAMD_POOL##*/}"
        ;;
    esac
  done
  # libsrtp 2 source, built by the libsrtp3 stand-in as its subproject.
  mkdir -p "$sub/libsrtp2"
  tar -xzf "$DOWNLOADS/${LIBSRTP_POOL##*/}" -C "$sub/libsrtp2" --strip-components=1 ||
    die "cannot extract ${LIBSRTP_POOL##*/}"
}

build_worker() {
  local work=$CACHE/work/$KEY src build out_dir=$CACHE/mediasoup-worker/$KEY
  src=$work/mediasoup
  build=$work/build
  rm -rf "$work"
  mkdir -p "$work"

  log "unpacking mediasoup $MS_VERSION into $src"
  mkdir -p "$src"
  tar -xzf "$DOWNLOADS/mediasoup-$MS_VERSION.tgz" -C "$src" --strip-components=1
  patch_dtls_callback "$src"
  setup_subprojects "$src"

  log "configuring (meson, no downloads)"
  "${MESON[@]}" setup --wrap-mode=nodownload \
    --buildtype=release -Db_ndebug=true -Dprefer_static=true \
    "$build" "$src/worker" >&2 || die "meson setup failed (log: $build/meson-logs/meson-log.txt)"

  local jobs=${MEDIASOUP_BUILD_JOBS:-$(nproc)} start=$SECONDS
  log "compiling with $jobs jobs (4 to 8 minutes on 2 cores)"
  # ninja may rerun meson; it needs the same PYTHONPATH.
  env "PYTHONPATH=$MESON_PYTHONPATH" ninja -C "$build" -j "$jobs" mediasoup-worker >&2 ||
    die "compilation failed (work directory kept: $work)"
  log "compiled in $((SECONDS - start)) s"

  local bin=$build/mediasoup-worker
  [[ -x $bin ]] || die "build finished but $bin is missing"
  if ldd "$bin" | grep -Eq 'lib(ssl|crypto|uv|srtp|absl|flatbuffers)'; then
    log "warning: the worker links some libraries dynamically:"
    ldd "$bin" >&2
  fi

  # Atomic install: a reader sees either no binary or the complete one.
  mkdir -p "$out_dir"
  cp "$bin" "$out_dir/.mediasoup-worker.tmp.$$"
  printf '%s\n' "$KEY_INPUTS" >"$out_dir/build-info.txt"
  mv -f "$out_dir/.mediasoup-worker.tmp.$$" "$out_dir/mediasoup-worker"

  if [[ ${KEEP_BUILD:-0} != 1 ]]; then
    rm -rf "$work"
  fi
}

main() {
  mkdir -p "$DOWNLOADS"
  # One build at a time per cache; a waiting run may find the binary ready.
  exec 9>"$CACHE/.build.lock"
  if command -v flock >/dev/null; then
    flock 9
  fi

  install_apt_packages
  compute_cache_key
  [[ -n $KEY ]] || die "could not compute the cache key (packages missing: ${KEY_PACKAGES[*]}?)"
  local bin=$CACHE/mediasoup-worker/$KEY/mediasoup-worker
  if [[ -x $bin ]]; then
    printf '%s\n' "$bin"
    return 0
  fi

  log "building mediasoup-worker $MS_VERSION (key $KEY)"
  fetch_mediasoup
  fetch_pool_file "$MESON_POOL" "$MESON_SHA256"
  fetch_pool_file "$LIBSRTP_POOL" "$LIBSRTP_SHA256"
  fetch_pool_file "$RSPAMD_POOL" "$RSPAMD_SHA256"
  setup_meson
  build_worker
  log "done"
  printf '%s\n' "$bin"
}

main "$@"
