#!/usr/bin/env bash
# Checks dfs against every interleaving on random programs (not part of the
# test suite: a campaign takes minutes). For each seed, the template's SEED
# is replaced and its 40 tests run with --dpor none and with the reduction;
# every test that --dpor none finishes must count the same classes, and
# no --dpor none run may find two adjacent steps taken as independent that
# do not commute (its own check: engine/strategies/dfs_commute.h), finished
# or not.
# With --bugs, a test must fail in the same tests with --dpor none, the
# reduction, --state-cache on and --state-cache full.
#
#   tests/dfs/fuzz/compare.sh kills 1 20          # seeds 1..20
#   tests/dfs/fuzz/compare.sh --bugs failing 1 30
#
# LOCKSTEP (default build/cli/lockstep) is the binary; NONE_RUNS (default
# 20000) bounds each --dpor none search. Prints one line per seed, and the
# tests that disagree.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bugs=0
if [[ "${1:-}" == "--bugs" ]]; then bugs=1; shift; fi
template=tests/dfs/fuzz/$1.lua.in
first=$2 last=$3
bin=${LOCKSTEP:-build/cli/lockstep}
none_runs=${NONE_RUNS:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for seed in $(seq "$first" "$last"); do
  file=$work/$1_$seed.lua
  sed "s/SEED/$seed/" "$template" > "$file"
  run() { "$bin" run "$file" --strategy dfs --keep-going --format json --traces-dir "$work/traces" "$@" 2>/dev/null || true; }
  run --dpor none --state-cache off --iterations "$none_runs" > "$work/none.json"
  run --state-cache off --iterations 200000 > "$work/optimal.json"
  if (( bugs )); then
    run --iterations 200000 > "$work/on.json"
    run --state-cache full --iterations 200000 > "$work/full.json"
  fi
  python3 - "$work" "$seed" "$bugs" <<'PY'
import json, sys, os
work, seed, bugs = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
modes = ["none", "optimal"] + (["on", "full"] if bugs else [])
runs = {m: json.load(open(os.path.join(work, m + ".json")))["tests"] for m in modes}
compared, failing, bad = 0, 0, []
for i, t in enumerate(runs["none"]):
    if "internal error" in t.get("error", ""):
        bad.append((t["name"], t["error"]))
        continue
    if not t["complete"]:
        continue
    compared += 1
    status = {m: runs[m][i]["status"] for m in modes}
    failing += status["none"] == "bug"
    if bugs:
        if len(set(status.values())) > 1:
            bad.append((t["name"], status))
    elif status["optimal"] != status["none"] or runs["optimal"][i]["schedules_explored"] != t["schedules_explored"]:
        bad.append((t["name"], runs["optimal"][i]["schedules_explored"], t["schedules_explored"]))
print(f"seed {seed}: {compared} compared" + (f", {failing} failing" if bugs else "") +
      (f", DISAGREE: {bad}" if bad else ""))
PY
done
