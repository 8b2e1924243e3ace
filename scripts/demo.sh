#!/usr/bin/env bash
# README's first Quick start command: set up, build, run the demo, then inspect and verify the
# store it made with the seglog tool.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh -DSEGLOG_BUILD_BENCH=OFF
DEMO_DIR=${DEMO_DIR:-/tmp/seglog-demo}
rm -rf "$DEMO_DIR"
./build/log_demo "$DEMO_DIR"
echo
./build/seglog inspect "$DEMO_DIR"
echo
./build/seglog verify "$DEMO_DIR"
