#!/usr/bin/env bash
# Iterations to the first bug, per strategy, on SCTBench's reorder_N and
# twostage_N (bench/sctbench/*.lua) and a failure detector with a liveness
# bug (bench/failure_detector.lua): the median over SEEDS seeds (default
# 20) of the iteration at which each strategy first finds the bug, and in
# how many seeds it found it within CAP iterations (default 10000).
# Prints a markdown table (the one in the README).
#
#   SEEDS=20 CAP=10000 STRATEGIES="random pct surw" TESTS="reorder_10 twostage_99" bench/sctbench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target lockstep > /dev/null
LOCKSTEP=./build-bench/cli/lockstep
SEEDS=${SEEDS:-20}
CAP=${CAP:-10000}
STRATEGIES=${STRATEGIES:-"random pct pos fair_pct idpct rff surw portfolio"}
TESTS=${TESTS:-"reorder_3 reorder_5 reorder_10 reorder_20 reorder_50 reorder_100 twostage_5 twostage_20 twostage_50 twostage_99 failure_detector"}
traces=$(mktemp -d)
trap 'rm -rf "$traces"' EXIT

file_of() {
  case "$1" in
    reorder_*) echo bench/sctbench/reorder.lua ;;
    twostage_*) echo bench/sctbench/twostage.lua ;;
    failure_detector) echo bench/failure_detector.lua ;;
  esac
}

# "median (found/seeds)": not found counts as more than CAP.
cell() {
  local test=$1 strategy=$2 found=() iters
  for seed in $(seq 1 "$SEEDS"); do
    iters=$("$LOCKSTEP" run "$(file_of "$test")" --test "$test" --strategy "$strategy" --seed "$seed" \
      --iterations "$CAP" --jobs 2 --format json --traces-dir "$traces" 2>/dev/null |
      python3 -c 'import json,sys; t=json.load(sys.stdin)["tests"][0]; print(t["bug"]["iteration"] + 1 if t.get("bug") else -1)')
    found+=("$iters")
  done
  printf '%s\n' "${found[@]}" | python3 -c '
import sys, statistics
cap = int(sys.argv[1]); v = [int(x) for x in sys.stdin.read().split()]
hits = sorted(x for x in v if x > 0)
padded = sorted([x if x > 0 else float("inf") for x in v])
m = statistics.median_low(padded)
print(("> %d" % cap if m == float("inf") else "%d" % m) + " (%d/%d)" % (len(hits), len(v)))' "$CAP"
}

printf '| test |'; for s in $STRATEGIES; do printf ' %s |' "$s"; done; echo
printf '|---|'; for s in $STRATEGIES; do printf -- '---|'; done; echo
for t in $TESTS; do
  printf '| %s |' "$t"
  for s in $STRATEGIES; do printf ' %s |' "$(cell "$t" "$s")"; done
  echo
done
