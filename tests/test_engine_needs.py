"""The rules' ``needs`` (linter/rule.py): the engine skips a rule on a frame that lacks what
the rule needs, so such a rule must find nothing there when it is called anyway. Checked
on every corpus structure (legitimate and broken) as read, and on each made non-periodic
and stripped of its reader notes and occupancies (the frames the engine skips most)."""

from __future__ import annotations

from pathlib import Path

import pytest

from structcheck.io import iter_frames
from structcheck.linter import engine
from structcheck.linter.config import load_config
from structcheck.linter.frame import Frame
from structcheck.linter.registry import all_rules

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p for sub in ("legit", "broken") for p in (CORPUS / sub).iterdir() if not p.name.startswith("."))


def _variants(atoms):
    yield atoms
    bare = atoms.copy()
    bare.pbc = False
    for key in ("structcheck_reading", "occupancy", "structcheck_mixed_sites"):
        bare.info.pop(key, None)
    bare.arrays.pop("occupancy", None)
    yield bare


@pytest.mark.parametrize("profile", ["default", "dpa2-preflight"])
def test_a_rule_finds_nothing_on_a_frame_without_what_it_needs(profile):
    config = load_config(profile=None if profile == "default" else profile)
    rules = [r for r in all_rules() if set(r.needs) & {*engine.NEEDS, "engine"}]
    assert {r.code for r in rules} >= {"SC001", "SC021", "SC026", "SC301", "SC303", "SC306"}
    judged = skipped = 0
    for path in FILES:
        for rec in iter_frames(str(path)):
            assert rec.atoms is not None, (path, rec.error)
            for atoms in _variants(rec.atoms):
                lacks = {n for n, there in zip(engine.NEEDS, engine._has(atoms)) if not there} | {"engine"}
                frame = Frame(atoms, config)
                for r in rules:
                    if lacks.isdisjoint(r.needs):
                        continue
                    kw = config.params.get(r.code) or {}
                    assert list(r.func(frame, **kw)) == [], (path.name, r.name)
                    skipped += 1
                judged += 1
    assert judged >= 2 * len(FILES) and skipped > 10 * len(FILES)


def test_the_engine_plan_leaves_out_only_what_a_frame_cannot_use():
    from ase.build import bulk, molecule

    config = load_config()
    rules = config.rules_for("x.xyz")
    names = lambda atoms: {p[1] for p in engine._plan(rules, config, engine._has(atoms))}  # noqa: E731
    mol, crystal = names(molecule("H2O")), names(bulk("Si"))
    assert "SC001" not in mol | crystal  # reported by the engine itself
    assert {"SC301", "SC303", "SC306"} <= crystal and not {"SC301", "SC303", "SC306"} & mol
    assert {"SC101", "SC107", "SC202"} <= mol & crystal
    noted = molecule("H2O")
    noted.info["structcheck_reading"] = [{"code": "element-guessed", "message": "x", "atoms": [0]}]
    assert "SC021" in names(noted) and "SC021" not in mol
    found = engine.lint_atoms(noted, config)
    assert [f.code for f in found if f.code == "SC021"] == ["SC021"]
