#!/bin/bash
# A/B of bench/run's `always` append rows between two seglog-bench binaries, alternating
# before/after twice in one sitting (issue 10: the cost of durable marks).
#   bench/ab_always.sh BEFORE_BIN AFTER_BIN
# e.g. build a checkout of the older commit with -DSEGLOG_BUILD_TESTS=OFF --target seglog-bench.
# The queue rows: the same loop over `queue --size 1024 --batch {10,1} --count {20000,3000}`.
set -u
B=$1
A=$2
row() { # name bin args...
  local name=$1 bin=$2; shift 2
  local out; out=$($bin "$@" --no-peers --no-raw --json 2>/dev/null)
  echo "$name $(echo "$out" | python3 -c 'import json,sys
j=json.load(sys.stdin)
def f(d,p=""):
  for k,v in d.items():
    if isinstance(v,dict): f(v,p+k+".")
    elif any(x in k for x in ("per_s","p50","p99","msgs","records_s","rate")): print(p+k+"="+str(v),end=" ")
f(j)')"
}
for round in 1 2; do
 for side in before after; do
  bin=$B; [ $side = after ] && bin=$A
  row "r$round $side append-always-t1 " $bin append --threads 1 --size 1024 --count 1500 --durability always
  row "r$round $side append-always-t4 " $bin append --threads 4 --size 1024 --count 6000 --durability always
  row "r$round $side append-always-t16" $bin append --threads 16 --size 1024 --count 20000 --durability always
 done
done
