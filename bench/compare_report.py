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
