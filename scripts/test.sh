#!/usr/bin/env bash
# README's second Quick start command (and CI's): set up, build what ships (Release) and run the
# Release-only tests, then build the whole test suite with AddressSanitizer +
# UndefinedBehaviorSanitizer and run it. (The concurrency tests under ThreadSanitizer:
# scripts/tsan.sh.)
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
# The whole suite runs once, in the ASan + UBSan build below (a superset of what a Release run
# checks, but for speed). The Release build makes what ships (the libraries, seglogd, the tool,
# the examples) with the Release flags (-O3 -Werror: its own warnings), and runs what is
# Release-only or left out of the ASan run: the C API through the shared library, the demo, the
# install check (an installed library cannot carry sanitizers), and the AWS CLI and JavaScript
# SDK scenarios against the Release seglogd (they spend their time starting CLI processes; the
# same server paths run under ASan through boto3). Compiling the tests once, not twice, is what
# keeps CI under its 30 minutes on two cores.
echo "== Release build (what ships) and the Release-only tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSEGLOG_BUILD_BENCH=OFF >/dev/null
cmake --build build -j"$jobs" --target seglog seglog_static seglogd seglog_cli quickstart c_api_test
(cd build && ctest --output-on-failure -j"$jobs" --timeout 900 \
   -R '^(c_api|quickstart|install_check|seglogd_client_(sqs_awscli_.*|sns_awscli_.*|.*_node))$')
echo "== ASan + UBSan build and tests"
# Sanitizer builds: -O1 and line tables only (-g1): enough for stack traces, and CI's 2 cores
# compile them in well under half the time -O2 -g takes.
san_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
           -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DSEGLOG_BUILD_BENCH=OFF)
cmake -S . -B build-asan "${san_flags[@]}" -DSEGLOG_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
# seglogd's client tests run here too (the sanitized seglogd under real SDK traffic, hostile
# input, kill -9), except the AWS CLI and JS scenarios, which the Release phase ran: they
# exercise the same server paths as boto3's and spend their time starting CLI processes (a
# minute each on 2 cores).
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   ctest --output-on-failure -j"$jobs" --timeout 1200 -E '^seglogd_client_(sqs_awscli_.*|sns_awscli_.*|.*_node)$')
# The concurrency tests under ThreadSanitizer are scripts/tsan.sh (a third full build of the
# engine): out of CI while the two builds above take its 30 minutes on two cores; run it before
# merging a change to threads or locks.
