#!/usr/bin/env bash
# README's first Quick start command: set up, build, run examples/quickstart.c (the C API: a
# 4-shard stream, 100,000 records, every iterator type, a checkpoint across a restart), then
# inspect and verify the store it made with the seglog tool.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh -DSEGLOG_BUILD_BENCH=OFF
DEMO_DIR=${DEMO_DIR:-/tmp/seglog-demo}
rm -rf "$DEMO_DIR"
./build/quickstart "$DEMO_DIR"
echo
./build/seglog inspect "$DEMO_DIR"
echo
./build/seglog verify "$DEMO_DIR"
