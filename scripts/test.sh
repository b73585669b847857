#!/usr/bin/env bash
# Build and run the whole test suite twice: a -Werror release-like build, then
# the same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
# In between, once the first pass is green, every libFuzzer harness runs for
# TAQ_FUZZ_SECONDS (default 20) each via scripts/fuzz.sh (about 2 minutes).
# The ASan pass stays last so the output still ends on ctest's summary.
# Set TAQ_TEST_SANITIZE=0 / TAQ_TEST_FUZZ=0 to skip those passes (local iteration only).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
status=0

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs") || status=1

if [ "$status" = 0 ] && [ "${TAQ_TEST_FUZZ:-1}" != 0 ]; then
  scripts/fuzz.sh "${TAQ_FUZZ_SECONDS:-20}" || status=1
fi

if [ "${TAQ_TEST_SANITIZE:-1}" != 0 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTAQ_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ctest --output-on-failure -j"$jobs") || status=1
fi
exit $status
