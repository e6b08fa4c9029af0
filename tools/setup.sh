#!/usr/bin/env bash
# Installs what r1eval needs to build and test on Debian 12 (run as root, or with sudo available).
# Installs only what is missing, so it is cheap to run again.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git python3 python3-venv unzip zip
      libtbb-dev libre2-dev nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev libzip-dev
      libgmp-dev libmpfr-dev libseccomp-dev libopenblas-dev libcpp-httplib-dev
      libgtest-dev libgmock-dev libbenchmark-dev libicu-dev
      libopenmpi-dev openmpi-bin  # optional at build time: mpirun -np N r1eval run (shards per rank)
      clang libclang-rt-14-dev)  # clang: the libFuzzer targets (tools/*fuzz*.sh)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
