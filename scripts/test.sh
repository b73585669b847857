#!/usr/bin/env bash
# Build and run the whole test suite twice: a -Werror release-like build, then
# the same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
# Set TAQ_TEST_SANITIZE=0 to skip the sanitizer pass (local iteration only).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
status=0

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs") || status=1

if [ "${TAQ_TEST_SANITIZE:-1}" != 0 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTAQ_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ctest --output-on-failure -j"$jobs") || status=1
fi
exit $status
