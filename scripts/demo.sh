#!/usr/bin/env bash
# The main job on the shipped examples and model: lint -> fix -> DPA2 relax.
# Writes into out/ (created); never touches data/.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
export OMP_NUM_THREADS=1

echo "== 1. lint the shipped examples (exit 1: the bad starts have findings)"
structcheck lint data/examples/
echo
echo "== 2. repair the DeePMD-kit issue 4502 start: least movement until no error is left"
structcheck fix data/examples/h2o3_report.xyz -o out/h2o3_fixed.extxyz --force-overwrite || exit 1
structcheck lint out/h2o3_fixed.extxyz --profile dpa2-preflight   # warnings only: exit 1, no error
echo
echo "== 3. relax a sane water with the shipped DPA2 model (ASE LBFGS)"
structcheck relax data/examples/water.xyz -o out/water_relaxed.extxyz --force-overwrite || exit 1
echo
echo "== 4. the report start: refused as it is, and with --prerelax (its isolated O is no contact to repair) ..."
structcheck relax data/examples/h2o3_report.xyz -o out/h2o3_relaxed.extxyz --force-overwrite && exit 1
structcheck relax data/examples/h2o3_report.xyz --prerelax -o out/h2o3_relaxed.extxyz --force-overwrite && exit 1
echo "   ... while the repaired copy from step 2 (no error left) relaxes, bitwise repeatable"
structcheck relax out/h2o3_fixed.extxyz --deterministic -o out/h2o3_relaxed.extxyz --force-overwrite || exit 1
echo
echo "Outputs and provenance records are in out/"
