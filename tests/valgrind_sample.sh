#!/usr/bin/env bash
# Run taqmpi on the bundled sample under valgrind (one rank, then two) and
# fail on any invalid access, use of uninitialised memory, or leak of
# taqmpi's own (Open MPI's init/finalize allocations are suppressed).
set -euo pipefail
taqmpi=$1 src=$2 work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/data" "$work/data"
cd "$work"
vg=(valgrind --error-exitcode=9 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --suppressions="$src/tests/valgrind.supp"
    --num-callers=40 --log-file=vg.%p.log)
for n in 1 2; do
  rm -rf out
  if ! mpiexec -n "$n" "${vg[@]}" "$taqmpi" -q; then
    cat vg.*.log >&2
    echo "valgrind found errors at -n $n" >&2
    exit 1
  fi
  test -f out/taq_20200806.h5
  grep -h "ERROR SUMMARY" vg.*.log
  rm -f vg.*.log
done
echo "valgrind: clean at 1 and 2 ranks"
