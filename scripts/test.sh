#!/usr/bin/env bash
# README's second Quick start command (and CI's): set up, build, run the whole test suite, then
# build the same tests with AddressSanitizer + UndefinedBehaviorSanitizer and run them again, and
# the concurrency tests once more under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
# The AWS SDK for JavaScript that ctest md5_sdk drives (tests/clients/, pinned by its
# package-lock.json): installed where node and npm exist and node_modules is absent or older than
# the lock file. Offline, the install fails quietly and md5_sdk skips.
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -f tests/clients/node_modules/.package-lock.json ] ||
     [ tests/clients/package-lock.json -nt tests/clients/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/clients --no-audit --no-fund --silent >/dev/null 2>&1 || {
      rm -rf tests/clients/node_modules
      echo "== npm ci --prefix tests/clients failed (offline?): ctest md5_sdk will skip"
    }
  fi
fi
# One job more than cores: compiles and tests wait on the disk and on child processes part of
# the time. The benchmarks are not built here (bench/run builds them, Release, into
# build-bench/): CI's 30 minutes go to the tests.
jobs=$(( $(nproc) + 1 ))
echo "== Release build and tests"
BUILD_DIR=build ./scripts/build.sh -DSEGLOG_BUILD_BENCH=OFF
(cd build && ctest --output-on-failure -j"$jobs" --timeout 900)
echo "== ASan + UBSan build and tests"
# Sanitizer builds: -O1 and line tables only (-g1): enough for stack traces, and CI's 2 cores
# compile them in well under half the time -O2 -g takes.
san_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
           -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DSEGLOG_BUILD_BENCH=OFF)
cmake -S . -B build-asan "${san_flags[@]}" -DSEGLOG_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
# seglogd's client tests run here too (the sanitized seglogd under real SDK traffic, hostile
# input, kill -9), except the AWS CLI and JS scenarios: they exercise the same server paths as
# boto3's and spend their time starting CLI processes (a minute each on 2 cores).
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   ctest --output-on-failure -j"$jobs" --timeout 1200 -E '^seglogd_client_(sqs_awscli_.*|sns_awscli_.*|.*_node)$')
echo "== ThreadSanitizer build: the concurrency tests"
# Only seglog_concurrency_tests (tests/concurrency/: threads, kill -9, power loss), whose tests
# carry the ctest label `concurrency`; the Release and ASan runs above ran them too.
cmake -S . -B build-tsan "${san_flags[@]}" -DSEGLOG_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs" --target seglog_concurrency_tests
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
   ctest --output-on-failure -j"$jobs" --timeout 1200 -L concurrency)
