#!/usr/bin/env bash
# Nabla Sgemm beside OpenBLAS cblas_sgemm (Debian's libopenblas.so.0, a benchmark reference only), 1 and 2 threads.
# Usage: bench/gemm.sh [Nabla.Bench gemm options, e.g. --seconds 1 --case 1024 --threads 2 --cpu-time]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ldconfig -p | grep -q 'libopenblas\.so\.0'; then
    # libopenblas0-pthread provides libopenblas.so.0 (through the alternatives system); libopenblas0 is its metapackage.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq libopenblas0-pthread >/dev/null
fi

dotnet build -c Release bench/Nabla.Bench/Nabla.Bench.csproj -v quiet -nologo >/dev/null
exec dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll gemm "$@"
