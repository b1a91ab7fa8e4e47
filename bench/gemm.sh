#!/usr/bin/env bash
# Nabla Sgemm beside OpenBLAS cblas_sgemm (Debian's libopenblas.so.0, a benchmark reference only), 1 and 2 threads.
# Usage: bench/gemm.sh [--isa avx512|avx2|vector128|native] [--contention] [Nabla.Bench gemm options,
#        e.g. --seconds 1 --case 1024^3,128^3 --threads 2 --cpu-time]
#   --isa        forces both sides to one instruction-set level (see bench/bench_env.sh); default native
#   --contention runs a `nice -n 19` busy loop beside the run, on the shapes 64x256x128 and 128³-2048³ unless --case
#                is given, and says whether Nabla's 2 threads were at least as fast as its 1 thread in every case
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/bench_env.sh

isa=native; contention=0; rest=()
while [ $# -gt 0 ]; do
    case "$1" in
        --isa) isa="$2"; shift 2 ;;
        --contention) contention=1; shift ;;
        *) rest+=("$1"); shift ;;
    esac
done
isa_setup "$isa"
# OpenBLAS's idle threads spin for 2^28 cycles (about 0.1 s) after each call; the benchmark interleaves its trials with
# Nabla's in one process, so that spin took a core from Nabla's 2-thread trials (1024^3 at 2 threads ran at 1-thread
# speed in 2 of 3 runs). 2^19 cycles (about 0.17 ms) is about as long as Nabla's idle workers spin.
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-19}"

if ! ldconfig -p | grep 'libopenblas\.so\.0' >/dev/null; then  # not grep -q: with pipefail its early exit fails the pipe
    # libopenblas0-pthread provides libopenblas.so.0 (through the alternatives system); libopenblas0 is its metapackage.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq libopenblas0-pthread >/dev/null
fi

dotnet build -c Release bench/Nabla.Bench/Nabla.Bench.csproj -v quiet -nologo >/dev/null
if [ $contention -eq 1 ]; then
    case " ${rest[*]-} " in *" --case "*) ;; *) rest+=(--case "64x256x128,128^3,256^3,512^3,1024^3,2048^3") ;; esac
    contention_start
fi
echo "level: $isa"
dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll gemm ${rest[@]+"${rest[@]}"}
