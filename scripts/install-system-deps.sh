#!/usr/bin/env bash
# Debian packages the tests and the service use at run time: Chromium for the
# browser tests, ffmpeg for recordings and the media benchmark, redis-server
# for the embedded default. (The mediasoup worker build installs its own.)
set -euo pipefail
# command → Debian package
declare -A want=([chromium]=chromium [ffmpeg]=ffmpeg [redis-server]=redis-server [redis-cli]=redis-tools [pg_isready]=postgresql-client)
missing=()
for cmd in "${!want[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${want[$cmd]}")
done
if [ ${#missing[@]} -eq 0 ]; then echo "system packages present"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
