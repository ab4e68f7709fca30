#!/usr/bin/env bash
# The checker grid: generated register and kv histories (bench/history_gen)
# checked with `lockstep check` and, when Go and Porcupine's sources are
# present, with Porcupine in the same run. Prints a markdown table.
#
#   bench/checker_grid.sh                      # lockstep only
#   PORCUPINE_DIR=/path/to/porcupine bench/checker_grid.sh
#
# PORCUPINE_DIR is a checkout of github.com/anishathalye/porcupine (outside
# this repository); `go` is Debian's golang-go. GRID_TIMEOUT (seconds, default
# 60) bounds each check; GRID_QUICK=1 runs a small grid.
set -euo pipefail
cd "$(dirname "$0")/.."
timeout_s=${GRID_TIMEOUT:-60}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target history_gen lockstep > /dev/null
out=build-bench/grid
mkdir -p "$out"

porcupine=""
if [[ -n "${PORCUPINE_DIR:-}" ]] && command -v go > /dev/null; then
  mkdir -p build-bench/porcupine
  cp bench/porcupine/main.go build-bench/porcupine/
  cat > build-bench/porcupine/go.mod <<MOD
module porcupinecheck
go 1.16
require github.com/anishathalye/porcupine v0.0.0
replace github.com/anishathalye/porcupine => $(cd "$PORCUPINE_DIR" && pwd)
MOD
  (cd build-bench/porcupine && GOFLAGS=-mod=mod GOPROXY=off go build -o porcupine_check .)
  porcupine=build-bench/porcupine/porcupine_check
fi

# Wall-clock seconds of a command, its first output word as the verdict.
run_timed() {
  local start end verdict
  start=$(date +%s.%N)
  verdict=$("$@" 2> /dev/null | head -c 300 || true)
  end=$(date +%s.%N)
  printf '%s %.3f' "$verdict" "$(echo "$end - $start" | bc)"
}

lockstep_check() {  # file model
  local r
  r=$(run_timed ./build-bench/cli/lockstep check --history "$1" --model "$2" --timeout "$timeout_s" --format json)
  local verdict=${r% *} secs=${r##* }
  verdict=$(echo "$verdict" | grep -o '"verdict":"[^"]*"' | cut -d'"' -f4)
  case "$verdict" in
    linearizable) echo "ok $secs" ;;
    "not linearizable") echo "bad $secs" ;;
    *) echo "none $secs" ;;
  esac
}

porcupine_check() {  # file
  local r
  r=$(run_timed timeout $((timeout_s + 5)) "$porcupine" -timeout "${timeout_s}s" "$1")
  local verdict=${r%% *} secs=${r##* }
  case "$verdict" in
    Ok) echo "ok $secs" ;;
    Illegal) echo "bad $secs" ;;
    *) echo "none $secs" ;;
  esac
}

echo "| history | ops | clients | unknown | violation | lockstep | porcupine | lockstep / porcupine |"
echo "|---|---:|---:|---:|---|---|---|---:|"
row() {  # label file model ops clients unknown violation
  local l p ratio="" pcell="-"
  l=$(lockstep_check "$2" "$3")
  if [[ -n "$porcupine" ]]; then
    p=$(porcupine_check "$2")
    pcell="${p% *} in ${p#* } s"
    [[ "${p% *}" == none ]] && pcell="no verdict in ${p#* } s"
    if [[ "${p% *}" != none && "${l% *}" != none ]]; then ratio=$(echo "scale=3; ${l#* } / ${p#* }" | bc); fi
  fi
  local lcell="${l% *} in ${l#* } s"
  [[ "${l% *}" == none ]] && lcell="no verdict in ${l#* } s"
  echo "| $1 | $4 | $5 | $6 | $7 | $lcell | $pcell | $ratio |"
}

if [[ "${GRID_QUICK:-0}" == 1 ]]; then
  sizes="1000 10000"; clients="5 20"; unknowns="0 0.01"
else
  sizes="1000 10000 100000"; clients="5 20 100"; unknowns="0 0.01"
fi
for model in register kv; do
  for n in $sizes; do
    for c in $clients; do
      for u in $unknowns; do
        for v in no yes; do
          f="$out/$model-n$n-c$c-u$u-$v.log"
          flag=""; [[ $v == yes ]] && flag=--violation
          ./build-bench/bench/history_gen --model "$model" --clients "$c" --ops "$n" --unknown "$u" $flag --seed 1 > "$f"
          row "$model" "$f" "$model" "$n" "$c" "$u" "$v"
        done
      done
    done
  done
done
if [[ -n "${PORCUPINE_DIR:-}" ]]; then
  for f in c50-ok c50-bad c10-ok c10-bad; do
    row "Porcupine's kv $f" "$PORCUPINE_DIR/test_data/kv/$f.txt" kv "-" "-" "-" "-"
  done
fi
