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
def model_type_map(path: str | Path, head: str | None = None) -> tuple[str, ...]:
    """The element list of a DeePMD-kit model, read without evaluating (or importing) torch.

    A frozen PyTorch model (``dp --pt freeze``, .pth) is a TorchScript zip archive. In
    deepmd-kit 3.x the model definition is not an extra file: it is the JSON string attribute
    ``model_def_script`` of the scripted module, pickled in ``<archive>/data.pkl``. That pickle
    is scanned opcode by opcode (``pickletools.genops``: nothing is executed or imported), and
    its ``type_map`` is returned. A JSON extra file (older or other writers), a training
    checkpoint (.pt: the ``type_map`` list in its pickled ``model_params``; with ``head`` that
    head's), and, last, loading the model with deepmd-kit are tried in turn.
    """
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"{path}: model file not found")
    if head is not None and p.suffix == ".pt":
        return _type_map_from_checkpoint(p, head)
    if zipfile.is_zipfile(p):
        try:
            tm = _type_map_from_archive(p, head)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ModelError(f"{path}: unreadable model archive ({exc})") from None
        if tm:
            return tuple(tm)
    try:
        import deepmd.pt  # noqa: F401 - registers deepmd's TorchScript ops
        import torch

        m = torch.jit.load(str(p), map_location="cpu")
        return tuple(m.get_type_map())
    except Exception as exc:  # noqa: BLE001 - any failure is "cannot read the model"
        raise ModelError(f"{path}: cannot read the model's type map ({type(exc).__name__}: "
                         f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})") from None


def _type_map_from_checkpoint(p: Path, head: str):
    """A multi-task training checkpoint: the type map of one head (needs torch)."""
    try:
        import torch

        state = torch.load(str(p), map_location="cpu", weights_only=True)
        params = state.get("model", state)["_extra_state"]["model_params"]
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{p}: cannot read the checkpoint's model parameters ({type(exc).__name__})") from None
    heads = params.get("model_dict")
    if isinstance(heads, dict):
        if head not in heads:
            raise ModelError(f"{p}: no head {head!r}; the model's heads are {', '.join(heads)}")
        params = heads[head]
    tm = _find_type_map(params)
    if not tm:
        raise ModelError(f"{p}: no type map in the checkpoint's model parameters")
    return tuple(tm)


def _type_map_from_archive(p: Path, head: str | None):
    with zipfile.ZipFile(p) as zf:
        names = zf.namelist()
        for name in names:  # JSON model definitions stored as extra files
            if "/extra/" in name and not name.endswith(".pth"):
                try:
                    data = json.loads(zf.read(name))
                except (ValueError, UnicodeDecodeError):
                    continue
                tm = _find_type_map(data, head)
                if tm:
                    return tm
        for name in names:
            if name.endswith("/data.pkl") or name == "data.pkl":
                tm = _type_map_from_pickle(zf.read(name), head)
                if tm:
                    return tm
    return None


_STRING_OPS = {"BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "UNICODE"}
_MEMO_OPS = {"BINPUT", "LONG_BINPUT", "MEMOIZE", "PUT"}


def _type_map_from_pickle(data: bytes, head: str | None):
    """Scan a pickle's opcodes (never executing it) for the model definition's type map.

    A TorchScript module pickles ``model_def_script`` as a key string followed by the JSON
    string; a checkpoint pickles ``"type_map"`` followed by EMPTY_LIST, MARK, the element
    strings and APPENDS.
    """
    import pickletools

    last = None  # the previous string, while only memo opcodes followed it
    key = collecting = None
    found: list[tuple[str | None, list[str]]] = []
    try:
        for op, arg, _pos in pickletools.genops(data):
            name = op.name
            if name in _MEMO_OPS:
                continue
            if name in _STRING_OPS:
                if last == "model_def_script":
                    try:
                        tm = _find_type_map(json.loads(arg), head)
                    except ValueError:
                        tm = None
                    if tm:
                        return tm
                if collecting is not None:
                    collecting.append(arg)
                last = arg
                continue
            if name == "EMPTY_LIST":
                key, collecting = last, []
            elif name == "MARK" and collecting is not None and not collecting:
                pass
            elif name in ("APPENDS", "APPEND") and collecting:
                found.append((key, collecting))
                collecting = None
            else:
                collecting = None
            last = None
    except Exception:  # noqa: BLE001 - a pickle we cannot scan: let the caller fall back
        return None
    lists = [lst for k, lst in found if k == "type_map"]
    return lists[0] if lists else None


def _find_type_map(obj, head: str | None = None):
    if isinstance(obj, dict):
        if head is not None and isinstance(obj.get("model_dict"), dict) and head in obj["model_dict"]:
            return _find_type_map(obj["model_dict"][head])
        if isinstance(obj.get("type_map"), list) and all(isinstance(s, str) for s in obj["type_map"]):
            return obj["type_map"]
        for v in obj.values():
            tm = _find_type_map(v, head)
            if tm:
                return tm
    elif isinstance(obj, list):
        for v in obj:
            tm = _find_type_map(v, head)
            if tm:
                return tm
    return None
