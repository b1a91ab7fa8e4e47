#!/usr/bin/env bash
# Accuracy records (issue 21): trains the recipes mnist-best and fashion-best from the command line, one run per seed,
# and reports for each the test accuracy per seed, the median and spread, the wall time (training + evaluation +
# the run folder's files, the whole `nabla train` process) and the curves (each run folder's curves.svg).
#
#   bash bench/records.sh [--recipes "mnist-best fashion-best"] [--seeds "1 2 3"] [--threads 2] [--out DIR] [--extra "ARGS"]
#
# --extra passes more `nabla train` flags (a smoke test: --extra "--limit 500 --epochs 1"; the report says so).
#
# Results: DIR/REPORT.md (default bench/results/records-<date>/), one run folder per recipe and seed, and JSON lines
# {"recipe","seed","test_accuracy","wall_seconds","load_before"} in DIR/records.jsonl.
# Fashion-MNIST is found or installed first (see find_fashion below); the script says which.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RECIPES="mnist-best fashion-best"
SEEDS="1 2 3"
THREADS=2
EXTRA=""
OUT="bench/results/records-$(date -u +%Y-%m-%d-%H%M)"
while [ $# -gt 0 ]; do
  case "$1" in
    --recipes) RECIPES="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --extra) EXTRA="$2"; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "records.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
REPORT="$OUT/REPORT.md"
JSONL="$OUT/records.jsonl"
: > "$JSONL"

# Fashion-MNIST: Nabla looks in $NABLA_DATA/fashion-mnist, ~/.local/share/nabla/fashion-mnist,
# /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) and shared/data/fashion-mnist above the repository.
find_fashion() {
  local sys=/usr/share/datasets/fashion-mnist
  if [ -f "$sys/train-images-idx3-ubyte.gz" ]; then echo "Fashion-MNIST: found Debian's dataset-fashion-mnist in $sys"; return; fi
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] && apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 \
     && [ -f "$sys/train-images-idx3-ubyte.gz" ]; then
    echo "Fashion-MNIST: installed Debian's dataset-fashion-mnist (apt-get) into $sys"; return
  fi
  local shared="$ROOT/../shared/data/fashion-mnist"
  if [ -f "$shared/train-images-idx3-ubyte.gz" ]; then
    export NABLA_DATA; NABLA_DATA=$(cd "$shared/.." && pwd)
    echo "Fashion-MNIST: dataset-fashion-mnist not installed (and apt-get unavailable or failed); using $(cd "$shared" && pwd) (NABLA_DATA=$NABLA_DATA)"
    return
  fi
  echo "Fashion-MNIST: not found; install it with 'apt-get install dataset-fashion-mnist' or put its four IDX files in ../shared/data/fashion-mnist" >&2
  exit 1
}

case " $RECIPES " in *" fashion-best "*) FASHION_NOTE=$(find_fashion); echo "$FASHION_NOTE" ;; *) FASHION_NOTE="" ;; esac

# A private copy of the command, so rebuilding the repository meanwhile cannot touch a running benchmark.
dotnet build src/Nabla.Cli -c Release -v quiet -nologo >/dev/null
CLI=$(mktemp -d)
trap 'rm -rf "$CLI"' EXIT
cp -r src/Nabla.Cli/bin/Release/net10.0/. "$CLI/"

{
  echo "# Accuracy records, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $THREADS kernel threads."
  echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown). ${FASHION_NOTE}"
  if [ -n "$EXTRA" ]; then echo "**Not the recipes as they stand: extra flags \`$EXTRA\`.**"; fi
  echo "Wall time: the whole \`nabla train\` process (data loading, training, per-epoch test evaluation, final evaluation, files)."
  echo
} > "$REPORT"

for recipe in $RECIPES; do
  echo "## $recipe" >> "$REPORT"
  echo >> "$REPORT"
  echo "| seed | test accuracy | wall time (s) | load average before | run folder |" >> "$REPORT"
  echo "| --- | --- | --- | --- | --- |" >> "$REPORT"
  accs=()
  for seed in $SEEDS; do
    run="$OUT/$recipe-seed$seed"
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "$recipe seed $seed (load average $load) -> $run"
    start=$(date +%s.%N)
    line=$(dotnet "$CLI/Nabla.Cli.dll" train --model "$recipe" --seed "$seed" --threads "$THREADS" --out "$run" --force --json $EXTRA | tail -1)
    end=$(date +%s.%N)
    acc=$(printf '%s' "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["test_accuracy"])')
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    accs+=("$acc")
    echo "  test accuracy $acc, $wall s"
    printf '{"recipe":"%s","seed":%s,"test_accuracy":%s,"wall_seconds":%s,"load_before":%s}\n' "$recipe" "$seed" "$acc" "$wall" "$load" >> "$JSONL"
    printf '| %s | %.4f | %s | %s | [%s](%s-seed%s/curves.svg) |\n' "$seed" "$acc" "$wall" "$load" "$(basename "$run")" "$recipe" "$seed" >> "$REPORT"
  done
  printf '%s\n' "${accs[@]}" | sort -g | awk -v r="$recipe" '
    { a[NR] = $1 }
    END {
      m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
      printf "\n%s: median %.4f, spread %.4f (min %.4f, max %.4f) over %d seed(s)\n\n", r, m, a[NR] - a[1], a[1], a[NR], NR
    }' | tee -a "$REPORT"
done
echo "report: $REPORT"
