#!/usr/bin/env bash
# The concurrency tests (tests/concurrency/: threads, kill -9, power loss; ctest label
# `concurrency`) built with ThreadSanitizer and run. Out of scripts/test.sh (CI) for time: a third
# full build of the engine on two cores. Run it before merging a change to threads or locks.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
jobs=$(( $(nproc) + 1 ))
san_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
           -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DSEGLOG_BUILD_BENCH=OFF)
# Only seglog_concurrency_tests; scripts/test.sh's ASan run runs them too.
cmake -S . -B build-tsan "${san_flags[@]}" -DSEGLOG_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs" --target seglog_concurrency_tests
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
   ctest --output-on-failure -j"$jobs" --timeout 1200 -L concurrency)
