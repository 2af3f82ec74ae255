#!/usr/bin/env bash
# Installs every build, test and benchmark dependency from Debian 12 packages (and the npm
# test clients). Idempotent: safe to run on every start. Needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PKGS=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries (see docs/architecture.md for why each one is here)
  libboost-dev libboost-system-dev libssl-dev rapidjson-dev libyaml-cpp-dev
  libspdlog-dev libfmt-dev libcli11-dev libsqlite3-dev libpq-dev libhiredis-dev
  libopenblas-dev libopenblas0-openmp libpcre2-dev libutf8proc-dev
  libgoogle-perftools-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # test and benchmark tools
  python3 python3-numpy python3-torch python3-sentencepiece python3-jinja2
  wrk sqlite3 ca-certificates curl
)
# Node.js may already come from elsewhere (e.g. NodeSource); Debian's npm conflicts with it.
command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test clients (official SDKs, reference tokenizers), pinned by tests/node/package-lock.json.
if [ -f tests/node/package.json ]; then
  (cd tests/node && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })
fi
