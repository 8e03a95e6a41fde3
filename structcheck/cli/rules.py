"""`structcheck rules` and `structcheck explain`: the rule catalogue and each rule's long text."""

from __future__ import annotations

import argparse
import json

from .options import add_selection_arguments, config_from_args


def add_rules_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output-format", choices=["text", "json"], default="text")
    add_selection_arguments(p)


def run_rules(args) -> int:
    from ..linter.registry import all_rules

    config = config_from_args(args)
    rows = []
    for r in all_rules():
        rows.append({"code": r.code, "name": r.name, "family": r.family,
                     "severity": config.severity.get(r.code, r.severity),
                     "enabled": r.code in config.enabled, "fixable": r.fixable, "summary": r.summary})
    if args.output_format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"profile: {config.profile}")
    print(f"{'code':<6} {'name':<26} {'family':<12} {'severity':<8} {'on':<3} {'fix':<3} summary")
    for r in rows:
        print(f"{r['code']:<6} {r['name']:<26} {r['family']:<12} {r['severity']:<8} "
              f"{'on' if r['enabled'] else 'off':<3} {'yes' if r['fixable'] else '-':<3} {r['summary']}")
    return 0


def add_explain_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", help="a rule code or name, e.g. SC102 or close-contact")


def run_explain(args) -> int:
    from ..linter.registry import ConfigError, resolve

    rules = resolve(args.rule)
    if len(rules) != 1:
        raise ConfigError(f"{args.rule!r} matches {len(rules)} rules; give one code or name")
    r = rules[0]
    print(f"{r.code} {r.name}  ({r.family}, {r.severity}{', fixable' if r.fixable else ''}"
          f"{'' if r.default_enabled else ', off by default'})\n")
    print(r.explanation)
    return 0
