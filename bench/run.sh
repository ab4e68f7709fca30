#!/usr/bin/env bash
# Builds in Release mode and runs the benchmarks, printing tables and
# writing bench/results.json. Figures are medians of repeated runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target checker_bench engine_bench lockstep > /dev/null
echo "== engine (median of 5 runs) =="
./build-bench/bench/engine_bench --json bench/results.json
echo
echo "== end to end: lockstep run scenarios/ =="
./build-bench/cli/lockstep run scenarios/ -q --format json --traces-dir build-bench/traces > build-bench/e2e.json || true
python3 - build-bench/e2e.json <<'PY' 2>/dev/null || grep -o '"summary":{[^}]*}' build-bench/e2e.json
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(f"{s['iterations']} iterations, {s['steps']} steps in {s['wall_seconds']:.2f} s: "
      f"{s['iterations'] / s['wall_seconds']:.0f} iterations/s, {s['steps'] / s['wall_seconds']:.0f} steps/s")
PY
echo
echo "== realistic models: steps/s, whole process (median of 5 runs) =="
bench/scenarios.sh ./build-bench/cli/lockstep
echo
echo "== output formats: bench/ping_pong.lua, 1.6 million steps (median of 5 runs, whole process) =="
for how in "text" "json" "text --coverage" "json --coverage"; do
  times=()
  for _ in 1 2 3 4 5; do
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    ./build-bench/cli/lockstep run bench/ping_pong.lua --strategy random --format $how --traces-dir build-bench/traces > /dev/null
    times+=("$(echo "$(date +%s.%N) - $t0" | bc)")
  done
  printf '%-18s %s s\n' "$how" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)"
done
echo
echo "== linearizability checker on shared/data/histories (median of 5 runs) =="
./build-bench/bench/checker_bench "${1:-../shared/data/histories}" 5 | tail -1
