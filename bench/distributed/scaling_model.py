#!/usr/bin/env python3
"""Scaling model of Nabla's data-parallel training, fitted to a bench/distributed/run.sh result file.

Ring allreduce of n bytes over p nodes (each link alpha seconds per message, beta bytes/s):
    T(n, p) = 2 (p - 1) alpha + 2 (p - 1) / p * n / beta
A step's gradients go in buckets b_1..b_k (floats, the sizes DistributedDataParallel makes, reduced in that order);
all but the last can be reduced while backward still runs, so the communication a step waits for is
    exposed(p) = max(T(4 b_k, p), sum_i T(4 b_i, p) - t_backward)
with t_backward = 2/3 of the step's compute (backward costs about twice forward). Compute per step is taken linear in
the rows each rank trains (t_step(b) = t64 * b / 64, t64 measured: 1 process x 1 thread, batch 64), which flatters the
small per-rank batches of strong scaling. Epoch of N = 60,000 examples:
    strong scaling (global batch 64, 64/p rows per rank):   epoch(p) = N/64 * (t_step(64/p) + exposed(p))
    weak scaling (64 rows per rank, global batch 64 p):     epoch(p) = N/(64 p) * (t_step(64) + exposed(p))
efficiency(p) = epoch(1) / (p * epoch(p)).

alpha and beta are fitted to the 2-rank allreduce curves (T = 2 alpha + n / beta; alpha from the fastest message of at
most 4 KiB, beta from the best bandwidth between 16 KiB and 1 MiB: on a shared machine the fastest run is the least
disturbed). The one measured across two network namespaces (TCP over a veth pair) gives alpha, what the kernel's TCP
stack and Open MPI cost per message; a real NIC and switch add a few microseconds: 5 us at 10 Gbit/s, 2 us at 100.
beta is the line rate times 0.9 (TCP/IP overhead). Usage: scaling_model.py RESULT.md
"""
import json
import re
import sys

N = 60000


def parse(path):
    section, curves, buckets, epochs = None, {}, {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("### "):
            section = line[4:]
        elif line.startswith('{"case":"allreduce"'):
            j = json.loads(line)
            curves.setdefault(section, []).append((j["bytes"], j["us"] * 1e-6))
        elif line.startswith('{"case":"step_buckets"') and section and section.startswith("shared"):
            j = json.loads(line)
            buckets[j["model"]] = j["buckets"]
            buckets[j["model"] + "_us"] = j["us"]
        elif line.startswith('{"case":"epoch"'):
            j = json.loads(line)
            epochs[j["model"]] = j
    return curves, buckets, epochs


def fit(points):
    """alpha and beta of a 2-rank curve (T = 2 alpha + n / beta), robust to a loaded machine: alpha from the fastest
    small message (<= 4 KiB), beta from the best bandwidth of the messages from 16 KiB to 1 MiB."""
    alpha = min(t for n, t in points if n <= 4096) / 2
    beta = max(n / max(t - 2 * alpha, 1e-9) for n, t in points if (16 << 10) <= n <= (1 << 20))
    return alpha, beta


def ring(nbytes, p, alpha, beta):
    return 0.0 if p == 1 else 2 * (p - 1) * alpha + 2 * (p - 1) / p * nbytes / beta


def exposed(bkts, p, alpha, beta, t_backward):
    times = [ring(4 * b, p, alpha, beta) for b in bkts]
    return max(times[-1], sum(times) - t_backward) if times else 0.0


def main(path):
    curves, buckets, epochs = parse(path)
    print(f"Fitted to {path}:\n")
    print("| transport | alpha (us per message) | beta (GB/s) |")
    print("| --- | ---: | ---: |")
    fits = {}
    for name, pts in curves.items():
        alpha, beta = fits[name] = fit(pts)
        print(f"| {name} | {alpha * 1e6:.1f} | {beta / 1e9:.2f} |")
    veth = next((v for k, v in fits.items() if "namespace" in k or "veth" in k), next(iter(fits.values())))
    print()
    for model in ("lenet", "cnn", "mlp"):
        if model not in buckets or model not in epochs:
            continue
        e = epochs[model]
        steps_measured = e["limit"] // 64
        t64 = e["t1x1"] / steps_measured
        bkts = buckets[model]
        print(f"### {model}: {sum(bkts):,} parameters in buckets {bkts}; compute {t64 * 1e3:.2f} ms per step of 64 (1 thread)\n")
        print("| nodes | network | strong: epoch (s) | strong: efficiency | weak: epoch (s) | weak: efficiency | exposed comm per step (ms) |")
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
        for gbit, extra in ((10, 5e-6), (100, 2e-6)):
            alpha, beta = veth[0] + extra, gbit * 1e9 / 8 * 0.9
            t1 = N / 64 * t64
            for p in (1, 2, 4, 8, 16, 32, 64):
                ts = t64 * (64 / p) / 64
                strong = N / 64 * (ts + exposed(bkts, p, alpha, beta, ts * 2 / 3))
                ex = exposed(bkts, p, alpha, beta, t64 * 2 / 3)
                weak = N / (64 * p) * (t64 + ex)
                print(f"| {p} | {gbit} Gbit/s | {strong:.2f} | {t1 / (p * strong):.0%} | {weak:.2f} | {t1 / (p * weak):.0%} | {ex * 1e3:.2f} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/2026-12-07-distributed.md")
