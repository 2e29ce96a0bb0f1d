#!/bin/sh
# test_install.sh BUILD_DIR SOURCE_DIR — installs medtone into a scratch prefix and builds the
# example program against it both ways (pkg-config and find_package), then runs both.
set -eu
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" > /dev/null
libdir=$(ls -d "$tmp"/prefix/lib*/ | head -n 1)
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export LD_LIBRARY_PATH="$libdir"
# pkg-config
cc -std=c11 -Wall -Wextra -Werror "$src/examples/score_posts.c" \
  $(pkg-config --cflags --libs medtone) -o "$tmp/score_posts_pc"
out=$(echo "The nurses were amazing" | "$tmp/score_posts_pc")
echo "$out" | grep -q '^+0\.' || { echo "pkg-config build: unexpected output: $out"; exit 1; }
# find_package
cmake -S "$src/examples" -B "$tmp/ex" -DCMAKE_PREFIX_PATH="$tmp/prefix" > /dev/null
cmake --build "$tmp/ex" > /dev/null
out=$(echo "The receptionist was rude" | "$tmp/ex/score_posts")
echo "$out" | grep -q '^-0\.' || { echo "find_package build: unexpected output: $out"; exit 1; }
# the installed library carries its SONAME major
ls "$libdir"/libmedtone.so.0 > /dev/null
echo "install: pkg-config and find_package builds work"
