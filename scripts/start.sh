#!/usr/bin/env bash
# One command for a new user: install dependencies, build, and start the gateway on its built-in
# defaults (SQLite request log in ./switchyard.db, listening on 127.0.0.1:8080). Extra arguments
# go to `switchyard serve`, e.g.  scripts/start.sh --config examples/switchyard.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release switchyard
exec build/release/src/switchyard serve "$@"
