#!/usr/bin/env bash
# Build taqmpi and process the bundled sample (data/ -> out/) on N ranks (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=${1:-2}
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target taqmpi
# Open MPI refuses root unless told; oversubscribe lets N exceed the cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
exec mpiexec -n "$ranks" build/src/taqmpi "${@:2}"
