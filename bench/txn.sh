#!/usr/bin/env bash
# Transactional checking (lockstep check --model list-append | rw-register)
# on generated histories (bench/txn_gen): valid ones of growing size, and
# 100,000 transactions with each anomaly injected. Prints a markdown table
# of whole-process times (median of 3) and verdicts.
#
#   bench/txn.sh            # TXN_QUICK=1 for a small run
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target txn_gen lockstep > /dev/null
out=build-bench/txn
mkdir -p "$out"
sizes=(10000 100000)
[[ -n "${TXN_QUICK:-}" ]] && sizes=(10000)

median3() {  # runs "$@" three times; prints the median wall time in seconds
  local times=()
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null || true
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

echo "| model | transactions | injected | verdict | anomalies | seconds |"
echo "|---|---|---|---|---|---|"
row() {  # model txns inject
  local file="$out/$1-$2-${3:-valid}.edn"
  ./build-bench/bench/txn_gen --model "$1" --txns "$2" --clients 20 --keys 50 ${3:+--inject "$3"} > "$file"
  local json
  json=$(./build-bench/cli/lockstep check --history "$file" --model "$1" --format json || true)
  local verdict anomalies
  verdict=$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
  anomalies=$(echo "$json" | python3 -c 'import json,sys; print(" ".join(a["type"] for a in json.load(sys.stdin)["anomalies"]) or "-")')
  printf '| %s | %s | %s | %s | %s | %.2f |\n' "$1" "$2" "${3:--}" "$verdict" "$anomalies" \
    "$(median3 ./build-bench/cli/lockstep check --history "$file" --model "$1")"
}
for model in list-append rw-register; do
  for n in "${sizes[@]}"; do row "$model" "$n" ""; done
done
n=${sizes[-1]}
for a in G0 G1a G1b G1c G-single G2-item internal lost-update incompatible-order duplicate-elements; do
  row list-append "$n" "$a"
done
for a in G1a G1b G1c G2-item internal lost-update; do row rw-register "$n" "$a"; done
