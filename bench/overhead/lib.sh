# Shared by run.sh, streams.sh and profile.sh (sourced, not run): building what a script needs,
# a scratch directory whose processes are stopped on exit, and the gateway's config.

# ensure_built BUILD_DIR TARGET...: configures RelWithDebInfo if needed, builds the targets.
ensure_built() {
  local build="$1"; shift
  [ -f "$build/build.ninja" ] || cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$build" -j2 "$@" >/dev/null
}

# make_workdir NAME: sets WORK (a fresh /tmp dir) and PIDS; on exit every PID in PIDS gets
# SIGTERM and is waited for, then WORK is removed.
make_workdir() {
  WORK="$(mktemp -d "/tmp/sy-$1.XXXXXX")"
  PIDS=()
  trap stop_pids_and_clean EXIT
}
stop_pids() {
  local p
  for p in "${PIDS[@]}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  PIDS=()
}
stop_pids_and_clean() {
  stop_pids
  rm -rf "$WORK"
}

# write_gw_config FILE UPSTREAM_PORT THREADS LOG_YAML: one model `m` on the fast upstream.
write_gw_config() {
  cat >"$1" <<YAML
server: {threads: $3}
providers:
  fast: {kind: openai, base_url: "http://127.0.0.1:$2/v1", api_key: x}
models:
  m: {provider: fast, upstream_model: m}
log: $4
YAML
}
