#!/usr/bin/env bash
# bench/server_bench.sh: seglogd's benchmark (issue 13), every number in one run.
#
#   bench/server_bench.sh [BUILD_DIR] [--seconds N] [--connections N] [--out FILE]
#
# BUILD_DIR (default build/) must hold seglog-server-load (cmake -DSEGLOG_BUILD_BENCH=ON,
# target seglog-server-load) and seglogd; this script builds nothing. It runs, with
# seglog-server-load as the client:
#   1. seglogd (--durability interval: the queues and stream it creates over the API sync
#      every 200 ms) on a temporary store: the SQS cycle
#      (SendMessageBatch 10 / ReceiveMessage 10 / DeleteMessageBatch), SendMessage latency,
#      long-poll wake latency, Kinesis PutRecords / GetRecords, RSS per idle connection;
#   2. moto_server (pip moto; skipped with a message when missing): the SQS cycle and the
#      SendMessage latency;
#   3. the SQS cycle against canned answers (seglog-server-load --mode stub-server): what the
#      generator alone can drive, so a server rate near it is the generator's limit;
#   4. the same SQS cycle in-process through the engine's C++ API (durability interval),
#      pinned to the server's core, then on every core;
# then prints a table and the ratios. With 2 or more CPUs the server (seglogd, moto, the stub,
# the in-process baseline) runs on one CPU and the generator on another (taskset); the table
# says how much of its core each side used. Logs and results stay in /tmp/seglog-server-bench.*. About 1.5 to 2 minutes with the defaults.
set -euo pipefail

build=build
seconds=10
connections=4
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,22p "$0"; exit 0 ;;
    *) build=$1; shift ;;
  esac
done
load="$build/seglog-server-load"
seglogd="$build/seglogd"
[ -x "$load" ] || { echo "server_bench.sh: $load missing (build target seglog-server-load)" >&2; exit 1; }

work=$(mktemp -d /tmp/seglog-server-bench.XXXXXX)
results=${out:-$work/results.jsonl}
: >"$results"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work/data"
}
trap cleanup EXIT

# CPU placement: the server on the first CPU this script may use, the generator on the second.
cpus=$(nproc)
if [ "$cpus" -ge 2 ] && command -v taskset >/dev/null; then
  read -r cpu_a cpu_b < <(python3 -c 'import os; c = sorted(os.sched_getaffinity(0)); print(c[0], c[1])')
  on_server="taskset -c $cpu_a"; on_client="taskset -c $cpu_b"
  placement="server on CPU $cpu_a, generator on CPU $cpu_b (taskset); $cpus CPUs"
else
  on_server=""; on_client=""
  placement="server and generator share $cpus CPU(s) (no taskset)"
fi
echo "server_bench.sh: $placement; results in $results"

record() {  # record LABEL ARGS...: one run of the generator on the client CPU, its JSON kept
  local label=$1; shift
  echo "  $label: $*" >&2
  if ! $on_client "$load" --label "$label" "$@" | tee -a "$results"; then
    echo "server_bench.sh: that run failed; going on" >&2
  fi
}

