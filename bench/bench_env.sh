# Sourced by bench/gemm.sh and bench/compare.sh: forced instruction-set levels and the contention busy loop.
#
# isa_setup LEVEL   (avx512 | avx2 | vector128 | native) exports the switches that force each side to that level:
#   Nabla (.NET):  avx2 → DOTNET_EnableAVX512F=0;  vector128 → DOTNET_EnableAVX2=0 (128-bit vectors, no FMA)
#   OpenBLAS:      OPENBLAS_CORETYPE = SkylakeX | Haswell | Nehalem (its SSE kernels)
#   PyTorch:       ATEN_CPU_CAPABILITY = avx512 | avx2 | default (its own kernels), and ONEDNN_MAX_CPU_ISA =
#                  AVX512_CORE | AVX2 | SSE41 for the oneDNN library its convolutions run on (without it they stay
#                  on AVX2 code at every level)
# and fails, saying why, when the CPU lacks the level asked for. native leaves every side to pick its best.
# contention_start starts a `nice -n 19` busy loop (pinned nowhere), killed when the script exits.

cpu_model() { grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
cpu_has() { grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -qx "$1"; }

isa_setup() {
    local level="$1"
    case "$level" in
        native) ;;
        avx512)
            if ! cpu_has avx512f; then
                echo "--isa avx512: this CPU ($(cpu_model)) has no AVX-512 (no avx512f in /proc/cpuinfo); use --isa avx2 or --isa vector128" >&2
                return 3
            fi
            export OPENBLAS_CORETYPE=SkylakeX ATEN_CPU_CAPABILITY=avx512 ONEDNN_MAX_CPU_ISA=AVX512_CORE ;;
        avx2)
            if ! cpu_has avx2 || ! cpu_has fma; then
                echo "--isa avx2: this CPU ($(cpu_model)) has no AVX2/FMA; use --isa vector128" >&2
                return 3
            fi
            export DOTNET_EnableAVX512F=0 OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 ;;
        vector128)
            export DOTNET_EnableAVX2=0 OPENBLAS_CORETYPE=Nehalem ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 ;;
        *) echo "--isa must be avx512, avx2, vector128 or native (got '$level')" >&2; return 2 ;;
    esac
    ISA_LEVEL="$level"
}

# One header line per side: the CPU and what each side was told to use.
isa_header() {
    echo "CPU: $(cpu_model) ($(nproc) logical CPUs); level: ${ISA_LEVEL:-native}"
    echo "Nabla: DOTNET_EnableAVX512F=${DOTNET_EnableAVX512F:-unset} DOTNET_EnableAVX2=${DOTNET_EnableAVX2:-unset}; OpenBLAS: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}; PyTorch: ATEN_CPU_CAPABILITY=${ATEN_CPU_CAPABILITY:-auto} ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-auto}"
}

contention_start() {
    nice -n 19 sh -c 'while :; do :; done' &
    CONTENTION_PID=$!
    trap 'kill "$CONTENTION_PID" 2>/dev/null || true' EXIT
    trap 'exit 130' INT TERM
    echo "contention: a nice -n 19 busy loop (pid $CONTENTION_PID) runs beside every measurement"
}
