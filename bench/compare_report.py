#!/usr/bin/python3
"""Reads the interleaved lines of bench/compare.sh ("<impl> <threads> {json}") and prints medians as a markdown
table and JSON lines {"case","metric","threads","nabla","pytorch","ratio","unit"}; ratio < 1 means Nabla is better."""
import json, statistics, sys
from collections import defaultdict

HIGHER_IS_BETTER = {"batch1000_throughput", "test_accuracy"}
values = defaultdict(list)
units = {}
for line in open(sys.argv[1]):
    impl, threads, payload = line.split(" ", 2)
    d = json.loads(payload)
    values[(d["case"], d["metric"], threads, impl)].append(d["value"])
    units[(d["case"], d["metric"])] = d["unit"]

rows = []
for (case, metric, threads, impl) in sorted(values):
    if impl != "nabla":
        continue
    n = statistics.median(values[(case, metric, threads, "nabla")])
    p_list = values.get((case, metric, threads, "pytorch"))
    p = statistics.median(p_list) if p_list else None
    ratio = None
    if p not in (None, 0) and n != 0:
        ratio = p / n if metric in HIGHER_IS_BETTER else n / p
    rows.append(dict(case=case, metric=metric, threads=int(threads), nabla=n, pytorch=p, ratio=ratio, unit=units[(case, metric)]))

fmt = lambda v: "-" if v is None else (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}")
print("| case | metric | threads | Nabla | PyTorch | ratio | unit |")
print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
for r in rows:
    print(f"| {r['case']} | {r['metric']} | {r['threads']} | {fmt(r['nabla'])} | {fmt(r['pytorch'])} | {fmt(r['ratio'])} | {r['unit']} |")
print()
for r in rows:
    print(json.dumps(r))

# Nabla's 2-thread speed over its 1-thread speed (when both ran): training time per epoch, inference throughput.
scaling = []
by_key = {(r["case"], r["metric"], r["threads"]): r for r in rows}
for (case, metric, threads), r in sorted(by_key.items()):
    if threads != 2 or metric not in ("epoch_seconds", "batch1000_throughput") or (case, metric, 1) not in by_key:
        continue
    one, two = by_key[(case, metric, 1)]["nabla"], r["nabla"]
    speedup = two / one if metric in HIGHER_IS_BETTER else one / two
    scaling.append((case, metric, one, two, speedup))
if scaling:
    print()
    print("| case | metric | Nabla 1T | Nabla 2T | 2T speedup |")
    print("| --- | --- | ---: | ---: | ---: |")
    for case, metric, one, two, speedup in scaling:
        print(f"| {case} | {metric} | {fmt(one)} | {fmt(two)} | {speedup:.2f} |")
    slower = [f"{c} {m}" for c, m, _, _, s in scaling if s < 1]
    print()
    print("2 threads >= 1 thread: " + ("yes, in every case" if not slower else "no, 2 threads slower in " + ", ".join(slower)))
