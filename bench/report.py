#!/usr/bin/env python3
"""Runs seglog-bench's standard matrix and writes the generated part of BENCHMARKS.md.

Called by bench/run (which installs and builds first). Every workload runs its baselines in
the same process, right after seglog: the raw pwrite loop (the disk's own limit) or memcpy,
and SQLite / RocksDB / LMDB where they were built in. Results are ratios within one run,
because the development machines' disks are noisy. The text between the two markers in
BENCHMARKS.md is replaced; everything else there is written by hand and kept.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

BEGIN = "<!-- bench/run: generated, do not edit by hand -->"
END = "<!-- bench/run: end of generated part -->"
PEERS = ["sqlite", "rocksdb", "lmdb"]


def matrix(quick):
    """(id, title, argv) of every run. Counts keep the whole matrix near 6 minutes."""
    q = 10 if quick else 1
    m = [
        ("append-none-1k", "append, none, 1 KiB, 1 thread, one record per append",
         ["append", "--threads", "1", "--size", "1024", "--count", str(300000 // q),
          "--durability", "none"]),
        ("append-none-1k-b10", "append, none, 1 KiB, 1 thread, batches of 10",
         ["append", "--threads", "1", "--size", "1024", "--count", str(300000 // q), "--batch", "10",
          "--durability", "none"]),
        ("append-none-100-b1", "append, none, 100 B, 1 thread, one by one",
         ["append", "--threads", "1", "--size", "100", "--count", str(1000000 // q),
          "--durability", "none"]),
        ("append-none-100-b100", "append, none, 100 B, 1 thread, batches of 100",
         ["append", "--threads", "1", "--size", "100", "--count", str(5000000 // q), "--batch", "100",
          "--durability", "none"]),
    ]
    for t, n in ((1, 1500), (4, 6000), (16, 20000)):
        m.append((f"append-always-1k-t{t}", f"append, always, 1 KiB, {t} thread(s)",
                  ["append", "--threads", str(t), "--size", "1024", "--count", str(max(n // q, 200)),
                   "--durability", "always"]))
    m += [
        ("stream-none-100-b1", "stream put, none, 100 B, 1 producer, one by one",
         ["stream-put", "--shards", "1", "--size", "100", "--count", str(1000000 // q),
          "--durability", "none", "--no-peers"]),
        ("stream-none-100-b500", "stream put, none, 100 B, 1 producer, batches of 500",
         ["stream-put", "--shards", "1", "--size", "100", "--count", str(5000000 // q),
          "--batch", "500", "--durability", "none", "--no-peers"]),
        ("stream-none-1k-4gib", "stream put, none, 1 KiB, 1 producer, batches of 16, "
         + ("4 GiB sustained" if not quick else "0.4 GiB"),
         ["stream-put", "--shards", "1", "--size", "1024", "--count", str(4194304 // q),
          "--batch", "16", "--durability", "none", "--no-peers"]),
    ]
    m += [
        ("queue-interval-b10", "queue cycle, interval, 1 KiB, batches of 10",
         ["queue", "--size", "1024", "--batch", "10", "--count", str(200000 // q),
          "--durability", "interval"]),
        ("queue-interval-b1", "queue cycle, interval, 1 KiB, one by one",
         ["queue", "--size", "1024", "--batch", "1", "--count", str(50000 // q),
          "--durability", "interval"]),
        ("queue-always-b10", "queue cycle, always, 1 KiB, batches of 10",
         ["queue", "--size", "1024", "--batch", "10", "--count", str(20000 // q),
          "--durability", "always"]),
        ("queue-always-b1", "queue cycle, always, 1 KiB, one by one",
         ["queue", "--size", "1024", "--batch", "1", "--count", str(3000 // q),
          "--durability", "always"]),
        ("stream-read", "stream scan, warm page cache, 1 KiB records",
         ["stream-read", "--gib", "0.1" if quick else "1"]),
        ("queue-depth", "queue receive latency and memory by depth",
         ["queue-depth", "--depth", "1", "--depth", "10000" if quick else "1000000"]),
        ("open-after-kill", "open after kill -9",
         ["open", "--after-kill", "--sealed-gib", "0.5" if quick else "10", "--repeats", "3"]),
    ]
    return m


def run(bench, argv):
    t0 = time.time()
    p = subprocess.run([bench] + argv + ["--json"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit(f"bench/report.py: {' '.join(argv)} failed ({p.returncode})")
    return json.loads(p.stdout), time.time() - t0


def fmt(x, digits=0):
    if x is None:
        return "—"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def lat(l):
    if not l:
        return "—"
    return f"{l['p50_us']:.1f} / {l['p99_us']:.1f} / {l['p999_us']:.1f} / {l['max_us']:.0f}"


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        osr = dict(l.rstrip().split("=", 1) for l in open("/etc/os-release") if "=" in l)
        osn = osr.get("PRETTY_NAME", "?").strip('"')
    except OSError:
        osn = "?"
    return (f"{osn}, kernel {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
            f"{mem:.0f} GiB RAM")


def peer_cells(j, key):
    out = []
    peers = j.get("peers", {})
    for p in PEERS:
        if p in peers:
            pj = peers[p]
            out.append(f"{fmt(pj[key])} ({pj['seglog_over_peer']:.2f}×)")
        else:
            out.append("skipped")
    return out


def gnuplot(charts, results):
    """Throughput against threads (append, always) and latency percentiles (same runs)."""
    os.makedirs(charts, exist_ok=True)
    rows = []
    for t in (1, 4, 16):
        j = results.get(f"append-always-1k-t{t}")
        if not j:
            continue
        peers = j.get("peers", {})
        rows.append([t, j["records_per_s"], j.get("raw", {}).get("records_per_s", 0)] +
                    [peers.get(p, {}).get("records_per_s", 0) for p in PEERS])
    dat = os.path.join(charts, "append_always_threads.dat")
    with open(dat, "w") as f:
        f.write("# threads seglog raw sqlite rocksdb lmdb (records/s)\n")
        for r in rows:
            f.write(" ".join(str(x) for x in r) + "\n")
    lat_dat = os.path.join(charts, "append_always_latency.dat")
    j = results.get("append-always-1k-t16")
    with open(lat_dat, "w") as f:
        f.write("# store p50 p99 p99.9 (us), append always 1 KiB 16 threads\n")
        if j:
            f.write(f"seglog {j['latency']['p50_us']} {j['latency']['p99_us']} {j['latency']['p999_us']}\n")
            for p in PEERS:
                pl = j.get("peers", {}).get(p, {}).get("latency")
                if pl:
                    f.write(f"{p} {pl['p50_us']} {pl['p99_us']} {pl['p999_us']}\n")
    script = f"""
