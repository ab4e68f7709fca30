#!/usr/bin/env bash
# Instructions per step under callgrind: a figure that, unlike time on a
# shared machine, does not vary from run to run. For each workload the
# marginal count: (instructions of N iterations - of 1) / (steps of N - of 1),
# so loading the scenario does not count. Needs valgrind.
# Usage: bench/instructions.sh [LOCKSTEP_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "bench/instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
bin="${1:-./build-bench/cli/lockstep}"
if [[ $# -eq 0 ]]; then
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
  cmake --build build-bench -j2 --target lockstep > /dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The ping-pong of engine_bench, 50,000 round trips against one.
pingpong() {
  cat > "$work/pp$1.lua" <<LUA
lockstep.test('pingpong', { iterations = 1 }, function()
  local parent = lockstep.self()
  local p = lockstep.spawn(function() for i = 1, $1 do lockstep.send(parent, lockstep.receive()) end end)
  for i = 1, $1 do lockstep.send(p, i); lockstep.receive() end
end)
LUA
  echo "$work/pp$1.lua --strategy random --max-steps 100000000"
}
# Prints "instructions steps" of one run.
measure() {
  local out refs steps
  # shellcheck disable=SC2086
  out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" run $1 -q --format json \
        --traces-dir "$work/traces" 2>&1 || true)
  refs=$(echo "$out" | sed -n 's/.*refs: *//p' | tr -d ,)
  steps=$(echo "$out" | grep -o '"steps":[0-9]*' | tail -1 | cut -d: -f2)
  echo "$refs $steps"
}
marginal() {  # name, args of one run, args of many
  read -r r1 s1 <<< "$(measure "$2")"
  read -r r2 s2 <<< "$(measure "$3")"
  printf '%-26s %10d %12d\n' "$1" $(( (r2 - r1) / (s2 - s1) )) "$s2"
}
printf '%-26s %10s %12s\n' workload "instr/step" steps
marginal ping-pong "$(pingpong 1)" "$(pingpong 50000)"
for row in "genserver_counter_fixed 400" "raft_stale_read_fixed 60" "split_brain_fixed 200" "pool_registry_fixed 60"; do
  read -r name n <<< "$row"
  marginal "$name" "scenarios/$name.lua --iterations 1 --seed 1" "scenarios/$name.lua --iterations $n --seed 1"
done
