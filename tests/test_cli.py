"""CLI contract: every lint option, rules, explain, exit codes."""

import json
import shutil
from pathlib import Path

import pytest

EX = Path(__file__).resolve().parent.parent / "data" / "examples"


@pytest.fixture
def files(tmp_path):
    shutil.copy(EX / "h2o3_report.xyz", tmp_path / "h2o3.xyz")
    shutil.copy(EX / "water.xyz", tmp_path / "water.xyz")
    return tmp_path


def test_exit_codes(run_cli, files):
    assert run_cli("lint", "water.xyz")[0] == 0
    code, out, _ = run_cli("lint", "h2o3.xyz", "water.xyz")
    assert code == 1 and "Found 8 finding(s) (5 error, 3 warning) in 2 file(s), 2 frame(s)." in out
    assert run_cli("lint", "--exit-zero", "h2o3.xyz")[0] == 0
    # only a warning left: passes with --fail-on error
    assert run_cli("lint", "--select", "isolated-atom", "--fail-on", "error", "h2o3.xyz")[0] == 0
    assert run_cli("lint", "--select", "isolated-atom", "h2o3.xyz")[0] == 1


def test_usage_errors_exit_2(run_cli, files):
    code, _, err = run_cli("lint", "--select", "no-such-rule", "water.xyz")
    assert code == 2 and "unknown rule selector 'no-such-rule'" in err
    assert run_cli("lint")[0] == 2
    assert run_cli("lint", "--output-format", "xml", "water.xyz")[0] == 2
    code, _, err = run_cli("lint", "--config", "nope.toml", "water.xyz")
    assert code == 2 and "nope.toml" in err
    (files / "bad.toml").write_text("select = [\n")
    code, _, err = run_cli("lint", "--config", "bad.toml", "water.xyz")
    assert code == 2 and "invalid TOML" in err
    (files / "typo.toml").write_text('slect = ["geometry"]\n')
    code, _, err = run_cli("lint", "--config", "typo.toml", "water.xyz")
    assert code == 2 and "unknown configuration key(s): slect" in err


def test_select_ignore_by_family_name_code_prefix(run_cli, files):
    def run(*sel):
        out = run_cli("lint", "--output-format", "json", *sel, "h2o3.xyz")[1]
        return sorted({f["code"] for f in json.loads(out)})

    assert run() == ["SC102", "SC103", "SC105", "SC202"]
    assert run("--select", "geometry", "--ignore", "isolated-atom") == ["SC102", "SC105"]
    assert run("--select", "SC10", "--ignore", "SC105,SC103") == ["SC102"]
    assert run("--select", "close-contact") == ["SC102"]
    assert run("--select", "composition") == ["SC202"]
    assert run("--select", "SC201,SC203,SC204") == []


def test_json_fields(run_cli, files):
    _code, out, _ = run_cli("lint", "--output-format", "json", "h2o3.xyz")
    f = json.loads(out)[0]
    assert {"path", "frame", "code", "name", "severity", "atoms", "message", "value", "threshold", "unit"} <= set(f)
    assert (f["path"], f["frame"], f["code"], f["name"], f["severity"], f["atoms"]) == \
        ("h2o3.xyz", 0, "SC102", "close-contact", "error", [0, 1])
    assert f["unit"] == "Å" and f["value"] == pytest.approx(0.34641, abs=1e-4)


def test_jsonl_github_sarif(run_cli, files):
    out = run_cli("lint", "--output-format", "jsonl", "h2o3.xyz")[1]
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 8 and lines[0]["code"] == "SC102"
    out = run_cli("lint", "--output-format", "github", "h2o3.xyz")[1]
    assert out.splitlines()[0].startswith("::error file=h2o3.xyz,line=3,title=SC102 close-contact::")
    assert "::warning file=h2o3.xyz,line=7" in out
    shutil.copy(files / "h2o3.xyz", files / "a,b:c.xyz")
    out = run_cli("lint", "--output-format", "github", "a,b:c.xyz")[1]
    assert out.startswith("::error file=a%2Cb%3Ac.xyz,line=3,title=SC102 close-contact::")
    sarif = json.loads(run_cli("lint", "--output-format", "sarif", "h2o3.xyz")[1])
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "structcheck"
    assert len(run["results"]) == 8 and run["results"][0]["ruleId"] == "SC102"
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_statistics_and_output_file(run_cli, files):
    code, out, _ = run_cli("lint", "--statistics", "h2o3.xyz")
    assert code == 1
    assert out.splitlines()[0].split() == ["3", "SC102", "close-contact", "[*]"]
    code, out, _ = run_cli("lint", "-o", "report.json", "--output-format", "json", "h2o3.xyz")
    assert code == 1 and out == ""
    assert len(json.loads((files / "report.json").read_text())) == 8


