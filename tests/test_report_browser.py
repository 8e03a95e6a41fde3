"""The HTML report in a real headless Chromium: offline, no console errors, contacts drawn, clicks highlight."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import structcheck
from structcheck.cli import main
from structcheck.report import browser

ROOT = Path(__file__).resolve().parents[1]
START = ROOT / "data" / "examples" / "h2o3_report.xyz"
IMAGE = ROOT / "data" / "examples" / "water_box_image_contact.xyz"

if os.environ.get("STRUCTCHECK_REQUIRE_BROWSER") and browser.missing():  # CI (.ci/run) installs it
    raise RuntimeError(f"STRUCTCHECK_REQUIRE_BROWSER is set but {browser.missing()}")
pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))


@pytest.fixture(scope="module")
def driver():
    with browser.chromium() as d:
        yield d


def _report(tmp_path, *paths) -> Path:
    out = tmp_path / "report.html"
    assert main(["lint", "-q", "--output-format", "html", "-o", str(out), *map(str, paths)]) == 1
    return out


def test_4502_start_renders_offline_without_console_errors(driver, tmp_path):
    out = _report(tmp_path, START)
    browser.open_report(driver, out)
    assert browser.console_errors(driver) == []
    # nothing was fetched: every resource the page asked for is the file itself
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in fetched if not u.startswith(("file:", "data:", "blob:"))] == []
    box = driver.find_element("id", "sc-viewer")
    assert "sc-nogl" not in (box.get_attribute("class") or "")
    assert box.find_elements("tag name", "canvas"), "3Dmol made no canvas"
    # the WebGL canvas shows something: not one flat colour
    from io import BytesIO

    from PIL import Image

    img = Image.open(BytesIO(box.screenshot_as_png)).convert("L")
    lo, hi = img.getextrema()
    assert hi - lo > 100


def test_one_drawn_contact_per_close_contact_finding(driver, tmp_path):
    out = _report(tmp_path, START)
    browser.open_report(driver, out)
    expected = [f for f in structcheck.lint(str(START)) if f.name == "close-contact"]
    assert len(expected) == 3
    drawn = driver.find_elements("css selector", "li.sc-finding[data-code='SC102'][data-drawn='1']")
    assert len(drawn) == len(expected)
    assert driver.find_element("id", "sc-viewer").get_attribute("data-contacts-drawn") == str(len(expected))
    assert sorted(li.get_attribute("data-atoms") for li in drawn) == sorted(
        ",".join(map(str, f.atoms)) for f in expected)
    # the labels carry distance and threshold
    data = json.loads(driver.execute_script("return document.getElementById('sc-data').textContent"))
    labels = [c["label"] for c in data["frames"][0]["contacts"]]
    assert all(re.search(r"0\.346 Å < 0\.(590|679) Å", lab) for lab in labels), labels
    assert browser.console_errors(driver) == []


def test_click_on_a_finding_highlights_its_atoms(driver, tmp_path):
    out = _report(tmp_path, START)
    browser.open_report(driver, out)
    box = driver.find_element("id", "sc-viewer")
    assert box.get_attribute("data-highlighted") == ""
    items = driver.find_elements("css selector", "li.sc-finding")
    for li in items:
        atoms = sorted({int(a) for a in li.get_attribute("data-atoms").split(",") if a})
        li.click()
        assert li.get_attribute("aria-selected") == "true"
        assert box.get_attribute("data-highlighted") == ",".join(map(str, atoms))
    selected = driver.find_elements("css selector", "li.sc-finding[aria-selected='true']")
    assert len(selected) == 1
    assert browser.console_errors(driver) == []


def test_contact_through_a_periodic_image_is_drawn_to_the_image(driver, tmp_path):
    out = _report(tmp_path, IMAGE)
    browser.open_report(driver, out)
    data = json.loads(driver.execute_script("return document.getElementById('sc-data').textContent"))
    frame = data["frames"][0]
    (contact,) = frame["contacts"]
    assert contact["periodic"] and contact["b"] in frame["image"]
    li = driver.find_element("css selector", "li.sc-finding[data-code='SC102']")
    assert li.get_attribute("data-drawn") == "1"
    li.click()
    assert driver.find_element("id", "sc-viewer").get_attribute("data-highlighted") == "0,4"
    assert browser.console_errors(driver) == []


def test_several_frames_switch_in_one_viewer(driver, tmp_path):
    out = _report(tmp_path, START, IMAGE)
    browser.open_report(driver, out)
    rows = driver.find_elements("css selector", "tr.sc-row[data-frame]")
    assert len(rows) == 2
    rows[1].click()
    box = driver.find_element("id", "sc-viewer")
    assert box.get_attribute("data-frame") == "1"
    assert box.get_attribute("data-contacts-drawn") == "1"
    assert len(box.find_elements("tag name", "canvas")) == 1
    assert browser.console_errors(driver) == []


def test_fix_report_renders_arrows(driver, tmp_path):
    import ase.io

    from structcheck.repair.fix import fix
    from structcheck.report.fixview import write_fix_html

    before = ase.io.read(START)
    after, rep = fix(before)
    out = tmp_path / "fix.html"
    write_fix_html(out, [before], [after], [rep], path=str(START))
    browser.open_report(driver, out)
    assert browser.console_errors(driver) == []
    box = driver.find_element("id", "sc-viewer")
    assert box.get_attribute("data-arrows-drawn") == "4"
    assert box.get_attribute("data-contacts-drawn") == "3"
    driver.find_elements("css selector", "li.sc-finding")[0].click()
    assert box.get_attribute("data-highlighted") == "0,1"


def test_large_structure_report_renders_its_neighbourhood(driver, tmp_path):
    """100,920 atoms, 30 close contacts: the report shows the flagged neighbourhoods and draws all 30."""
    import numpy as np
    from ase.build import bulk

    from structcheck.report.html import write_html

    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((29, 29, 30))
    nn = np.array([0.0, 3.61 / 2, 3.61 / 2])
    for i in np.random.default_rng(0).choice(len(atoms), size=30, replace=False):
        atoms.positions[i] += nn * (1 - 1.30 / np.linalg.norm(nn))
    atoms.wrap()
    findings = structcheck.lint(atoms)
    out = tmp_path / "big.html"
    write_html(out, findings, atoms)
    browser.open_report(driver, out, timeout=60)
    assert browser.console_errors(driver) == []
    box = driver.find_element("id", "sc-viewer")
    assert box.get_attribute("data-contacts-drawn") == "30"
    assert "of 100920 atoms shown" in driver.find_element("id", "sc-frame-note").text
