#!/usr/bin/env bash
# bench/ab.sh: the `bench/run` matrix for two builds in one sitting, interleaved
# (before, after, before, after), then the ratio tables compared (bench/compare_runs.py: the
# noise is the spread of the two "before" runs). For a change that must not make anything
# slower, e.g. a restructuring.
#
#   bench/ab.sh BEFORE_BUILD_DIR AFTER_BUILD_DIR OUT_DIR
#
# Each build dir holds seglog-bench and seglog-micro (bench/run builds them into build-bench/;
# for the "before" side: `git worktree add ../before <commit>` and bench/run's cmake lines
# there). Writes OUT_DIR/{before,after}{1,2}.md and OUT_DIR/compare.md. About 4 x 4 minutes.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); mkdir -p "$3"; out=$(cd "$3" && pwd)
cd "$out"; mkdir -p bench/results  # report.py writes bench/results/latest.json under the cwd
run() {  # run NAME BUILD_DIR
  echo "bench/ab.sh: $1 ($2) $(date -u +%H:%M:%S)"
  python3 "$src/bench/report.py" --bench "$2/seglog-bench" --micro "$2/seglog-micro" \
    --out "$out/$1.md" --charts "$out/charts-$1" >"$out/$1.log" 2>&1
  cp bench/results/latest.json "$out/$1.json"
}
run before1 "$before"; run after1 "$after"; run before2 "$before"; run after2 "$after"
python3 "$src/bench/compare_runs.py" "$out/before1.md" "$out/before2.md" -- \
  "$out/after1.md" "$out/after2.md" | tee "$out/compare.md"
