#!/usr/bin/env bash
# Installs the Debian 12 packages diffc needs to build and test. Idempotent: packages already
# present are left alone, and apt is only called when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build python3
  llvm-19-dev llvm-19-tools clang-19 libclang-rt-19-dev
  libfmt-dev doctest-dev nlohmann-json3-dev
  zlib1g-dev libzstd-dev libxml2-dev libedit-dev libffi-dev libcurl4-openssl-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
