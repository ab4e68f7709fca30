#!/usr/bin/env bash
# Steps per second on realistic models, whole process, text output: each
# scenario's first test with its own strategy and a fixed seed, so every
# build runs the same schedules. Median of 5 runs.
# Usage: bench/scenarios.sh [LOCKSTEP_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-./build-bench/cli/lockstep}"
runs=(
  "genserver_counter_fixed 20000"
  "raft_stale_read_fixed 3000"
  "split_brain_fixed 10000"
  "pool_registry_fixed 3000"
)
printf '%-26s %12s %12s %10s\n' scenario iterations steps "steps/s"
for row in "${runs[@]}"; do
  read -r name iterations <<< "$row"
  rates=()
  for _ in 1 2 3 4 5; do
    out=$("$bin" run "scenarios/$name.lua" --iterations "$iterations" --seed 1 -q --format json \
          --traces-dir "${TMPDIR:-/tmp}/lockstep-bench-traces" 2>/dev/null || true)
    rates+=("$(python3 -c 'import json,sys; s=json.loads(sys.argv[1])["summary"]; print(s["steps"], round(s["steps"]/s["wall_seconds"]))' "$out")")
  done
  med=$(printf '%s\n' "${rates[@]}" | sort -k2 -n | sed -n 3p)
  printf '%-26s %12s %12s %10s\n' "$name" "$iterations" ${med}
done