wait_for_file() {  # wait_for_file PATH PID
  for _ in $(seq 1 200); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- 1. seglogd ----
if [ -x "$seglogd" ]; then
  echo "== seglogd"
  mkdir -p "$work/data/seglogd"
  # Queues and the stream are created through the API with durability interval; glibc's
  # per-thread malloc cache as contrib/seglogd.service sets it (unless the caller set one).
  GLIBC_TUNABLES=${GLIBC_TUNABLES-glibc.malloc.tcache_count=64} \
  $on_server "$seglogd" --data "$work/data/seglogd" --listen 127.0.0.1:0 \
    --durability interval --ready-file "$work/ready" >"$work/seglogd.log" 2>&1 &
  server_pid=$!
  if ! wait_for_file "$work/ready" "$server_pid"; then
    echo "server_bench.sh: seglogd did not start:" >&2; cat "$work/seglogd.log" >&2; exit 1
  fi
  ep=$(head -n 1 "$work/ready")
  # First, on a fresh server: once load has come and gone, the allocator's free memory hides
  # what new connections take.
  record seglogd --mode idle-connections --endpoint "$ep" --count 1000 --server-pid "$server_pid"
  record seglogd --mode sqs-cycle --endpoint "$ep" --connections "$connections" \
    --seconds "$seconds" --server-pid "$server_pid"
  record seglogd --mode sqs-send-latency --endpoint "$ep" --messages 2000 --seconds "$seconds"
  record seglogd --mode long-poll-wake --endpoint "$ep" --repeat 50
  record seglogd --mode kinesis --endpoint "$ep" --connections 2 --seconds 5 \
    --server-pid "$server_pid"
  stop_server
else
  echo "== seglogd: $seglogd missing, skipped"
fi

# ---- 2. moto_server ----
if command -v moto_server >/dev/null; then
  echo "== moto_server"
  port=$(free_port)
  $on_server moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  record moto --mode sqs-cycle --endpoint "http://127.0.0.1:$port" \
    --connections "$connections" --seconds "$seconds" --server-pid "$server_pid"
  record moto --mode sqs-send-latency --endpoint "http://127.0.0.1:$port" --messages 300 --seconds "$seconds"
  stop_server
else
  echo "== moto_server: not installed (pip install 'moto[server]'), skipped"
fi

# ---- 3. the generator's ceiling: the same cycle against canned answers ----
echo "== generator ceiling (seglog-server-load --mode stub-server)"
rm -f "$work/stub-ready"
$on_server "$load" --mode stub-server --ready-file "$work/stub-ready" --size 100 &
server_pid=$!
if wait_for_file "$work/stub-ready" "$server_pid"; then
  record stub --mode sqs-cycle --endpoint "$(head -n 1 "$work/stub-ready")" \
    --connections "$connections" --seconds 5 --server-pid "$server_pid"
fi
stop_server

# ---- 4. in-process ----
echo "== in-process (engine C++ API, durability interval)"
mkdir -p "$work/data/in1" "$work/data/in2"
echo "  in-process, server's CPU only" >&2
$on_server "$load" --mode in-process --label in-process --data "$work/data/in1" \
  --connections "$connections" --seconds "$seconds" | tee -a "$results"
echo "  in-process, every CPU" >&2
"$load" --mode in-process --label in-process-all-cpus --data "$work/data/in2" \
  --connections "$connections" --seconds "$seconds" | tee -a "$results"

# ---- table ----
python3 - "$results" "$placement" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def find(server, mode):
    for r in runs:
        if r.get("server") == server and r.get("mode") == mode:
            return r
    return None
def ms(us): return "-" if us is None else f"{us / 1000:.2f} ms"
print()
print(f"seglogd benchmark ({sys.argv[2]})")
print()
print(f"{'run':<34} {'msgs/s (deleted)':>16} {'sent/s':>10} {'p50 send10':>11} {'p99 send10':>11} {'gen cores':>9} {'srv cores':>9} {'errors':>6}")
cycles = {}
for server in ("seglogd", "moto", "stub", "in-process", "in-process-all-cpus"):
    r = find(server, "sqs-cycle") or find(server, "in-process")
    if not r: continue
    cycles[server] = r["deleted_per_s"]
    sb = r["send_batch"]
    srv = r.get("server_cores_used")
    print(f"{server + ' SQS cycle x' + str(r['connections']):<34} {r['deleted_per_s']:>16.0f} {r['sent_per_s']:>10.0f} "
          f"{ms(sb.get('p50_us')):>11} {ms(sb.get('p99_us')):>11} {r['generator_cores_used']:>9.2f} "
          f"{'-' if srv is None else f'{srv:.2f}':>9} {r['errors']:>6}")
print()
for server in ("seglogd", "moto"):
    r = find(server, "sqs-send-latency")
    if r:
        s = r["send"]
        print(f"{server} SendMessage (1 connection, {s['count']}): p50 {ms(s.get('p50_us'))}, p99 {ms(s.get('p99_us'))}, max {ms(s.get('max_us'))}, errors {r['errors']}")
r = find("seglogd", "long-poll-wake")
if r:
    w = r["wake_after_send_response"]; q = r["wake_after_send_request"]
    print(f"seglogd long-poll wake ({r['rounds']} rounds, {r['missed']} missed): after the send's response p50 {ms(w.get('p50_us'))}, p99 {ms(w.get('p99_us'))}; after the send's request p50 {ms(q.get('p50_us'))}, p99 {ms(q.get('p99_us'))}")
r = find("seglogd", "kinesis")
if r:
    p, g = r["put"], r["get"]
    print(f"seglogd Kinesis ({r['shards']} shards, {r['size']} B records): PutRecords x500 {p['records_per_s']:.0f} records/s ({p['mb_per_s']:.1f} MB/s, p50 {ms(p['put_records'].get('p50_us'))}); "
          f"GetRecords {g['records_per_s']:.0f} records/s ({g['mb_per_s']:.1f} MB/s); all read back: {r['all_read_back']}; errors {r['errors']}")
r = find("seglogd", "idle-connections")
if r:
    per = r.get("kib_per_connection")
    print(f"seglogd idle connections: {r['open_after']} of {r['connections']} open; RSS {r['server_rss_after_kib'] - r['server_rss_before_kib']:+d} KiB"
          + ("" if per is None else f" = {per:.1f} KiB per connection, {per * 1000 / 1024:.1f} MiB per 1,000"))
print()
def ratio(a, b, goal):
    if a in cycles and b in cycles and cycles[b] > 0:
        v = cycles[a] / cycles[b]
        print(f"ratio {a} / {b} (SQS cycle, batches of 10): {v:.2f}  (goal >= {goal}: {'met' if v >= goal else 'NOT met'})")
ratio("seglogd", "in-process", 0.5)
ratio("seglogd", "in-process-all-cpus", 0.5)
ratio("seglogd", "moto", 20)
gen = [r for r in runs if r.get("server") in ("seglogd", "moto") and "generator_cores_used" in r]
if gen:
    busiest = max(gen, key=lambda r: r["generator_cores_used"])
    print(f"generator: at most {busiest['generator_cores_used']:.2f} cores busy ({busiest['server']} {busiest['mode']}), "
          f"of the {busiest.get('cpus_allowed', '?')} CPU(s) it was allowed; the in-process rows' 'gen cores' are the whole process")
    stub = find("stub", "sqs-cycle")
    if stub and "seglogd" in cycles:
        print(f"generator ceiling (canned answers): {stub['deleted_per_s']:.0f} msgs/s; seglogd reached {cycles['seglogd'] / max(stub['deleted_per_s'], 1):.2f} of it")
    for r in gen:
        if r["mode"] == "sqs-cycle" and r["generator_cores_used"] >= 0.9 * r.get("cpus_allowed", 1):
            print(f"NOTE: the generator saturated its CPU(s) in {r['server']}'s SQS cycle: that rate is a lower bound")
EOF
