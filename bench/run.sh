#!/usr/bin/env bash
# Builds in Release mode and runs the benchmarks, printing their tables.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2 --target checker_bench lockstep > /dev/null
echo "== linearizability checker on shared/data/histories (median of 5 runs) =="
./build-bench/bench/checker_bench "${1:-../shared/data/histories}" 5
