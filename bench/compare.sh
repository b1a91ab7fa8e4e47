#!/usr/bin/env bash
# Side-by-side Nabla vs PyTorch on this machine, interleaved (Nabla, PyTorch, Nabla, PyTorch, ...).
# Usage: bench/compare.sh [--quick] [--reps N] [--threads "2 1"] [--cases "mlp_train --epochs 5;lenet_infer"]
#                         [--isa avx512|avx2|vector128|native] [--contention]
# Prints a markdown table and JSON lines {"case","metric","nabla","pytorch","ratio","unit"} of medians;
# ratio < 1 always means Nabla is better (time ratio, or PyTorch/Nabla for throughput).
#   --isa        forces both sides to one instruction-set level (bench/bench_env.sh): DOTNET_EnableAVX512F=0 /
#                DOTNET_EnableAVX2=0 for Nabla, ATEN_CPU_CAPABILITY and OPENBLAS_CORETYPE for PyTorch
#   --contention runs a `nice -n 19` busy loop beside every run, 2 and 1 threads, by default on
#                "mlp_train --epochs 2;lenet_train --epochs 2" (whole epochs: a few hundred batches after start-up
#                time mostly the JIT's warm-up, see bench/README.md), and says whether Nabla's 2 threads were at
#                least as fast as its 1 thread
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/bench_env.sh

quick=0; reps=3; threads="2 1"; only=""; isa=native; contention=0; threads_given=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1; reps=1; [ $threads_given -eq 1 ] || threads="2"; shift ;;
        --reps) reps="$2"; shift 2 ;;
        --threads) threads="$2"; threads_given=1; shift 2 ;;
        --cases) only="$2"; shift 2 ;;
        --isa) isa="$2"; shift 2 ;;
        --contention) contention=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
isa_setup "$isa"
if [ $contention -eq 1 ]; then
    [ $threads_given -eq 1 ] || threads="2 1"
    [ -n "$only" ] || only="mlp_train --epochs 2;lenet_train --epochs 2"
fi

need=()
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || need+=(python3-torch python3-numpy)
[ -d /usr/lib/x86_64-linux-gnu/openblas-openmp ] || need+=(libopenblas0-openmp)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

dotnet build -c Release bench/Nabla.Bench/Nabla.Bench.csproj -v quiet -nologo >/dev/null
nabla=(dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll compare)
out=$(mktemp)
isa_header
dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll isa | sed -n 's/^Nabla: /Nabla runtime: /p'
echo "PyTorch: $(env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 -c 'import torch, ctypes
cap = [l.split(":", 1)[1].strip() for l in torch.__config__.show().splitlines() if "CPU capability usage" in l]
blas = ctypes.CDLL("libopenblas.so.0"); blas.openblas_get_corename.restype = ctypes.c_char_p
print(torch.__version__, "ATen CPU capability", cap[0] if cap else "?", "; OpenBLAS kernels", blas.openblas_get_corename().decode())' 2>/dev/null)"
[ $contention -eq 0 ] || contention_start
echo

if [ $quick -eq 1 ]; then
    cases=("mlp_train --max-batches 300" "lenet_train --max-batches 100" "cnn_train --max-batches 20" "lstm_train --max-batches 50" "mlp_infer" "lenet_infer" "conv_layers")
else
    cases=("mlp_train --epochs 5" "lenet_train --epochs 3" "cnn_train --epochs 1" "lstm_train --epochs 1" "mlp_infer" "lenet_infer" "conv_layers")
fi

if [ -n "$only" ]; then IFS=';' read -r -a cases <<<"$only"; fi

# Thread counts alternate inside each repetition and case, so a drift of the machine (this one's speed moves by a
# tenth within minutes) falls on both sides of a 2-thread/1-thread comparison alike.
for rep in $(seq 1 "$reps"); do
    for c in "${cases[@]}"; do
        for t in $threads; do
            read -r name rest <<<"$c"
            echo "[$t threads, rep $rep] $name" >&2
            if [ "$name" = conv_layers ]; then
                dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll conv --threads "$t" | sed "s/^/nabla $t /" >>"$out"
            else
                "${nabla[@]}" $name $rest --threads "$t" | sed "s/^/nabla $t /" >>"$out"
            fi
            env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" MKL_NUM_THREADS="$t" \
                /usr/bin/python3 bench/torch_bench.py $name $rest | sed "s/^/pytorch $t /" >>"$out"
        done
    done
done

/usr/bin/python3 bench/compare_report.py "$out"
if [ $quick -eq 0 ] && [ $contention -eq 0 ]; then bench/gemm.sh --isa "$isa" --seconds 0.3 || true; fi
