#!/usr/bin/env bash
# README's second Quick start command (and CI's): set up, build, run the whole test suite, then
# build the same tests with AddressSanitizer + UndefinedBehaviorSanitizer and run them again, and
# the concurrency tests once more under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
jobs=$(nproc)
echo "== Release build and tests"
BUILD_DIR=build ./scripts/build.sh
(cd build && ctest --output-on-failure -j"$jobs" --timeout 900)
echo "== ASan + UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEGLOG_SANITIZE=ON -DSEGLOG_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   ctest --output-on-failure -j"$jobs" --timeout 1200)
echo "== ThreadSanitizer build: the concurrency tests"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEGLOG_TSAN=ON -DSEGLOG_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target seglog_tests
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
   ctest --output-on-failure -j"$jobs" --timeout 1200 \
   -R 'Concurrent|Tails|GroupCommit|Producers|PowerLoss|Interval|Retention|Stream|^Queue|Compact')