def test_stdin(run_cli, files):
    data = (files / "h2o3.xyz").read_bytes()
    code, out, _ = run_cli("lint", "--format-in", "xyz", "--output-format", "json", "-", stdin=data)
    found = json.loads(out)
    assert code == 1 and found[0]["path"] == "-" and found[0]["atoms"] == [0, 1]


def test_pyproject_config_and_per_file_ignores(run_cli, files):
    (files / "pyproject.toml").write_text(
        '[tool.structcheck]\nignore = ["over-coordinated", "valence"]\n'
        '[tool.structcheck.per-file-ignores]\n"h2o3*.xyz" = ["isolated-atom"]\n'
        '[tool.structcheck.severity]\nclose-contact = "warning"\n')
    found = json.loads(run_cli("lint", "--output-format", "json", "h2o3.xyz")[1])
    assert {(f["code"], f["severity"]) for f in found} == {("SC102", "warning")}
    # --isolated ignores the project configuration
    found = json.loads(run_cli("lint", "--isolated", "--output-format", "json", "h2o3.xyz")[1])
    assert {f["code"] for f in found} == {"SC102", "SC103", "SC105", "SC202"}


def test_config_file_thresholds_and_pairs(run_cli, files):
    (files / "loose.toml").write_text('[thresholds]\nclose_contact = 0.3\n')
    found = json.loads(run_cli("lint", "--config", "loose.toml", "--select", "close-contact",
                               "--output-format", "json", "h2o3.xyz")[1])
    # H-O: 0.346 Å > 0.3 * 0.97; H-H keeps its shipped pair override (0.59 Å)
    assert [f["atoms"] for f in found] == [[0, 1]] and found[0]["threshold"] == 0.59
    (files / "pairs.toml").write_text('[pairs]\n"H-H" = 0.3\n')
    found = json.loads(run_cli("lint", "--config", "pairs.toml", "--select", "close-contact",
                               "--output-format", "json", "h2o3.xyz")[1])
    assert [f["atoms"] for f in found] == [[0, 3], [1, 2]]


def test_in_file_suppression(run_cli, files):
    text = (files / "h2o3.xyz").read_text().splitlines()
    text[1] += ' structcheck_ignore="isolated-atom,SC105,composition"'
    (files / "sup.xyz").write_text("\n".join(text) + "\n")
    found = json.loads(run_cli("lint", "--output-format", "json", "sup.xyz")[1])
    assert {f["code"] for f in found} == {"SC102"}


def test_expect_formula(run_cli, files):
    assert run_cli("lint", "--expect-formula", "H2O", "water.xyz")[0] == 0
    code, out, _ = run_cli("lint", "--expect-formula", "H2O2", "--output-format", "json", "water.xyz")
    assert code == 1 and json.loads(out)[0]["name"] == "formula-mismatch"


def test_type_map(run_cli, files):
    code, out, _ = run_cli("lint", "--type-map", "H,C", "--output-format", "json", "water.xyz")
    f = json.loads(out)
    assert code == 1 and f[0]["name"] == "model-unsupported-element" and f[0]["atoms"] == [0]


def test_profile(run_cli, files):
    found = json.loads(run_cli("lint", "--profile", "dpa2-preflight", "--output-format", "json", "h2o3.xyz")[1])
    assert {(f["code"], f["severity"]) for f in found if f["code"] == "SC103"} == {("SC103", "error")}
    code, _, err = run_cli("lint", "--profile", "nope", "water.xyz")
    assert code == 2 and "unknown profile" in err


def test_rules_and_explain(run_cli):
    code, out, _ = run_cli("rules")
    assert code == 0
    rows = {line.split()[1]: line.split() for line in out.splitlines()[2:]}
    for name in ("overlapping-atoms", "close-contact", "isolated-atom", "fragments", "over-coordinated",
                 "suspect-units", "odd-electron-count", "formula-mismatch", "non-finite-coordinates",
                 "unknown-element", "degenerate-cell", "implausible-density", "model-unsupported-element",
                 "unreadable-structure"):
        assert name in rows, name
    assert rows["close-contact"][:6] == ["SC102", "close-contact", "geometry", "error", "on", "yes"]
    js = json.loads(run_cli("rules", "--output-format", "json")[1])
    assert all({"code", "name", "family", "severity", "enabled", "fixable"} <= set(r) for r in js)
    for sel in ("close-contact", "SC102", "sc102"):
        code, out, _ = run_cli("explain", sel)
        assert code == 0 and out.startswith("SC102 close-contact")
        assert "Why it matters" in out and "Fix:" in out and "Example" in out
    assert run_cli("explain", "geometry")[0] == 2

