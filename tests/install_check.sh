#!/usr/bin/env bash
# Installs seglog into a temporary prefix and uses it as a user would: the files are in place,
# the shared library has a SONAME and exports only the C API, and examples/quickstart.c builds
# and runs against the install through pkg-config and through find_package(seglog), with both
# the shared and the static library; the `seglog` tool is installed in bin/ and runs.
#
#   tests/install_check.sh BUILD_DIR SOURCE_DIR      (ctest runs it as `install_check`)
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/seglog-install-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
step() { echo "== $*"; }
fail() { echo "install_check: $*" >&2; exit 1; }

step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=
for d in lib lib64 lib/*-linux-gnu; do  # CMAKE_INSTALL_LIBDIR differs between systems
  if [ -e "$prefix/$d/pkgconfig/seglog.pc" ]; then libdir=$d; break; fi
done
[ -n "$libdir" ] || fail "no seglog.pc under $prefix"
for f in include/seglog.h "$libdir/libseglog.so" "$libdir/libseglog.so.1" \
         "$libdir/libseglog.a" "$libdir/pkgconfig/seglog.pc" \
         "$libdir/cmake/seglog/seglogConfig.cmake" \
         "$libdir/cmake/seglog/seglogConfigVersion.cmake" \
         "$libdir/cmake/seglog/seglogTargets.cmake"; do
  [ -e "$prefix/$f" ] || fail "missing $f"
done

step "the seglog tool: $prefix/bin/seglog --help"
[ -x "$prefix/bin/seglog" ] || fail "missing bin/seglog (or not executable)"
"$prefix/bin/seglog" --help >"$work/seglog-help.txt" || fail "seglog --help exits $?"
grep -q verify "$work/seglog-help.txt" || fail "seglog --help does not list verify"

step "SONAME and exported symbols"
soname=$(readelf -d "$prefix/$libdir/libseglog.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libseglog.so.1" ] || fail "SONAME is '$soname', expected libseglog.so.1"
leaked=$(nm -D --defined-only "$prefix/$libdir/libseglog.so" | awk '{print $3}' | grep -v '^seglog_' || true)
[ -z "$leaked" ] || fail "libseglog.so exports more than seglog_*: $(echo "$leaked" | head -5)"
nm -D --defined-only "$prefix/$libdir/libseglog.so" | grep -q ' T seglog_open$' || fail "no seglog_open"

export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
step "pkg-config --cflags --libs seglog: $(pkg-config --cflags --libs seglog)"
[ "$(pkg-config --modversion seglog)" = "$(sed -n 's/^#define SEGLOG_VERSION_STRING "\(.*\)"/\1/p' "$src/include/seglog.h")" ] ||
  fail "pkg-config version differs from SEGLOG_VERSION_STRING"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror -o "$work/qs-pkgconfig" "$src/examples/quickstart.c" \
  $(pkg-config --cflags --libs seglog)
# The header is valid C++ too.
cat >"$work/cxx_header.cc" <<'CXX'
#include <seglog.h>
int main() { seglog_options o; seglog_options_init(&o); return seglog_version() > 0 ? 0 : 1; }
CXX
# shellcheck disable=SC2046
c++ -std=c++11 -Wall -Wextra -pedantic -Werror -o "$work/cxx-header" "$work/cxx_header.cc" \
  $(pkg-config --cflags --libs seglog)
LD_LIBRARY_PATH=$prefix/$libdir "$work/cxx-header"
LD_LIBRARY_PATH=$prefix/$libdir "$work/qs-pkgconfig" "$work/store-pkgconfig" >/dev/null

step "find_package(seglog) from a CMake project"
mkdir -p "$work/consumer"
cat >"$work/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(seglog_consumer C)
find_package(seglog 0.4 REQUIRED)
add_executable(qs_shared "$src/examples/quickstart.c")
target_link_libraries(qs_shared PRIVATE seglog::seglog)
add_executable(qs_static "$src/examples/quickstart.c")
target_link_libraries(qs_static PRIVATE seglog::seglog_static)
CMAKE
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer/build" >/dev/null
if readelf -d "$work/consumer/build/qs_static" | grep -q 'libseglog'; then
  fail "qs_static links libseglog.so"
fi
readelf -d "$work/consumer/build/qs_shared" | grep -q 'NEEDED.*libseglog.so.1' ||
  fail "qs_shared does not need libseglog.so.1"
"$work/consumer/build/qs_shared" "$work/store-shared" >/dev/null
"$work/consumer/build/qs_static" "$work/store-static" >/dev/null
step "the installed seglog verifies a store the installed library wrote"
"$prefix/bin/seglog" verify --quiet "$work/store-shared" || fail "seglog verify exits $?"
echo "install_check: OK"
