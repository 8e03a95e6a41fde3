"""The extxyz comment line (key=value pairs) and Properties spec, and the per-line column check:
strict where ASE refuses or where data would be lost silently, linear in the line length."""

from __future__ import annotations

import re

import numpy as np

from .records import ReadError

# linear: the quoted alternative is the unrolled loop "[^"\\]*(\\.[^"\\]*)*" (no per-character
# alternation, so a 10 MB quoted value is one scan, not a backtracking stack of 10 million frames)
_KV = re.compile(r"""\s*([^\s="'{}]+)\s*(?:=\s*("[^"\\]*(?:\\.[^"\\]*)*"|\{[^}]*\}|'[^']*'|[^\s"'{]+))?""")
_TOKEN = re.compile(r"\s*\S+")
_KEY_LIKE = re.compile(r"""[^\s="'{}]+\s*=""")
SPECIAL_3_3_KEYS = ("Lattice", "virial", "stress")  # ASE refuses these unless 9 numbers
PROPERTY_TYPES = {"R", "I", "S", "L"}
_BOOL = {"T": True, "F": False, "True": True, "False": False, "TRUE": True, "FALSE": False}


def _value(raw: str):
    if raw[:1] in "\"'{":
        raw = raw[1:-1]
    parts = raw.replace(",", " ").split()
    if len(parts) == 1 or not parts:
        s = parts[0] if parts else raw
        if s in _BOOL:
            return _BOOL[s]
        for cast in (int, float):
            try:
                return cast(s)
            except ValueError:
                pass
        return raw
    if all(p in _BOOL for p in parts):
        return np.array([_BOOL[p] for p in parts])
    try:
        arr = np.array(parts, dtype=float)
    except ValueError:
        return raw
    if all(re.fullmatch(r"[+-]?\d+", p) for p in parts):
        arr = arr.astype(int)
    return arr


def parse_comment(line: str) -> dict:
    """key=value pairs of an extxyz comment line ({} for a plain xyz comment).

    ReadError (as ASE refuses, or where ASE would silently drop key=value pairs): a key
    followed by ``=`` and no parsable value, an unterminated quote or brace that swallows
    further key=value pairs, a special 3x3 key (Lattice, virial, stress) without 9 numbers,
    a ``_JSON`` value that is not JSON."""
    if "=" not in line:
        return {}
    out: dict = {}
    pos = 0
    text = line.strip()
    while pos < len(text):
        m = _KV.match(text, pos)
        if not m or m.end() == pos:
            if not out:
                return {"comment": line.strip()}
            _junk(text, pos)
            pos = _TOKEN.match(text, pos).end()  # skip the token (ASE reads it as a key): always advances
            continue
        key, raw = m.group(1), m.group(2)
        if raw is None and text[m.end():m.end() + 1] == "=":
            _junk(text, m.end() + 1, key)
        out[key] = True if raw is None else (raw.strip('"') if key == "Properties" else _value(raw))
        pos = m.end()
    for key in SPECIAL_3_3_KEYS:
        if key in out:
            v = out[key]
            if not (isinstance(v, np.ndarray) and v.size == 9 and v.dtype.kind in "if"):
                raise ReadError(f"{key} needs 9 numbers")
    for key, v in out.items():
        if isinstance(v, str) and v.startswith("_JSON "):
            import json  # rare: not paid by every xyz read

            try:
                json.loads(v[6:])
            except ValueError:
                raise ReadError(f"{key}: _JSON value is not JSON") from None
    return out


def _junk(text: str, at: int, key: str | None = None) -> None:
    """Raise for what the comment parser cannot take at ``text[at:]`` when it hides data."""
    rest = text[at:].lstrip()
    where = f" after {key}=" if key else ""
    if rest[:1] in ("\"", "'", "{"):
        close = {"\"": "\"", "'": "'", "{": "}"}[rest[0]]
        if close not in rest[1:]:
            raise ReadError(f"unterminated {rest[0]} in the comment line{where}: {rest[:40]!r}")
    if key is not None:
        raise ReadError(f"no value{where} in the comment line: {rest[:40]!r}")
    if _KEY_LIKE.search(rest):
        raise ReadError(f"malformed comment line at {rest[:40]!r}: the key=value pairs after it would be lost")


def _properties(spec) -> list[tuple[str, str, int]]:
    """NAME:TYPE:NCOLS triplets; ReadError for what ASE refuses (a type outside R/I/S/L, a
    column count that is not a positive integer, a name twice) or cannot mean."""
    if not isinstance(spec, str):  # a bare `Properties` key, or one the comment parser typed
        raise ReadError(f"bad Properties={spec!r}")
    f = spec.split(":")
    if len(f) % 3:
        raise ReadError(f"bad Properties={spec[:80]!r}: not NAME:TYPE:NCOLS triplets")
    out = []
    for k in range(0, len(f), 3):
        name, typ, cols = f[k], f[k + 1], f[k + 2]
        if typ not in PROPERTY_TYPES:
            raise ReadError(f"Properties: unknown type {typ[:10]!r} of {name[:40]!r} (R, I, S or L)")
        if not cols.isdigit() or not 0 < int(cols) <= 10_000:
            raise ReadError(f"Properties: bad column count {cols[:10]!r} of {name[:40]!r}")
        if not name or any(name == o[0] for o in out):
            raise ReadError(f"Properties: {name[:40]!r} empty or given twice")
        out.append((name, typ, int(cols)))
    return out


_WS = np.zeros(256, dtype=bool)
_WS[[9, 10, 11, 12, 13, 32]] = True  # what bytes.split() splits on


def _ragged_row(block: bytes, n: int, ncols: int) -> int | None:
    """Index of the first of the ``n`` atom lines of ``block`` whose token count is not ``ncols``."""
    if n <= 256:
        lines = block.split(b"\n")
        for k, ln in enumerate(lines[:n]):
            if len(ln.split()) != ncols:
                return k
        return None if len(lines) == n else min(len(lines), n)
    b = np.frombuffer(block, dtype=np.uint8)
    ws = _WS[b]
    starts = ~ws
    starts[1:] &= ws[:-1]
    nl = np.flatnonzero(b == 10)
    if len(nl) != n - 1:
        return min(len(nl) + 1, n) if len(nl) + 1 < n else n - 1
    counts = np.bincount(np.searchsorted(nl, np.flatnonzero(starts)), minlength=n)
    bad = np.flatnonzero(counts != ncols)
    return int(bad[0]) if len(bad) else None
