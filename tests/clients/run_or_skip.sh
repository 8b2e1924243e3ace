#!/bin/sh
# run_or_skip.sh TOOL ARGS...: runs TOOL ARGS..., or exits 77 (ctest's SKIP_RETURN_CODE for the
# client cross-checks) with a message when TOOL is not on PATH.
tool=$1
shift
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "SKIP: $tool is not on PATH"
  exit 77
fi
exec "$tool" "$@"