set terminal pngcairo size 900,520 noenhanced
set output '{charts}/append_always_threads.png'
set title 'append, durability always, 1 KiB records: records/s by threads (one run)'
set xlabel 'threads'; set ylabel 'records/s'; set logscale x 2; set grid; set key top left
plot '{dat}' using 1:2 with linespoints lw 2 title 'seglog', \\
     '' using 1:3 with linespoints title 'raw pwrite+fdatasync loop (1 thread)', \\
     '' using 1:4 with linespoints title 'SQLite WAL FULL', \\
     '' using 1:5 with linespoints title 'RocksDB sync', \\
     '' using 1:6 with linespoints title 'LMDB'
set output '{charts}/append_always_latency.png'
set title 'append, always, 1 KiB, 16 threads: latency percentiles (us, log scale)'
unset logscale x; set logscale y; set style data histograms; set style histogram clustered
set style fill solid 0.8 border -1; set boxwidth 0.9; set xlabel ''; set ylabel 'microseconds'
plot '{lat_dat}' using 2:xtic(1) title 'p50', '' using 3 title 'p99', '' using 4 title 'p99.9'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        sys.stderr.write(f"bench/report.py: no charts ({e})\n")
        return False


def goal_rows(r):
    """(goal, measured, met) for each of issue 5's goals the run measured."""
    rows = []

    def peer_ratio(j, p):
        return j.get("peers", {}).get(p, {}).get("seglog_over_peer")

    j = r.get("stream-none-1k-4gib")
    if isinstance(j, dict) and j.get("raw_disk"):
        # To the disk: puts + final sync against 1 MiB pwrites + fdatasync of the same bytes.
        # (The 16-record raw loop without a sync measures the page cache on a machine whose
        # memory holds all 4 GiB; it is in the table below, not the goal.)
        x = j["ratio_vs_raw_disk"]
        rows.append(("stream append 1 KiB, none, 1 thread, sustained to the disk: >= 0.9x the raw "
                     "loop (large chunks + fdatasync)",
                     f"{x:.2f}x ({j['durable_mb_per_s']:.0f} MB/s vs {j['raw_disk']['mb_per_s']:.0f} MB/s; "
                     f"into the page cache {j['ratio_vs_raw']:.2f}x the 16-record loop)", x >= 0.9))
    j = r.get("stream-none-100-b500")
    if isinstance(j, dict):
        rows.append(("stream append 100 B, none, 1 thread, batched: >= 5 M records/s",
                     f"{j['puts_per_s'] / 1e6:.2f} M/s", j["puts_per_s"] >= 5e6))
    j = r.get("stream-none-100-b1")
    if isinstance(j, dict):
        rows.append(("stream append 100 B, none, 1 thread, one by one: >= 2 M records/s",
                     f"{j['puts_per_s'] / 1e6:.2f} M/s", j["puts_per_s"] >= 2e6))
    j = r.get("append-always-1k-t16")
    if isinstance(j, dict) and j.get("raw"):
        rows.append(("always, 16 threads, 1 KiB: >= 10x the single-thread fdatasync rate",
                     f"{j['ratio_vs_raw']:.2f}x", j["ratio_vs_raw"] >= 10))
        rr = peer_ratio(j, "rocksdb")
        if rr is not None:
            rows.append(("always, 16 threads, 1 KiB: >= 2x RocksDB", f"{rr:.2f}x", rr >= 2))
        rp = j["raw"].get("latency", {}).get("p99_us")
        if rp:
            x = j["latency"]["p99_us"] / rp
            rows.append(("always, 16 threads: p99 within 3x the raw fdatasync p99",
                         f"{x:.2f}x ({j['latency']['p99_us'] / 1e3:.1f} ms vs {rp / 1e3:.1f} ms)", x <= 3))
    for key, what in (("append-none-1k", "appends, none, 1 KiB"),
                      ("append-always-1k-t16", "appends, always, 16 threads")):
        j = r.get(key)
        if not isinstance(j, dict):
            continue
        for p, want in (("sqlite", 10), ("rocksdb", 3), ("lmdb", 3)):
            x = peer_ratio(j, p)
            if x is not None:
                rows.append((f"{what}: >= {want}x {p}", f"{x:.2f}x", x >= want))
    for key, what in (("queue-interval-b10", "queue cycle, interval, batches of 10"),
                      ("queue-always-b1", "queue cycle, always, one by one")):
        j = r.get(key)
        if not isinstance(j, dict):
            continue
        for p, want in (("sqlite", 10), ("lmdb", 3)):
            x = peer_ratio(j, p)
            if x is not None:
                rows.append((f"{what}: >= {want}x {p}", f"{x:.2f}x", x >= want))
    j = r.get("queue-interval-b10")
    if isinstance(j, dict):
        rows.append(("queue cycle, interval, batches of 10: >= 1 M messages/s",
                     f"{j['messages_per_s'] / 1e6:.2f} M/s", j["messages_per_s"] >= 1e6))
    j = r.get("stream-read")
    if isinstance(j, dict):
        rows.append(("scan, warm page cache: >= 0.5x memcpy",
                     f"{j['ratio_vs_memcpy']:.2f}x best of {j.get('passes', 1)} passes each "
                     f"({j['gb_per_s']:.1f} vs {j['memcpy_gb_per_s']:.1f} GB/s); medians "
                     f"{j.get('median_ratio_vs_memcpy', j['ratio_vs_memcpy']):.2f}x",
                     j["ratio_vs_memcpy"] >= 0.5))
    j = r.get("open-after-kill")
    if isinstance(j, dict):
        rows.append((f"open after kill -9 with {j['sealed_gib']} GiB sealed: < 100 ms",
                     f"median {j['open_ms_warm_median']:.1f} ms, max {j['open_ms_warm_max']:.1f} ms; "
                     f"cold caches median {j['open_ms_cold_median']:.1f} ms",
                     j["open_ms_warm_max"] < 100 and j["open_ms_cold_median"] < 100))
    return rows


