#!/usr/bin/env bash
# Data-parallel training on Open MPI, measured on this machine (see bench/README.md, "Distributed"):
#   1. allreduce latency and bandwidth against message size: shared memory (Open MPI's default between ranks of one
#      host), TCP over loopback, and TCP across two network namespaces joined by a veth pair (root only);
#   2. per zoo model, one step's gradient buckets reduced back to back (what backward would have to hide);
#   3. how much of the gradient communication backward hides (overlap on against off, interleaved steps);
#   4. epoch time of 1 process x 2 threads, 2 ranks x 1 thread and 1 process x 1 thread, with the time 2 ranks spend
#      waiting for gradients after backward (the communication backward did not hide).
# Usage: bench/distributed/run.sh [--models "mlp lenet cnn"] [--limit N] [--out FILE] [--no-build]. Writes markdown and JSON lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
models="mlp lenet cnn"; limit=6400; out=""; build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --models) models=$2; shift 2 ;;
        --limit) limit=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v mpirun >/dev/null || { echo "needs Open MPI: apt-get install openmpi-bin" >&2; exit 1; }
if [ "$build" -eq 1 ]; then
    dotnet build -c Release bench/Nabla.Bench </dev/null >/dev/null
    dotnet build -c Release src/Nabla.Cli </dev/null >/dev/null
fi
bench=bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll
nabla=src/Nabla.Cli/bin/Release/net10.0/Nabla.Cli.dll
mpi=(mpirun --allow-run-as-root --oversubscribe)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; [ -n "${ns:-}" ] && ip netns del "${ns}a" 2>/dev/null; [ -n "${ns:-}" ] && ip netns del "${ns}b" 2>/dev/null; true' EXIT
[ -n "$out" ] || out="bench/results/$(date -u +%Y-%m-%d-%H%M)-distributed.md"
exec > >(tee "$out") 2>&1
echo "# Distributed benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(mpirun --version | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## Allreduce, 2 ranks"
echo
echo "### shared memory (vader)"
NABLA_BENCH_TRANSPORT="shared memory" "${mpi[@]}" -np 2 -x NABLA_BENCH_TRANSPORT dotnet "$bench" allreduce | tr -d '\r' | sed 's/\x1b\[?1h\x1b=//g'
echo
echo "### TCP over loopback"
NABLA_BENCH_TRANSPORT="tcp loopback" "${mpi[@]}" -np 2 --mca btl tcp,self -x NABLA_BENCH_TRANSPORT dotnet "$bench" allreduce | tr -d '\r' | sed 's/\x1b\[?1h\x1b=//g'
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
    ns=nbench$$
    ip netns add "${ns}a"; ip netns add "${ns}b"
    ip link add "${ns}a" type veth peer name "${ns}b"
    for s in a b; do
        ip link set "${ns}$s" netns "${ns}$s"
        ip -n "${ns}$s" addr add "10.78.0.$([ $s = a ] && echo 1 || echo 2)/24" dev "${ns}$s"
        ip -n "${ns}$s" link set "${ns}$s" up; ip -n "${ns}$s" link set lo up
    done
    cat > "$tmp/agent.sh" <<AGENT
#!/bin/sh
while [ \$# -gt 0 ]; do case "\$1" in -*) shift ;; *) break ;; esac; done
host=\$1; shift
case "\$host" in 10.78.0.1) ns=${ns}a ;; *) ns=${ns}b ;; esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
AGENT
    chmod +x "$tmp/agent.sh"
    echo
    echo "### TCP across two network namespaces (veth pair)"
    NABLA_BENCH_TRANSPORT="tcp veth" ip netns exec "${ns}a" "${mpi[@]}" -np 2 --host 10.78.0.1:1,10.78.0.2:1 --bind-to none --mca plm_rsh_agent "$tmp/agent.sh" \
        --mca btl tcp,self --mca btl_tcp_if_include 10.78.0.0/24 --mca oob_tcp_if_include 10.78.0.0/24 -x NABLA_BENCH_TRANSPORT \
        dotnet "$PWD/$bench" allreduce | tr -d '\r' | sed 's/\x1b\[?1h\x1b=//g'
fi
echo
echo "## Overlap: gradient communication hidden behind backward (2 ranks, shared memory)"
echo
"${mpi[@]}" -np 2 dotnet "$bench" overlap --steps 40 --models "$(echo $models | tr ' ' ',')" | tr -d '\r' | sed 's/\x1b\[?1h\x1b=//g'
echo
echo "## Epoch time (MNIST, --limit $limit, batch 64, Adam; epoch 2 of 2, after warm-up)"
echo
echo "| model | 1 process x 1 thread (s) | 1 process x 2 threads (s) | 2 ranks x 1 thread (s) | 2x1 / 1x2 | wait after backward per step (µs) | buckets | started during backward |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
epoch2() { awk -F, 'NR==3 {print $7}' "$1/history.csv"; }
for m in $models; do
    common=(train --model "$m" --limit "$limit" --epochs 2 --batch-size 64 --seed 1)
    dotnet "$nabla" "${common[@]}" --threads 1 --out "$tmp/$m-1x1" >/dev/null 2>&1
    dotnet "$nabla" "${common[@]}" --threads 2 --out "$tmp/$m-1x2" >/dev/null 2>&1
    "${mpi[@]}" -np 2 -x NABLA_DISTRIBUTED_TRACE=1 -x CI=true dotnet "$nabla" "${common[@]}" --threads 1 --out "$tmp/$m-2x1" >"$tmp/$m.out" 2>"$tmp/$m.err"
    stats=$(grep '^rank 0 steps' "$tmp/$m.err" | tail -1)   # the last Fit: both epochs
    steps=$(echo "$stats" | awk '{print $4}'); wait_s=$(echo "$stats" | awk '{print $9}')
    buckets=$(echo "$stats" | sed 's/.*buckets [0-9]* (\(.*\) floats).*/\1/')
    started=$(echo "$stats" | sed 's/.*floats), \([0-9]*\) of \([0-9]*\) started.*/\1\/\2/')
    t11=$(epoch2 "$tmp/$m-1x1"); t12=$(epoch2 "$tmp/$m-1x2"); t21=$(epoch2 "$tmp/$m-2x1")
    awk -v m="$m" -v a="$t11" -v b="$t12" -v c="$t21" -v w="$wait_s" -v n="$steps" -v k="$buckets" -v s="$started" \
        'BEGIN { printf "| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %s | %s |\n", m, a, b, c, c / b, w * 1e6 / n, k, s }'
    echo "{\"case\":\"epoch\",\"model\":\"$m\",\"limit\":$limit,\"t1x1\":$t11,\"t1x2\":$t12,\"t2x1\":$t21,\"steps\":$steps,\"wait_s\":$wait_s}" >>"$tmp/json"
done
echo
cat "$tmp/json"
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
