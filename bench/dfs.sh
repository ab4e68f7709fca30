#!/usr/bin/env bash
# Exhaustive search (--strategy dfs) measured two ways:
#   1. against Concuerror on its own DPOR tests, ported in tests/concuerror/:
#      classes explored, wall time, and classes per second for each;
#   2. the time to prove each fixed twin in scenarios/ bug-free, where its
#      state space is finite (within a budget of schedules and seconds),
#      with the stateless search (--state-cache off), with the default
#      (on: the cache where time moves on, and at every state once a run
#      loops without waiting) and with --state-cache full (states,
#      schedules, runs stopped at a state already covered).
#
# Concuerror is not a dependency: to compare, build it outside the repo
# (Erlang from Debian, `erlc` on its src/) and point CONCUERROR at a command
# that runs it, and CONCUERROR_TESTS at its tests/suites/dpor_tests/src:
#   CONCUERROR=/path/run_concuerror.sh CONCUERROR_TESTS=/path/dpor_tests/src bench/dfs.sh
# Without them, only lockstep's side is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target lockstep > /dev/null
LOCKSTEP=./build-bench/cli/lockstep
BUDGET=${BUDGET:-1000000}            # schedules per Concuerror test
TWIN_BUDGET=${TWIN_BUDGET:-200000}   # schedules per fixed twin (noisy_race_fixed does not finish within it)
TWIN_SECONDS=${TWIN_SECONDS:-60}     # and seconds

now() { date +%s.%N; }

# The Erlang module and function each port comes from.
entry() {
  case "$1" in
    POPL_optimal_example | last_zero | readers | messages_2) echo "$1 test" ;;
    receive_order_*) echo "receive_order test${1#receive_order_}" ;;
    *) echo "$1 $1" ;;
  esac
}

have_concuerror=0
if [[ -n "${CONCUERROR:-}" && -n "${CONCUERROR_TESTS:-}" ]]; then
  have_concuerror=1
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Start-up: a test with one interleaving.
  cp "$CONCUERROR_TESTS/receive_order.erl" "$work/"
  t0=$(now)
  (cd "$work" && $CONCUERROR -f receive_order.erl -t test1 -o /dev/null > /dev/null 2>&1) || true
  startup=$(echo "$(now) - $t0" | bc)
  printf 'Concuerror start-up (one interleaving): %.2f s\n\n' "$startup"
else
  echo "(CONCUERROR / CONCUERROR_TESTS not set: lockstep only)"
  echo
fi

echo "== dfs on Concuerror's DPOR tests (tests/concuerror/) =="
printf '%-24s %9s %9s %10s %10s %12s %12s\n' test lockstep concuerr "lockstep s" "concuerr s" "lockstep/s" "concuerr/s"
total_l=0; total_c=0; classes_l=0; classes_c=0; big_l=0; big_c=0; big_n=0
for f in tests/concuerror/*.lua; do
  name=$(basename "$f" .lua)
  t0=$(now)
  out=$($LOCKSTEP run "$f" --strategy dfs --state-cache off --keep-going --iterations "$BUDGET" --format json --traces-dir build-bench/traces || true)
  tl=$(echo "$(now) - $t0" | bc)
  nl=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tests"][0]["schedules_explored"])')
  total_l=$(echo "$total_l + $tl" | bc); classes_l=$((classes_l + nl))
  nc="-"; tc="-"; rc="-"
  if (( have_concuerror )); then
    read -r module fn <<< "$(entry "$name")"
    cp "$CONCUERROR_TESTS/$module.erl" "$work/"
    t0=$(now)
    summary=$(cd "$work" && $CONCUERROR -f "$module.erl" -t "$fn" --keep_going -o /dev/null 2>&1 | grep -o '[0-9]*/[0-9]* interleavings' || true)
    tc=$(echo "$(now) - $t0" | bc)
    nc=${summary%%/*}
    total_c=$(echo "$total_c + $tc" | bc); classes_c=$((classes_c + nc))
    explore=$(echo "$tc - $startup" | bc)
    rc=$(python3 -c "print(f'{$nc / max($explore, 0.01):.0f}')")
    if (( nc >= 50 )); then big_l=$(echo "$big_l + $tl" | bc); big_c=$(echo "$big_c + $explore" | bc); big_n=$((big_n + nc)); fi
    tc=$(printf '%.2f' "$tc")
  fi
  rl=$(python3 -c "print(f'{$nl / max($tl, 0.001):.0f}')")
  printf '%-24s %9s %9s %10.3f %10s %12s %12s\n' "$name" "$nl" "$nc" "$tl" "$tc" "$rl" "$rc"
done
printf '\nlockstep: %d classes in %.2f s (wall, process start included)\n' "$classes_l" "$total_l"
if (( have_concuerror )); then
  printf 'Concuerror: %d interleavings in %.2f s (wall, start-up included)\n' "$classes_c" "$total_c"
  if (( big_n > 0 )); then
    python3 - "$big_n" "$big_l" "$big_c" <<'PY'
import sys
n, l, c = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"tests with 50 or more classes ({n} classes): lockstep {n / l:.0f}/s, "
      f"Concuerror {n / c:.0f}/s without its start-up: {c / l:.1f}x")
PY
  fi
fi

echo
echo "== dfs proving the fixed twins bug-free (budget $TWIN_BUDGET schedules, $TWIN_SECONDS s each), --state-cache off, on (the default) and full =="
echo "   off: schedules, runs repeated; on and full: states cached, schedules, runs stopped at a state covered, runs repeated"
printf '%-26s %8s %7s %7s %6s | %6s %7s %7s %7s %7s %6s | %7s %7s %7s %6s\n' scenario sched rep s verdict \
  states sched stopped rep s verdict states stopped s verdict
for f in scenarios/*_fixed.lua; do
  row=$(basename "$f" .lua)
  for cache in off on full; do
    out=$($LOCKSTEP run "$f" --strategy dfs --state-cache "$cache" --iterations "$TWIN_BUDGET" --max-seconds "$TWIN_SECONDS" \
          --format json --traces-dir build-bench/traces 2>/dev/null || true)
    row="$row"$'\t'$(echo "$out" | python3 -c '
import json, sys
cache = sys.argv[1]
try:
    t = json.load(sys.stdin)["tests"][0]
except Exception:
    print("error"); sys.exit(0)
verdict = ("proven" if t.get("complete") and t["status"] == "passed" else
           "bug" if t["status"] == "bug" else "error" if t["status"] == "error" else "budget")
if cache == "off":
    row = [t.get("schedules_explored", "-"), t.get("abandoned", "-")]
elif cache == "on":
    row = [t.get("states", "-"), t.get("schedules_explored", "-"), t.get("state_cache_hits", "-"), t.get("abandoned", "-")]
else:
    row = [t.get("states", "-"), t.get("state_cache_hits", "-")]
print(*row, "%.2f" % t["wall_seconds"], verdict, sep="\t")
' "$cache")
  done
  IFS=$'\t' read -r -a c <<< "$row"
  printf '%-26s %8s %7s %7s %6s | %6s %7s %7s %7s %7s %6s | %7s %7s %7s %6s\n' "${c[@]}"
done
