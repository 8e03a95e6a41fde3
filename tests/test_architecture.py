"""The package's rooms: imports only downward (no circles), no CLI code in the library, no
``sys.modules`` tricks, small modules, and process-global settings restored after use."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "structcheck"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """structcheck modules that ``name`` imports (at any depth of the file, lazy imports included)."""
    is_pkg = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    graph = {}
    for name, path in mods.items():
        # a package's __init__ is not "imported" by importing one of its submodules here:
        # only explicit edges count (an __init__ that imports its children would show up itself)
        graph[name] = _imports(name, path, known)
    return graph


def test_import_graph_is_acyclic():
    graph = import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycle = stack[stack.index(m):] + [m]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)


def test_library_modules_have_no_cli_code():
    """Only structcheck.cli.* may import argparse or the CLI, or print."""
    for name, path in _modules().items():
        if name == "structcheck.cli" or name.startswith("structcheck.cli."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name == "argparse" for a in node.names), f"{name} imports argparse"
            if isinstance(node, ast.ImportFrom):
                assert node.module != "argparse", f"{name} imports argparse"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", f"{name}:{node.lineno} prints"
        assert not any(d == "structcheck.cli" or d.startswith("structcheck.cli.") for d in import_graph()[name]), \
            f"{name} imports the CLI"


def test_no_sys_modules_assignment_and_no_module_class_swap():
    for name, path in _modules().items():
        src = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(src)):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else \
                node.targets if isinstance(node, ast.Delete) else []
            for t in targets:
                text = ast.unparse(t)
                assert "sys.modules" not in text, f"{name}:{node.lineno} changes sys.modules"
                assert not text.endswith("__class__"), f"{name}:{node.lineno} replaces a class"


def test_modules_are_small_and_say_what_they_are_for():
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) <= 450, f"{name}: {len(lines)} lines"
        doc = ast.get_docstring(ast.parse("\n".join(lines)))
        assert doc and doc.strip(), f"{name}: no module docstring"


def test_public_api_names_are_functions_not_modules():
    import structcheck

    for name in ("lint", "fix", "preflight", "relax", "guarded"):
        assert callable(getattr(structcheck, name)) and type(getattr(structcheck, name)).__name__ == "function"
    assert isinstance(structcheck.PreflightError, type) and isinstance(structcheck.Finding, type)
    import structcheck.dp.relax  # noqa: F401 - importing submodules must not shadow the functions
    import structcheck.guard  # noqa: F401

    assert type(structcheck.relax).__name__ == "function" and type(structcheck.preflight).__name__ == "function"


def test_runtime_settings_are_restored_and_recorded():
    """deterministic=True then False in one process: each run's record states exactly what was
    in force, and afterwards torch is as it was before (fresh interpreter: process state)."""
    code = r"""
import json, os, torch
torch.set_num_threads(2)
from ase.build import molecule
import structcheck
before = (torch.are_deterministic_algorithms_enabled(), torch._C._get_graph_executor_optimize(),
          torch.get_num_threads(), os.environ.get("CUBLAS_WORKSPACE_CONFIG"), os.environ.get("DEVICE"))
recs = []
for det in (True, False):
    r = structcheck.relax(molecule("H2O"), deterministic=det, steps=3)
    rt = r.provenance["runtime"]
    recs.append([rt["deterministic"]["requested"], rt["deterministic"]["torch_use_deterministic_algorithms"],
                 rt["torchscript_graph_executor_optimize"], rt["threads"]["torch_intra_op"]])
after = (torch.are_deterministic_algorithms_enabled(), torch._C._get_graph_executor_optimize(),
         torch.get_num_threads(), os.environ.get("CUBLAS_WORKSPACE_CONFIG"), os.environ.get("DEVICE"))
print(json.dumps([recs, before == after]))
"""
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("CUBLAS_WORKSPACE_CONFIG", "DEVICE")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    recs, restored = json.loads(out.stdout.strip().splitlines()[-1])
    assert recs == [[True, True, False, 1], [False, False, False, 1]]
    assert restored is True


def test_vesin_returns_tensors_after_lint():
    """structcheck's own binding to vesin's library leaves the vesin package as its users know it:
    after structcheck.lint in the same process, torch tensors in give torch tensors out."""
    code = r"""
import torch
from ase.build import molecule
import structcheck
assert structcheck.lint(molecule("H2O")) == []
import vesin
pts = torch.tensor([[0.0, 0, 0], [0, 0, 1.0], [0, 1.0, 0]], dtype=torch.float64)
nl = vesin.NeighborList(cutoff=2.0, full_list=False)
i, j, d = nl.compute(points=pts, box=torch.zeros((3, 3), dtype=torch.float64), periodic=False, quantities="ijd")
print(type(i).__name__, type(d).__name__, len(d))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["Tensor", "Tensor", "3"]
