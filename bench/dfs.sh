#!/usr/bin/env bash
# Exhaustive search (--strategy dfs) measured two ways:
#   1. against Concuerror on its own DPOR tests, ported in tests/concuerror/:
#      classes explored, wall time, and classes per second for each;
#   2. the time to prove each fixed twin in scenarios/ bug-free, where its
#      state space is finite (within a budget of schedules and seconds),
#      with the stateless search (--state-cache off), with the default
#      (on: the cache where time moves on, and at every state once a run
#      loops without waiting) and with --state-cache full (states,
#      schedules, runs stopped at a state already covered);
#   3. the time dfs takes to find the bug of each buggy twin, depth first
#      and with --fewest-delays on.
#
# Concuerror is not a dependency: to compare, build it outside the repo
# (Erlang and erlang-getopt from Debian, `erlc -o ebin -I src src/*.erl`
# after `priv/generate_version_hrl 23 > src/concuerror_otp_version.hrl`,
# and its application file: `sed 's/"git"/"0.21.0"/' src/concuerror.app.src
# > ebin/concuerror.app`, without which it waits forever at start)
# and point CONCUERROR_EBIN at its ebin and CONCUERROR_TESTS at its
# tests/suites/dpor_tests/src:
#   CONCUERROR_EBIN=/path/ebin CONCUERROR_TESTS=/path/dpor_tests/src bench/dfs.sh
# Concuerror is then timed two ways: whole process (`erl` started per test,
# errors written to its report, as its command line runs), and warm (one
# VM runs every test through concuerror:run/1, its error reports off:
# bench/concuerror_warm.erl). Without them, only lockstep's side is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target lockstep > /dev/null
LOCKSTEP=./build-bench/cli/lockstep
BUDGET=${BUDGET:-1000000}            # schedules per Concuerror test
REPEATS=${REPEATS:-3}                # lockstep and warm Concuerror: the least time of this many runs
TWIN_BUDGET=${TWIN_BUDGET:-1000000}  # schedules per fixed twin (noisy_race_fixed does not finish within it)
TWIN_SECONDS=${TWIN_SECONDS:-60}     # and seconds (TWINS=0 leaves the twins out)

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
declare -A warm_n warm_s
if [[ -n "${CONCUERROR_EBIN:-}" && -n "${CONCUERROR_TESTS:-}" ]]; then
  have_concuerror=1
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  CONCUERROR="erl +S1 -noshell -boot start_clean -pa $CONCUERROR_EBIN -eval concuerror:main(init:get_plain_arguments()) -extra"
  # Warm: each test in a VM of its own, after a warm-up run (VM start not counted).
  erlc -o "$work" bench/concuerror_warm.erl
  for f in tests/concuerror/*.lua; do
    name=$(basename "$f" .lua)
    read -r module fn <<< "$(entry "$name")"
    rm -rf "$work/warm" && mkdir -p "$work/warm"
    read -r _ n secs < <(erl +S1 -noshell -pa "$CONCUERROR_EBIN" -pa "$work" -run concuerror_warm main \
                           "$CONCUERROR_TESTS" "$work/warm" "$REPEATS" "$name:$module:$fn")
    warm_n[$name]=$n; warm_s[$name]=$secs
  done
  # Start-up: a test with one interleaving.
  cp "$CONCUERROR_TESTS/receive_order.erl" "$work/"
  t0=$(now)
  (cd "$work" && $CONCUERROR -f receive_order.erl -t test1 -o /dev/null > /dev/null 2>&1) || true
  startup=$(echo "$(now) - $t0" | bc)
  printf 'Concuerror start-up (one interleaving): %.2f s\n\n' "$startup"
else
  echo "(CONCUERROR_EBIN / CONCUERROR_TESTS not set: lockstep only)"
  echo
fi

echo "== dfs on Concuerror's DPOR tests (tests/concuerror/) =="
echo "   seconds are wall time. whole: the command, process (or Erlang VM) start included; warm: without it (lockstep:"
echo "   the run's own wall_seconds, loading the file included; Concuerror: concuerror:run/1 in a running VM, error"
echo "   reports off, compiling the module included). The least of $REPEATS runs, but Concuerror whole (one run)."
echo "   x: lockstep's classes per second over Concuerror's"
printf '%-24s %9s %9s %9s %9s %9s %9s %8s %8s\n' test lockstep concuerr "whole" "warm" "whole" "warm" "x whole" "x warm"
printf '%-24s %9s %9s %9s %9s %9s %9s %8s %8s\n' "" classes interl. lockstep lockstep concuerr concuerr "" ""
rows=$(mktemp)
for f in tests/concuerror/*.lua; do
  name=$(basename "$f" .lua)
  tl=""; twl=""
  for _ in $(seq "$REPEATS"); do
    t0=$(now)
    out=$($LOCKSTEP run "$f" --strategy dfs --state-cache off --keep-going --iterations "$BUDGET" --format json --traces-dir build-bench/traces || true)
    t=$(echo "$(now) - $t0" | bc)
    read -r nl w <<< "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["tests"][0]["schedules_explored"], d["summary"]["wall_seconds"])')"
    if [[ -z "$tl" ]] || (( $(echo "$t < $tl" | bc) )); then tl=$t; fi
    if [[ -z "$twl" ]] || (( $(echo "$w < $twl" | bc) )); then twl=$w; fi
  done
  nc="-"; tc="-"; nw="-"; tw="-"
  if (( have_concuerror )); then
    read -r module fn <<< "$(entry "$name")"
    cp "$CONCUERROR_TESTS/$module.erl" "$work/"
    t0=$(now)
    summary=$(cd "$work" && $CONCUERROR -f "$module.erl" -t "$fn" --keep_going -o /dev/null 2>&1 | grep -o '[0-9]*/[0-9]* interleavings' || true)
    tc=$(echo "$(now) - $t0" | bc)
    nc=${summary%%/*}
    nw=${warm_n[$name]:--}; tw=${warm_s[$name]:--}
  fi
  echo "$name $nl $tl $twl ${nc:--} $tc $nw $tw" >> "$rows"
done
python3 - "$rows" "$have_concuerror" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
have = sys.argv[2] == "1"
def num(x):
    try:
        return float(x)
    except ValueError:
        return None
def cell(v, fmt):
    return fmt % v if v is not None else "-"
big_n, big_l, big_lw, big_c, big_w, worst = 0, 0.0, 0.0, 0.0, 0.0, None
for name, nl, tl, twl, nc, tc, nw, tw in rows:
    nl, tl, twl, nc, tc, nw, tw = int(nl), float(tl), float(twl), num(nc), num(tc), num(nw), num(tw)
    x_whole = nl / max(tl, 1e-4) / (nc / tc) if nc and tc else None
    x_warm = nl / max(twl, 1e-4) / (nw / tw) if nw and tw else None
    count = "-" if nc is None else str(int(nc))
    if nw is not None and nc is not None and nw != nc:
        count += "/" + str(int(nw))  # the warm run counted otherwise
    print(f"{name:<24} {nl:>9} {count:>9} {tl:>9.3f} {twl:>9.4f} {cell(tc, '%.2f'):>9} {cell(tw, '%.3f'):>9} "
          f"{cell(x_whole, '%.1f'):>8} {cell(x_warm, '%.1f'):>8}")
    if nc is not None and nc >= 50 and tc and tw:
        big_n, big_l, big_lw, big_c, big_w = big_n + nl, big_l + tl, big_lw + twl, big_c + tc, big_w + tw
        worst = x_warm if worst is None else min(worst, x_warm)
print(f"\nlockstep: {sum(int(r[1]) for r in rows)} classes in {sum(float(r[2]) for r in rows):.2f} s whole, "
      f"{sum(float(r[3]) for r in rows):.2f} s warm")
if have:
    print(f"Concuerror: {sum(int(num(r[4]) or 0) for r in rows)} interleavings in "
          f"{sum(num(r[5]) or 0 for r in rows):.2f} s whole, {sum(num(r[7]) or 0 for r in rows):.2f} s warm")
    if big_n:
        print(f"tests with 50 or more interleavings ({big_n} classes): whole, lockstep {big_n / big_l:.0f}/s and "
              f"Concuerror {big_n / big_c:.0f}/s ({big_c / big_l:.1f}x); warm, lockstep {big_n / big_lw:.0f}/s and "
              f"Concuerror {big_n / big_w:.0f}/s ({big_w / big_lw:.1f}x); the least x warm of one test: {worst:.1f}x")
PY
rm -f "$rows"
[[ "${TWINS:-1}" == 0 ]] && exit 0  # TWINS=0: the Concuerror comparison only
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

echo
echo "== dfs finding the bug of each buggy twin ($TWIN_SECONDS s each): depth first (the default) and --fewest-delays on =="
echo "   the schedule the bug was found in, wall seconds, and the round's delay bound; budget: not found in time;"
echo "   none: every schedule explored, none fails (a liveness bug needs a fair strategy); unmet: a goal not met"
printf '%-24s %9s %8s | %9s %8s %6s\n' scenario schedule s schedule s round
for f in scenarios/*_fixed.lua; do
  buggy=${f%_fixed.lua}.lua
  [[ -f "$buggy" ]] || continue
  row=$(basename "$buggy" .lua)
  for extra in "" "--fewest-delays on"; do
    # shellcheck disable=SC2086
    out=$($LOCKSTEP run "$buggy" --strategy dfs $extra --iterations 100000000 --max-seconds "$TWIN_SECONDS" \
          --format json --traces-dir build-bench/traces 2>/dev/null || true)
    row="$row"$'\t'$(echo "$out" | python3 -c '
import json, sys
try:
    t = json.load(sys.stdin)["tests"][0]
except Exception:
    print("error", "-", "-"); sys.exit(0)
found = t["status"] == "bug"
verdict = (t["schedules_explored"] if found else "unmet" if t["status"] == "unmet" else
           "none" if t.get("complete") else "budget")
print(verdict, "%.2f" % t["wall_seconds"], t.get("delay_bound", "-"))
')
  done
  IFS=$' \t' read -r -a c <<< "$row"
  printf '%-24s %9s %8s | %9s %8s %6s\n' "${c[0]}" "${c[1]}" "${c[2]}" "${c[4]}" "${c[5]}" "${c[6]}"
done
