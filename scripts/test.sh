#!/usr/bin/env bash
# One command for the whole test suite: install dependencies, build, and run every test (unit,
# integration against the real binary, SDK conformance, engine-vs-PyTorch) — once on the normal
# build and once under AddressSanitizer + UndefinedBehaviorSanitizer.
#   SWITCHYARD_TEST_FLAVOURS="release" scripts/test.sh     # only one flavour
#   scripts/test.sh -R integration                         # extra args go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
flavours="${SWITCHYARD_TEST_FLAVOURS:-release asan}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for f in $flavours; do
  echo "=== build ($f)"
  scripts/build.sh "$f"
  echo "=== test ($f)"
  (cd "build/$f" && ctest --output-on-failure --timeout 600 -j "${SWITCHYARD_TEST_JOBS:-2}" "$@") || status=1
done
exit $status
