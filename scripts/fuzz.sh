#!/usr/bin/env bash
# Fuzzes seglogd's decoders for real with clang 14's libFuzzer (+ AddressSanitizer and
# UndefinedBehaviorSanitizer). ctest only replays the committed corpora (tests/fuzz/corpus/);
# this grows them.
#   scripts/fuzz.sh [--minutes N] [target ...]     (targets: tests/fuzz/<target>_fuzz.cc;
#                                                   default: all, N minutes each, default 1)
# Each target's new inputs go to build-fuzz/corpus/<target>/ (copy interesting ones into
# tests/fuzz/corpus/<target>/ to keep them); crashes are written as build-fuzz/crash-*.
# Prints each target's executions (libFuzzer's stat::number_of_executed_units).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cc; do t=$(basename "$f" _fuzz.cc); targets+=("$t"); done
fi
./scripts/deps.sh
need=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DSEGLOG_FUZZ=ON -DSEGLOG_BUILD_BENCH=OFF \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
for t in "${targets[@]}"; do
  cmake --build build-fuzz -j"$(nproc)" --target "fuzz_$t" >/dev/null
  mkdir -p "build-fuzz/corpus/$t"
  echo "== fuzz_$t: $minutes min"
  (cd build-fuzz && "./fuzz_$t" -max_total_time=$((minutes * 60)) -print_final_stats=1 \
     -max_len=65536 "corpus/$t" "../tests/fuzz/corpus/$t" 2>"fuzz_$t.log") || {
    echo "fuzz_$t FAILED: see build-fuzz/fuzz_$t.log"; tail -30 "build-fuzz/fuzz_$t.log"; exit 1; }
  grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/fuzz_$t.log" |
    sed "s/^/  fuzz_$t /"
done
