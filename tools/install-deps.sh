#!/bin/sh
# install-deps.sh — installs the Debian packages medtone needs to build, test and run its Python
# binding. Does nothing when they are all present (so it also works offline once installed).
set -eu
pkgs="build-essential cmake pkg-config libutf8proc-dev zlib1g-dev libcmocka-dev
      python3 python3-venv python3-pip python3-pytest python3-dask python3-distributed
      python3-pandas python3-setuptools python3-wheel
      clang libclang-rt-14-dev valgrind abigail-tools chromium"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
