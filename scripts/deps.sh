#!/usr/bin/env bash
# Install every Debian package taqmpi needs to build, run and test.
# Idempotent; needs root (or sudo). Used by README and .ci/run.
set -euo pipefail
# postgresql, munge and slurm-wlm are for the tests only: a real tracker
# server and a real one-node Slurm for slurm/taq.sh (tests/slurm_cluster.sh).
pkgs=(build-essential cmake pkg-config openmpi-bin libopenmpi-dev libhdf5-openmpi-dev
      hdf5-tools libpq-dev zlib1g-dev libdeflate-dev libcunit1-dev postgresql munge slurm-wlm
      python3 python3-h5py python3-pandas valgrind clang libclang-rt-14-dev time
      gnuplot-nox)
# bench/run (and its ctest bench.smoke) runs DuckDB under node and installs it
# with npm. A node from elsewhere (NodeSource, nvm) is fine: only add Debian's
# when there is none, as Debian's nodejs and a NodeSource npm conflict.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  pkgs+=(nodejs npm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
