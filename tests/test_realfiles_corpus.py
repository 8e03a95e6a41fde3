"""The real-world corpus (tests/realfiles, issue 12): files others wrote, linted as a new user
would. Fine files give no error; each real defect is named by the rules its manifest entry
lists; nothing crashes and no file takes 30 s."""

import hashlib
import json
import time
from pathlib import Path

import pytest

import structcheck

HERE = Path(__file__).resolve().parent / "realfiles"
ENTRIES = json.loads((HERE / "manifest.json").read_text())["entries"]


def test_corpus_is_large_and_intact():
    assert len(ENTRIES) >= 100
    assert sum(e["defect"] is None for e in ENTRIES) >= 100
    for e in ENTRIES:
        data = (HERE / "files" / e["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == e["sha256"], e["file"]
        assert e["defect"] is None or e["errors"], e["file"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["file"])
def test_real_file_verdict(entry):
    t = time.perf_counter()
    found = structcheck.lint(str(HERE / "files" / entry["file"]))
    assert time.perf_counter() - t < 30
    errors = [f for f in found if f.severity == "error"]
    crashed = [f for f in errors if "internal error" in f.message]
    assert crashed == []
    if entry["defect"] is None:
        assert errors == [], [str(f) for f in errors[:5]]
    else:
        assert {f.name for f in errors} & set(entry["errors"]), [str(f) for f in errors[:5]]
