#!/usr/bin/env bash
# One exhaustive search (--strategy dfs) split into N parts with --shard:
# what each part counts and how long it takes, against the whole search.
# The parts (stateless: --state-cache off for all) must add up to the whole's; their times show how even
# the split is and what the planning and the frontier's full expansion cost.
#
#   bench/dfs_shards.sh [SCENARIO [N]]      (default: scenarios/rate_limiter_fixed.lua, 4)
#
# The parts run one after another here; in a CI matrix they run at once,
# so the wall time of the split search is the longest part's.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target lockstep > /dev/null
LOCKSTEP=./build-bench/cli/lockstep
SCENARIO=${1:-scenarios/rate_limiter_fixed.lua}
N=${2:-4}
BUDGET=${BUDGET:-100000000}

now() { date +%s.%N; }
field() { grep -oE "\"$1\":[0-9]+" | head -1 | cut -d: -f2; }

run() {
  local t0 out
  t0=$(now)
  out=$("$LOCKSTEP" run "$SCENARIO" --strategy dfs --state-cache off --iterations "$BUDGET" --keep-going --format json "$@" || true)
  printf '%s %s %s %s\n' "$(echo "$out" | field schedules_explored)" "$(echo "$out" | field abandoned)" \
    "$(echo "$out" | field failing_schedules)" "$(echo "$(now) - $t0" | bc)"
}

echo "== $SCENARIO: dfs, whole and in $N parts =="
printf '%-8s %12s %12s %10s %9s\n' part schedules "other runs" failing seconds
read -r whole_s whole_a whole_f whole_t < <(run)
printf '%-8s %12s %12s %10s %9.2f\n' whole "$whole_s" "$whole_a" "$whole_f" "$whole_t"
sum=0; fsum=0; longest=0
for ((k = 0; k < N; k++)); do
  read -r s a f t < <(run --shard "$k/$N")
  printf '%-8s %12s %12s %10s %9.2f\n' "$k/$N" "$s" "$a" "$f" "$t"
  sum=$((sum + s)); fsum=$((fsum + f))
  longest=$(echo "if ($t > $longest) $t else $longest" | bc)
done
printf '%-8s %12s %12s %10s %9.2f (longest part)\n' sum "$sum" "" "$fsum" "$longest"
if [[ "$sum" != "$whole_s" || "$fsum" != "$whole_f" ]]; then
  echo "MISMATCH: the parts count $sum schedules ($fsum failing), the whole $whole_s ($whole_f failing)"
  exit 1
fi
printf 'speed-up with %d parts at once: %.2fx\n' "$N" "$(echo "$whole_t / $longest" | bc -l)"
