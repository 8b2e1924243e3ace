#!/usr/bin/env python3
"""Compares the ratio tables of several `bench/run` reports taken in one sitting.

    bench/compare_runs.py before1.md before2.md -- after1.md after2.md

Each report is a BENCHMARKS.md written by `bench/report.py --out`. For every table row and
every ratio column ("(1.23×)") it prints the "before" ratios, the "after" ratios and a verdict:
the noise is the spread of the "before" runs (largest minus smallest), and the change counts as
worse when the mean "after" ratio lies below the mean "before" ratio by more than that spread. Exit status 1 when any is worse.
"""
import re
import sys

RATIO = re.compile(r"\(([0-9.]+)×\)")


def ratio_rows(path):
    """{(section, workload, column): ratio} for every ratio cell of every table."""
    out, section, header = {}, "", []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
        if not line.startswith("|"):
            header = [] if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if not header:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        for col, cell in zip(header[1:], cells[1:]):
            m = RATIO.search(cell)
            if m:
                out[(section, cells[0], col)] = float(m.group(1))
    return out


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    before = [ratio_rows(p) for p in argv[:cut]]
    after = [ratio_rows(p) for p in argv[cut + 1:]]
    keys = [k for k in before[0] if all(k in r for r in before + after)]
    worse = 0
    print("| section | workload | baseline | before | after | verdict |")
    print("|---|---|---|---|---|---|")
    for k in keys:
        b = [r[k] for r in before]
        a = [r[k] for r in after]
        noise = max(b) - min(b)
        verdict = "within noise"
        mb, ma = sum(b) / len(b), sum(a) / len(a)
        if ma < mb - noise:
            verdict, worse = "**worse**", worse + 1
        elif ma > mb + noise:
            verdict = "better"
        fmt = lambda xs: " / ".join(f"{x:.2f}" for x in xs)
        print(f"| {k[0]} | {k[1]} | {k[2]} | {fmt(b)} | {fmt(a)} | {verdict} |")
    print(f"\n{len(keys)} ratios compared; {worse} worse than the noise of the 'before' runs.")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
