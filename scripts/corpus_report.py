"""Print what the current ``structcheck.lint`` says about every file of the verdict corpus.

    python scripts/corpus_report.py [--only legit|broken] [--class CLASS] [--summary] [--write-pending PATH]

For each file of tests/corpus/manifest.json: the findings of the default profile and of
``dpa2-preflight`` (code, name, severity, atoms), and a verdict against the manifest:
legit files must have no error in either profile; broken files must get the intended rule
on the intended atoms (see tests/corpus/README.md). Ends with totals per class.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
RANK = {"info": 0, "warning": 1, "error": 2}


def requirement_met(req, findings):
    want = set(req["atoms"])
    for f in findings:
        if f.name not in req["rules"] or RANK.get(f.severity, 0) < RANK[req["min_severity"]]:
            continue
        got = set(f.atoms)
        if not want or (want <= got if req["match"] == "all" else bool(want & got)):
            return True
    return False


def verdict(entry, default, preflight):
    """(ok, reason) for one manifest entry given the findings of both profiles."""
    if entry["kind"] == "legit":
        errs = [f for f in default + preflight if f.severity == "error"]
        return (not errs, f"{len(errs)} error finding(s)" if errs else "clean of errors")
    expect = entry["expect"]
    missing = [r for r in expect["requires"] if not requirement_met(r, default)]
    if missing:
        return False, "missed: " + "; ".join(f"{'|'.join(r['rules'])} on {r['atoms']} ({r['match']})" for r in missing)
    n_err = sum(f.severity == "error" for f in default)
    if "max_errors" in expect and n_err > expect["max_errors"]:
        return False, f"{n_err} errors > max_errors {expect['max_errors']} (no single root cause)"
    return True, "caught"


def fmt(f):
    return f"{f.code} {f.name} [{f.severity}] atoms={list(f.atoms)[:8]}{'...' if len(f.atoms) > 8 else ''}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("legit", "broken"))
    ap.add_argument("--class", dest="cls")
    ap.add_argument("--summary", action="store_true", help="only the verdict line per file")
    ap.add_argument("--write-pending", metavar="PATH", help="write the files not yet as expected to PATH, one a line")
    args = ap.parse_args(argv)
    import structcheck

    entries = json.loads((CORPUS / "manifest.json").read_text())["entries"]
    totals = defaultdict(Counter)
    failing = []
    for e in entries:
        if (args.only and e["kind"] != args.only) or (args.cls and e["class"] != args.cls):
            continue
        path = CORPUS / e["file"]
        default = structcheck.lint(str(path))
        preflight = structcheck.lint(str(path), profile="dpa2-preflight")
        ok, why = verdict(e, default, preflight)
        totals[(e["kind"], e["class"])]["ok" if ok else "fail"] += 1
        if not ok:
            failing.append(e["file"])
        print(f"{'OK  ' if ok else 'FAIL'} {e['file']} [{e['class']}] {why}")
        if not args.summary:
            for f in default:
                print(f"      default   {fmt(f)}  {f.message[:110]}")
            for f in preflight:
                if f.severity == "error":
                    print(f"      preflight {fmt(f)}  {f.message[:110]}")
    print("\nper class (ok/total):")
    for (kind, cls), c in sorted(totals.items()):
        print(f"  {kind:6s} {cls:20s} {c['ok']:4d}/{c['ok'] + c['fail']}")
    ok = sum(c["ok"] for c in totals.values())
    n = sum(c["ok"] + c["fail"] for c in totals.values())
    print(f"total {ok}/{n} as the manifest expects")
    if args.write_pending:
        Path(args.write_pending).write_text(
            "# corpus files whose verdict is not yet as the manifest expects (pending rules11)\n"
            + "".join(f + "\n" for f in failing)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
