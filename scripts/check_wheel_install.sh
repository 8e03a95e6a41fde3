#!/usr/bin/env bash
# The install route as a wheel user meets it (run by hand; it builds deepmd-kit: minutes):
#   build the wheel, install it into a fresh venv, lint (base install), relax (must name the
#   exact install command), run the commands `structcheck doctor` names, relax again.
# Usage: bash scripts/check_wheel_install.sh [WORKDIR]     (default /tmp/structcheck-wheel-check)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
W="${1:-/tmp/structcheck-wheel-check}"
rm -rf "$W"; mkdir -p "$W/dist"
PY=python3
say() { printf '\n== %s\n' "$*"; }

say "build the wheel"
"$PY" -m pip wheel -q --no-deps -w "$W/dist" "$ROOT"
WHEEL="$(ls "$W"/dist/structcheck-*.whl)"
"$PY" -m zipfile -l "$WHEEL" | grep -E "_scripts/install_deepmd.sh|structcheck-dpa2-HO.pth|rules/default.toml"

say "fresh venv, base install"
"$PY" -m venv "$W/venv"
V="$W/venv/bin"
"$V/pip" install -q "$WHEEL"
cd "$W"
"$V/structcheck" lint "$ROOT/data/examples/water.xyz"
set +e
"$V/structcheck" relax "$ROOT/data/examples/water.xyz" -o "$W/water.relaxed.extxyz" 2> "$W/relax1.err"
rc=$?
set -e
cat "$W/relax1.err"
[[ $rc == 2 ]] || { echo "expected exit 2 from relax without deepmd-kit, got $rc"; exit 1; }
grep -q "python -m structcheck.install_deepmd" "$W/relax1.err"
set +e; "$V/structcheck" doctor --route cpu; set -e

say "the commands it names (cpu route), timed"
t0=$(date +%s)
"$V/python" -m pip install -q torch==2.13.0
t1=$(date +%s)
"$V/python" -m structcheck.install_deepmd > "$W/install.log" 2>&1 || { tail -20 "$W/install.log"; exit 1; }
t2=$(date +%s)
tail -2 "$W/install.log"
echo "TIME torch install: $((t1 - t0)) s; deepmd-kit build+install: $((t2 - t1)) s"
"$V/structcheck" doctor --route cpu

say "relax with the shipped model"
t3=$(date +%s)
"$V/structcheck" relax "$ROOT/data/examples/water.xyz" -o "$W/water.relaxed.extxyz"
t4=$(date +%s)
echo "TIME relax (water, shipped model, incl. start-up): $((t4 - t3)) s"
echo "WHEEL CHECK OK"
