#!/usr/bin/env bash
# Iterations until a goal that only a rare interleaving meets is first met
# (bench/goal_guidance.lua), over 20 seeds: rff and surw with the goal's
# stages named as goals of their own (coverage they seek), and with the
# last goal alone, and pos and random for comparison. A seed that never meets it in
# 20,000 iterations counts as 20,000.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target lockstep > /dev/null
LOCKSTEP=${LOCKSTEP:-./build-bench/cli/lockstep}
SEEDS=${SEEDS:-20}
printf '%-22s %8s %8s %8s %6s\n' "" median mean worst "unmet"
for config in "rff stages" "rff final only" "surw stages" "surw final only" "pos final only" "random final only"; do
  read -r strategy test <<< "$config"
  firsts=()
  for seed in $(seq 1 "$SEEDS"); do
    firsts+=("$({ $LOCKSTEP run bench/goal_guidance.lua --test "$test" --strategy "$strategy" --seed "$seed" \
                 --format json --traces-dir build-bench/traces 2>/dev/null || true; } | python3 -c '
import json, sys
t = json.load(sys.stdin)["tests"][0]
g = [x for x in t.get("goals", []) if x["name"] == "in step all the way"]
print(g[0].get("first_met", 20000) if g else 20000)')")
  done
  printf '%s\n' "${firsts[@]}" | python3 -c '
import statistics, sys
xs = [int(x) for x in sys.stdin.read().split()]
print(f"{sys.argv[1]:22s} {statistics.median(xs):8.0f} {statistics.mean(xs):8.0f} {max(xs):8d} {sum(x >= 20000 for x in xs):6d}")' "$config"
done