def raw_cell(j):
    """The raw loop's records/s and seglog's ratio to it, or a dash when it did not run."""
    raw = j.get("raw")
    return f"{fmt(raw['records_per_s'])} ({j['ratio_vs_raw']:.2f}×)" if raw else "—"


def render(results, cmds, secs, micro, charts_ok, charts, quick):
    L = []
    w = L.append

    def runs_of(workload):
        """(title, result) of each run of `workload` that produced a result, in matrix order."""
        for key, title, _ in cmds:
            j = results.get(key)
            if isinstance(j, dict) and j.get("workload") == workload:
                yield title, j
    w(BEGIN)
    w("")
    w(f"Generated by `bench/run{' --quick' if quick else ''}` on "
      f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
      f"{sum(secs.values()):.0f} s in all. Machine: {machine()}.")
    w("Each row is one process: seglog first, then, in the same run and with the same records, "
      "batches, threads and durability, the disk's own limit (a sequential pwrite loop of the "
      "same bytes with the same sync cadence) and each peer. Ratios are seglog ÷ baseline: "
      "above 1, seglog is faster. `always` peer runs are capped at 3,000 transactions.")
    w("")
    w("### Appends")
    w("")
    w("| workload | seglog records/s | p50 / p99 / p99.9 / max µs | raw loop (ratio) | SQLite (ratio) | RocksDB (ratio) | LMDB (ratio) |")
    w("|---|---:|---|---:|---:|---:|---:|")
    for title, j in runs_of("append"):
        rawc = raw_cell(j)
        w(f"| {title} | {fmt(j['records_per_s'])} | {lat(j['latency'])} | {rawc} | " +
          " | ".join(peer_cells(j, "records_per_s")) + " |")
    w("")
    w("### Stream puts (no peers: the disk's limit is the baseline)")
    w("")
    w("| workload | seglog records/s | MB/s | p50 / p99 / p99.9 / max µs per put | raw loop records/s (ratio) |")
    w("|---|---:|---:|---|---:|")
    for title, j in runs_of("stream-put"):
        rawc = raw_cell(j)
        w(f"| {title} | {fmt(j['puts_per_s'])} | {j['mb_per_s']:.1f} | {lat(j['latency'])} | {rawc} |")
    w("")
    w("### Queue cycle (producer sends, consumer receives and deletes; 1 producer, 1 consumer)")
    w("")
    w("| workload | seglog messages/s | send p50/p99/p99.9/max µs | receive | delete | SQLite (ratio) | RocksDB (ratio) | LMDB (ratio) |")
    w("|---|---:|---|---|---|---:|---:|---:|")
    for title, j in runs_of("queue"):
        w(f"| {title} | {fmt(j['messages_per_s'])} | {lat(j['send_latency'])} | "
          f"{lat(j['receive_latency'])} | {lat(j['delete_latency'])} | " +
          " | ".join(peer_cells(j, "messages_per_s")) + " |")
    w("")
    j = results.get("stream-read")
    if j:
        w("### Scan")
        w("")
        w(f"TRIM_HORIZON scan of {j['bytes'] / 2**30:.2f} GiB of 1 KiB records, warm: "
          f"{j['gb_per_s']:.2f} GB/s, {fmt(j['records_per_s'])} records/s; memcpy of the same "
          f"bytes {j['memcpy_gb_per_s']:.2f} GB/s: **{j['ratio_vs_memcpy']:.2f}× memcpy**.")
        w("")
    jd = results.get("queue-depth")
    if jd:
        w("### Queue depth")
        w("")
        w("| queued messages | receive p50 / p99 / p99.9 / max µs | heap per live message | heap per message after reopen | reopen |")
        w("|---:|---|---:|---:|---:|")
        for d in jd:
            w(f"| {fmt(d['depth'])} | {lat(d['receive_latency'])} | "
              f"{d['heap_bytes_per_message_live']:.1f} B | {d['heap_bytes_per_message_reopened']:.1f} B | "
              f"{d['reopen_ms']:.0f} ms |")
        w("")
    jo = results.get("open-after-kill")
    if jo:
        w("### Open after kill -9")
        w("")
        w(f"{jo['sealed_gib']} GiB sealed, the writer killed with SIGKILL mid-append before each "
          f"open: median {jo['open_ms_warm_median']:.1f} ms (max {jo['open_ms_warm_max']:.1f}) "
          f"with the page cache as the kill left it; median {jo['open_ms_cold_median']:.1f} ms "
          f"(max {jo['open_ms_cold_max']:.1f}) after dropping caches.")
        w("")
    goals = goal_rows(results)
    if goals:
        w("### Issue 5's goals, as measured in this run")
        w("")
        w("| goal | measured | met |")
        w("|---|---|:---:|")
        for g, m, ok in goals:
            w(f"| {g} | {m} | {'yes' if ok else '**no**'} |")
        w("")
    if charts_ok:
        w("### Charts")
        w("")
        w(f"![append always, records/s by threads]({charts}/append_always_threads.png)")
        w("")
        w(f"![append always, latency percentiles]({charts}/append_always_latency.png)")
        w("")
    if micro:
        w("### Micro-benchmarks (`seglog-micro`, Google Benchmark)")
        w("")
        w("| benchmark | time per iteration | throughput |")
        w("|---|---:|---:|")
        for b in micro:
            tp = ""
            if "bytes_per_second" in b:
                tp = f"{b['bytes_per_second'] / 1e9:.2f} GB/s"
            elif "items_per_second" in b:
                tp = f"{b['items_per_second'] / 1e6:.2f} M items/s"
            w(f"| `{b['name']}` | {b['real_time']:.0f} {b.get('time_unit', 'ns')} | {tp} |")
        w("")
    w("### Commands")
    w("")
    w("```sh")
    for key, _, argv in cmds:
        if key in results:
            w(f"build-bench/seglog-bench {' '.join(argv)}   # {secs[key]:.0f} s")
    if micro:
        w("build-bench/seglog-micro --benchmark_min_time=0.05")
    w("```")
    w("")
    w(END)
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--micro")
    ap.add_argument("--out", default="BENCHMARKS.md")
    ap.add_argument("--charts", default="bench/charts")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    cmds = matrix(a.quick)
    results, secs = {}, {}
    for key, title, argv in cmds:
        print(f"bench/run: {title} ...", flush=True)
        results[key], secs[key] = run(a.bench, argv)
    micro = []
    if a.micro and os.path.exists(a.micro):
        print("bench/run: micro-benchmarks ...", flush=True)
        t0 = time.time()
        p = subprocess.run([a.micro, "--benchmark_min_time=0.05", "--benchmark_format=json"],
                           capture_output=True, text=True)
        secs["micro"] = time.time() - t0
        if p.returncode == 0:
            micro = [b for b in json.loads(p.stdout)["benchmarks"] if b.get("run_type") != "aggregate"]
    os.makedirs("bench/results", exist_ok=True)
    with open("bench/results/latest.json", "w") as f:
        json.dump({"results": results, "seconds": secs}, f, indent=1)
    charts_ok = gnuplot(a.charts, results)
    text = render(results, cmds, secs, micro, charts_ok, a.charts, a.quick)
    old = open(a.out).read() if os.path.exists(a.out) else "# seglog benchmarks\n"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END):]
    else:
        marker = "\n## "
        at = old.find(marker)
        head = "## Latest `bench/run`\n\n" + text + "\n\n"
        new = (old[:at + 1] + head + old[at + 1:]) if at >= 0 else old + "\n" + head
    with open(a.out, "w") as f:
        f.write(new)
    print(f"bench/run: wrote {a.out} and {a.charts}/ ({sum(secs.values()):.0f} s)")


if __name__ == "__main__":
    main()
