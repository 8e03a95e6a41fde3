"""Model files: the shipped default and type maps read without evaluating a model."""

from __future__ import annotations

import json
import zipfile
from functools import lru_cache
from pathlib import Path


def default_model_path() -> Path:
    """The small DPA2 model shipped with structcheck (see data/models/README.md)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "data" / "structcheck-dpa2-HO.pth",
                 here.parent / "data" / "models" / "structcheck-dpa2-HO.pth"):
        if cand.exists():
            return cand
    return here.parent / "data" / "models" / "structcheck-dpa2-HO.pth"


class ModelError(Exception):
    """A model file that cannot be used (missing, unreadable, no type map)."""


@lru_cache(maxsize=16)
def model_type_map(path: str | Path) -> tuple[str, ...]:
    """The element list of a DeePMD-kit model.

    A frozen PyTorch model (.pth) is a TorchScript zip archive; its type map sits in the
    JSON model definition stored among the archive's extra files, so no torch import is
    needed. Falls back to loading the model with torch.
    """
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"{path}: model file not found")
    if zipfile.is_zipfile(p):
        with zipfile.ZipFile(p) as zf:
            for name in zf.namelist():
                if "/extra/" in name:
                    try:
                        data = json.loads(zf.read(name))
                    except (ValueError, UnicodeDecodeError):
                        continue
                    tm = _find_type_map(data)
                    if tm:
                        return tuple(tm)
    try:
        import torch

        m = torch.jit.load(str(p), map_location="cpu")
        return tuple(m.get_type_map())
    except Exception as exc:  # noqa: BLE001 - any failure is "cannot read the model"
        raise ModelError(f"{path}: cannot read the model's type map ({type(exc).__name__}: {exc})") from None


def _find_type_map(obj):
    if isinstance(obj, dict):
        if isinstance(obj.get("type_map"), list) and all(isinstance(s, str) for s in obj["type_map"]):
            return obj["type_map"]
        for v in obj.values():
            tm = _find_type_map(v)
            if tm:
                return tm
    elif isinstance(obj, list):
        for v in obj:
            tm = _find_type_map(v)
            if tm:
                return tm
    return None
